import type { StoreBackend } from './backend.js';
import { InvalidArgumentError } from './errors.js';
import type { NextPage } from './event-stream.js';
import type { Position, StoredEvent, SubscribeOptions } from './types.js';
import { describe, validateCount, validateNames, validatePosition } from './validate.js';

const DEFAULT_BATCH = 1000;
const DEFAULT_POLL_MS = 1000;

/**
 * Catch-up-then-live over the global log. The loop is the same for every store: the
 * backend's `readAllPage` never returns an event above its settled head, so resuming after
 * the last delivered position (or after `head` when a page ran dry) neither skips nor
 * repeats. Wake-ups only shorten the wait; the poll interval is the safety net.
 */
export function subscribeToAll(backend: StoreBackend, options: SubscribeOptions, storeClosing: AbortSignal): () => NextPage<StoredEvent> {
  const start = options.after === 'end' || options.after === undefined ? (options.after ?? 0n) : validatePosition(options.after, 'after');
  const types = validateNames(options.types, 'types');
  const categories = validateNames(options.categories, 'categories');
  const batchSize = validateCount(options.batchSize, 'batchSize', DEFAULT_BATCH, 10_000);
  const pollMs = validateCount(options.pollIntervalMs, 'pollIntervalMs', DEFAULT_POLL_MS, 3_600_000);
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw new InvalidArgumentError('signal', `expected an AbortSignal, got ${describe(options.signal)}`);
  }
  const signal = options.signal ? AbortSignal.any([options.signal, storeClosing]) : storeClosing;
  const filter = { includeSystem: options.includeSystem === true, ...(types ? { types } : {}), ...(categories ? { categories } : {}) };

  // Pages instead of single events: the consumer's iterator hands them out one by one, and a
  // page is only fetched once the previous one has been handed out, so delivery stays in order.
  return () => {
    let cursor: Position | undefined;
    let head = 0n;
    return async () => {
      cursor ??= start === 'end' ? await backend.headPosition() : start;
      while (!signal.aborted) {
        const seq = backend.wakeups.seq;
        let page;
        try {
          // While catching up below a head seen before, the backend need not work it out again.
          page = await backend.readAllPage({ after: cursor, limit: batchSize, ...filter, ...(head > cursor ? { knownHead: head } : {}) });
          if (page.head > head) head = page.head;
        } catch (error) {
          if (signal.aborted) return undefined; // the store closed under us: end quietly
          throw error;
        }
        const last = page.events.at(-1);
        if (last !== undefined) cursor = last.position;
        if (page.events.length < batchSize && page.head > cursor) {
          // Everything matching up to head was in this page, so head is a safe resume point.
          cursor = page.head;
        }
        if (page.events.length > 0) return page.events;
        await backend.wakeups.wait(seq, pollMs, signal);
      }
      return undefined;
    };
  };
}
