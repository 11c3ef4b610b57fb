import type { ExpectedVersion } from '@cairn/core';
import { HttpProblem, ServerErrorCodes } from '../problem.js';

/**
 * The expected version of an append, from the body or from conditional headers:
 * `If-Match: "5"` (the stream is at version 5), `If-Match: *` (it exists),
 * `If-None-Match: *` (it does not exist yet). Several sources must agree.
 */
export function resolveExpectedVersion(
  body: ExpectedVersion | undefined,
  ifMatch: string | undefined,
  ifNoneMatch: string | undefined,
): ExpectedVersion {
  const sources: Array<{ from: string; value: ExpectedVersion }> = [];
  if (body !== undefined) sources.push({ from: 'expectedVersion', value: body });
  if (ifMatch !== undefined) sources.push({ from: 'If-Match', value: parseIfMatch(ifMatch) });
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch.trim() !== '*') {
      throw invalid(`If-None-Match on an append only accepts "*" (the stream must not exist yet), got ${JSON.stringify(ifNoneMatch.slice(0, 40))}.`);
    }
    sources.push({ from: 'If-None-Match', value: 'no-stream' });
  }
  const first = sources[0];
  if (first === undefined) return 'any';
  for (const other of sources.slice(1)) {
    if (!same(first.value, other.value)) {
      throw invalid(`${first.from} (${String(first.value)}) and ${other.from} (${String(other.value)}) disagree; send one of them.`);
    }
  }
  return first.value;
}

function parseIfMatch(header: string): ExpectedVersion {
  const value = header.trim();
  if (value === '*') return 'exists';
  const match = /^"?(0|[1-9][0-9]{0,15})"?$/.exec(value);
  const version = match?.[1] === undefined ? Number.NaN : Number(match[1]);
  if (!Number.isSafeInteger(version) || (value.startsWith('"') !== value.endsWith('"'))) {
    throw invalid(`If-Match must be a stream version as an entity tag, e.g. "5" (or * for "the stream exists"), got ${JSON.stringify(header.slice(0, 40))}.`);
  }
  return version;
}

function same(a: ExpectedVersion, b: ExpectedVersion): boolean {
  // 0 and 'no-stream' mean the same thing.
  const norm = (v: ExpectedVersion): ExpectedVersion => (v === 0 ? 'no-stream' : v);
  return norm(a) === norm(b);
}

function invalid(detail: string): HttpProblem {
  return new HttpProblem(400, ServerErrorCodes.INVALID_REQUEST, detail);
}
