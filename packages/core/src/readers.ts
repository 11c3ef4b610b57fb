import type { StoreBackend } from './backend.js';
import type { NextPage } from './event-stream.js';
import { InvalidArgumentError } from './errors.js';
import type { ReadAllOptions, ReadStreamOptions, StoredEvent } from './types.js';
import { describe, validateCount, validateNames, validatePosition, validateVersionBound } from './validate.js';

export const DEFAULT_PAGE_SIZE = 1000;
const MAX_PAGE_SIZE = 10_000;
const LAST = Number.MAX_SAFE_INTEGER;

/**
 * Validate a stream read up front (so bad options throw at the call, not mid-iteration)
 * and return a generator factory that pages by version with keyset bounds: memory stays
 * flat however long the stream is.
 */
export function readStreamPaged(backend: StoreBackend, streamId: string, options: ReadStreamOptions): () => NextPage<StoredEvent> {
  const direction = options.direction ?? 'forward';
  if (direction !== 'forward' && direction !== 'backward') {
    throw new InvalidArgumentError('direction', `expected 'forward' or 'backward', got ${describe(direction)}`);
  }
  const from = validateVersionBound(options.from, 'from');
  const to = validateVersionBound(options.to, 'to');
  const limit = validateCount(options.limit, 'limit', LAST);
  const pageSize = validateCount(options.pageSize, 'pageSize', DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
  const until = options.until;
  if (until !== undefined && !(until instanceof Date && !Number.isNaN(until.getTime()))) {
    throw new InvalidArgumentError('until', `expected a valid Date, got ${describe(until)}`);
  }
  const forward = direction === 'forward';

  return () => {
    let cursor = forward ? Math.max(from ?? 1, 1) : Math.min(from ?? LAST, LAST);
    const end = forward ? (to ?? LAST) : Math.max(to ?? 1, 1);
    let remaining = limit;
    let finished = false;
    return async () => {
      if (finished || remaining <= 0 || (forward ? cursor > end : cursor < end)) return undefined;
      const want = Math.min(pageSize, remaining);
      const page = await backend.readStreamPage({
        streamId,
        fromVersion: cursor,
        toVersion: end,
        direction,
        limit: want,
        ...(until ? { until } : {}),
      });
      remaining -= page.length;
      const last = page.at(-1);
      if (page.length < want || last === undefined) finished = true;
      else cursor = forward ? last.version + 1 : last.version - 1;
      return page.length > 0 ? page : undefined;
    };
  };
}

/** Same for the global log, paging by position. */
export function readAllPaged(backend: StoreBackend, options: ReadAllOptions): () => NextPage<StoredEvent> {
  const after = options.after === undefined ? 0n : validatePosition(options.after, 'after');
  const types = validateNames(options.types, 'types');
  const categories = validateNames(options.categories, 'categories');
  const limit = validateCount(options.limit, 'limit', LAST);
  const pageSize = validateCount(options.pageSize, 'pageSize', DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
  const includeSystem = options.includeSystem === true;

  return () => {
    let cursor = after;
    let remaining = limit;
    let finished = false;
    let head = 0n;
    return async () => {
      if (finished || remaining <= 0) return undefined;
      const want = Math.min(pageSize, remaining);
      const page = await backend.readAllPage({
        after: cursor,
        limit: want,
        includeSystem,
        ...(types ? { types } : {}),
        ...(categories ? { categories } : {}),
        ...(head > cursor ? { knownHead: head } : {}),
      });
      if (page.head > head) head = page.head;
      remaining -= page.events.length;
      const last = page.events.at(-1);
      if (page.events.length < want || last === undefined) finished = true;
      else cursor = last.position;
      return page.events.length > 0 ? page.events : undefined;
    };
  };
}
