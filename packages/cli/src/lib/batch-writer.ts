import { ConcurrencyError, type EventStore, IdempotencyError, isCairnError, type StoredEvent } from '@cairn/core';
import { CliError } from './cli-error.js';
import { toEventInput, type PortableEvent } from './event-line.js';
import { ExitCode } from './exit-codes.js';
import { jsonEqual } from './json-equal.js';

export interface BatchWriterOptions {
  /** Most events per append. */
  batchSize: number;
  /** Keep the events' original recording times (default) or let the target's clock decide. */
  keepTimes: boolean;
  /** Called after each append. */
  onWrite?: () => void;
}

const MAX_BATCH_BYTES = 4 * 1024 * 1024;

/**
 * Appends a sequence of exported events to a store, keeping stream ids, versions, event ids
 * and times. Consecutive events of one stream share an append (one transaction, one fsync)
 * with the exact expected version `first.version - 1`, and the input's global order is kept
 * (appends run one after another). Re-running after an interruption neither duplicates nor
 * skips: a batch whose first event is already stored is resent without times, which the
 * store answers as an idempotent retry (same ids, same content: the original result, nothing
 * written); when an earlier run cut batches differently, events are checked one by one. A
 * stream holding other events in the target is a conflict, never silently merged.
 */
export class BatchWriter {
  readonly #store: EventStore;
  readonly #options: BatchWriterOptions;
  #batch: PortableEvent[] = [];
  #bytes = 0;
  /** Events appended by this run. */
  written = 0;
  /** Events found already stored (by an earlier run), checked to be the same. */
  alreadyThere = 0;

  constructor(store: EventStore, options: BatchWriterOptions) {
    this.#store = store;
    this.#options = options;
  }

  get done(): number {
    return this.written + this.alreadyThere;
  }

  async add(event: PortableEvent): Promise<void> {
    const last = this.#batch.at(-1);
    if (
      last !== undefined &&
      (last.streamId !== event.streamId || event.version !== last.version + 1 || this.#batch.length >= this.#options.batchSize || this.#bytes + event.bytes > MAX_BATCH_BYTES)
    ) {
      await this.flush();
    }
    this.#batch.push(event);
    this.#bytes += event.bytes;
  }

  async flush(): Promise<void> {
    const batch = this.#batch;
    if (batch.length === 0) return;
    this.#batch = [];
    this.#bytes = 0;
    const first = batch[0] as PortableEvent;
    try {
      if ((await this.#store.readEvent(first.eventId)) === null) {
        await this.#append(batch, this.#options.keepTimes);
        this.written += batch.length;
      } else {
        // Resent without times: the store's duplicate check compares ids and content only.
        await this.#append(batch, false);
        this.alreadyThere += batch.length;
      }
    } catch (error) {
      // Partly stored (other batch boundaries in an earlier run), or the store judged the
      // times against events an earlier run already wrote: settle it event by event.
      const partial = error instanceof IdempotencyError || (isCairnError(error, 'INVALID_EVENT') && String(error.details.field).endsWith('recordedAt'));
      if (!partial || batch.length === 1) throw error;
      for (const event of batch) await this.#one(event);
    }
    this.#options.onWrite?.();
  }

  async #one(event: PortableEvent): Promise<void> {
    const stored = await this.#store.readEvent(event.eventId);
    if (stored === null) {
      await this.#append([event], this.#options.keepTimes);
      this.written++;
    } else if (same(stored, event)) {
      this.alreadyThere++;
    } else {
      throw new CliError(
        'IDEMPOTENCY_CONFLICT',
        `Event ${event.eventId} is already stored in the target as "${stored.streamId}" version ${stored.version} (${stored.type}), ` +
          `but the input has it as "${event.streamId}" version ${event.version} (${event.type}).`,
        ExitCode.CONFLICT,
        { eventId: event.eventId },
      );
    }
  }

  async #append(batch: PortableEvent[], keepTimes: boolean): Promise<void> {
    const first = batch[0] as PortableEvent;
    const last = batch.at(-1) as PortableEvent;
    try {
      const result = await this.#store.append(
        first.streamId,
        batch.map((e) => toEventInput(e, keepTimes)),
        { expectedVersion: first.version - 1, ...(first.streamId.startsWith('$') ? { system: true } : {}) },
      );
      if (result.version !== last.version) throw conflict(first, result.version - batch.length);
    } catch (error) {
      if (error instanceof ConcurrencyError) throw conflict(first, error.actual);
      throw error;
    }
  }
}

function same(stored: StoredEvent, event: PortableEvent): boolean {
  return (
    stored.streamId === event.streamId &&
    stored.version === event.version &&
    stored.type === event.type &&
    stored.schemaVersion === event.schemaVersion &&
    jsonEqual(stored.data, event.data)
  );
}

function conflict(first: PortableEvent, actual: number): CliError {
  const expected = first.version - 1;
  const message =
    actual < expected
      ? `Stream "${first.streamId}" is at version ${actual} in the target, but the input continues it at version ${first.version}. ` +
        'Import the earlier events first (an export made with --after needs the export before it).'
      : `Stream "${first.streamId}" already has other events at version ${first.version} in the target (different event ids). ` +
        'Import into an empty store, or copy the stream under another id (cairn copy-stream --as).';
  return new CliError('CONCURRENCY', message, ExitCode.CONFLICT, { streamId: first.streamId, expected, actual });
}
