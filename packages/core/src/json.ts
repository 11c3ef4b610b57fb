import { InvalidEventError } from './errors.js';

const MAX_DEPTH = 128;

/**
 * Throws `InvalidEventError` naming the exact path of the first value that would not
 * survive a JSON round trip through every store. PostgreSQL's jsonb refuses NUL
 * characters and lone surrogates, so they are refused here for all stores alike.
 */
export function assertJsonValue(value: unknown, path: string): void {
  check(value, path, 0, new Set());
}

function check(value: unknown, path: string, depth: number, ancestors: Set<object>): void {
  switch (typeof value) {
    case 'string':
      checkString(value, path);
      return;
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) throw new InvalidEventError(path, `is ${String(value)}, which JSON cannot hold`);
      return;
    case 'undefined':
      throw new InvalidEventError(path, 'is undefined; use null or leave the key out');
    case 'bigint':
      throw new InvalidEventError(path, 'is a bigint, which JSON cannot hold; store it as a decimal string');
    case 'function':
    case 'symbol':
      throw new InvalidEventError(path, `is a ${typeof value}, which JSON cannot hold`);
    case 'object':
      break;
  }
  if (value === null) return;
  if (depth >= MAX_DEPTH) throw new InvalidEventError(path, `nests deeper than ${MAX_DEPTH} levels`);
  const obj = value as object;
  if (ancestors.has(obj)) throw new InvalidEventError(path, 'refers to itself (a circular structure)');
  if (typeof (obj as { toJSON?: unknown }).toJSON === 'function') {
    // Dates and similar serialize through toJSON; check what will actually be stored.
    check((obj as { toJSON(): unknown }).toJSON(), path, depth, ancestors);
    return;
  }
  ancestors.add(obj);
  if (Array.isArray(obj)) {
    for (let i = 0; i < obj.length; i++) {
      const item: unknown = obj[i];
      // JSON.stringify turns undefined array slots into null, changing the data; refuse instead.
      check(item, `${path}[${i}]`, depth + 1, ancestors);
    }
  } else {
    for (const key of Object.keys(obj)) {
      const item = (obj as Record<string, unknown>)[key];
      if (item === undefined) continue; // dropped by JSON, same meaning as an absent key
      checkString(key, `${path} key ${JSON.stringify(key.slice(0, 40))}`);
      check(item, `${path}.${key}`, depth + 1, ancestors);
    }
  }
  ancestors.delete(obj);
}

function checkString(value: string, path: string): void {
  if (value.includes('\u0000')) throw new InvalidEventError(path, 'contains a NUL character (\\u0000), which stores cannot keep');
  if (!value.isWellFormed()) throw new InvalidEventError(path, 'contains a lone UTF-16 surrogate (not valid Unicode)');
}

/** UTF-8 byte length without allocating when the answer is obvious. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** Structural equality of two JSON values, ignoring key order. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    return a.every((item, i) => jsonEqual(item, b[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
