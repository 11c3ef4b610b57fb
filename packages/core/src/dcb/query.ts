import { InvalidArgumentError } from '../errors.js';
import type { AppendCondition, Query, QueryItem, StoredEvent } from '../types.js';
import { describe, validatePosition } from '../validate.js';

const MAX_ITEMS = 64;

/** Validate a query and return it normalised (sorted, de-duplicated names; empty arrays dropped). */
export function validateQuery(value: unknown, name = 'query'): Query {
  if (!Array.isArray(value) || value.length === 0) throw new InvalidArgumentError(name, `expected a non-empty array of { types?, tags? } items, got ${describe(value)}`);
  if (value.length > MAX_ITEMS) throw new InvalidArgumentError(name, `has ${value.length} items, over ${MAX_ITEMS}`);
  return value.map((item: unknown, i) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw new InvalidArgumentError(`${name}[${i}]`, `expected { types?, tags? }, got ${describe(item)}`);
    const { types, tags, ...rest } = item as Record<string, unknown>;
    const unknown = Object.keys(rest).filter((k) => rest[k] !== undefined);
    if (unknown.length > 0) throw new InvalidArgumentError(`${name}[${i}].${unknown[0]}`, 'is not a known field; a query item has types and tags');
    const out: { types?: string[]; tags?: string[] } = {};
    const t = names(types, `${name}[${i}].types`);
    const g = names(tags, `${name}[${i}].tags`);
    if (t) out.types = t;
    if (g) out.tags = g;
    if (!t && !g) throw new InvalidArgumentError(`${name}[${i}]`, 'needs types, tags or both (an item matching everything would lock the whole store)');
    return out as QueryItem;
  });
}

function names(value: unknown, name: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && v.length > 0 && v.length <= 200)) {
    throw new InvalidArgumentError(name, `expected an array of non-empty strings, got ${describe(value)}`);
  }
  return value.length === 0 ? undefined : [...new Set(value as string[])].sort();
}

export function validateCondition(value: unknown): { query: Query; after: bigint } | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null) throw new InvalidArgumentError('condition', `expected { failIfEventsMatch, after }, got ${describe(value)}`);
  const c = value as AppendCondition;
  return { query: validateQuery(c.failIfEventsMatch, 'condition.failIfEventsMatch'), after: c.after === undefined ? 0n : validatePosition(c.after, 'condition.after') };
}

/** Does an event match a query? The reference semantics every store implements. */
export function matchesQuery(query: Query, event: Pick<StoredEvent, 'type' | 'tags'>): boolean {
  return query.some(
    (item) => (item.types === undefined || item.types.includes(event.type)) && (item.tags === undefined || item.tags.every((t) => event.tags.includes(t))),
  );
}

/** The stream a stream-less append goes to: its first tag, `course:c1` → `course-c1`. */
export function streamForTags(tags: readonly string[] | undefined): string | undefined {
  const tag = tags?.[0];
  if (tag === undefined) return undefined;
  const colon = tag.indexOf(':');
  return colon === -1 ? tag : `${tag.slice(0, colon)}-${tag.slice(colon + 1)}`;
}
