import { ConcurrencyError, type EventStore, isCairnError, type StoredEvent } from '@cairn/core';
import { CliError } from './cli-error.js';
import { toEventInput, type PortableEvent } from './event-line.js';
import { ExitCode } from './exit-codes.js';
import { jsonEqual } from './json-equal.js';

export interface BatchWriterOptions {
  /** Most events per append. */
  batchSize: number;
  /** Keep the events' original recording times (default) or let the target's clock decide. */
  keepTimes: boolean;
  /**
   * The target held no events when the run started: a stream's first batch needs no check of
   * what the target holds (the expected version still guards).
   */
  emptyTarget?: boolean;
  /** Called after each append. */
  onWrite?: () => void;
}

/** Streams whose target version this run knows (it wrote them): bounded, oldest forgotten first. */
const KNOWN_STREAMS = 10_000;

const MAX_BATCH_BYTES = 4 * 1024 * 1024;

/**
 * Appends a sequence of exported events to a store, keeping stream ids, versions, event ids
 * and times. Consecutive events of one stream share an append (one transaction, one fsync)
 * with the exact expected version `first.version - 1`, and the input's global order is kept
 * (appends run one after another). Re-running after an interruption neither duplicates nor
 * skips: before each append the target's events at the batch's versions are read (one query);
 * those must be the very same events (ids and content), and only the rest is appended, so
 * batch sizes may differ between runs. A stream holding other events in the target is a
 * conflict, never silently merged; an event id stored elsewhere is refused by the store.
 */
export class BatchWriter {
  readonly #store: EventStore;
  readonly #options: BatchWriterOptions;
  #batch: PortableEvent[] = [];
  #bytes = 0;
  readonly #known = new Map<string, number>();
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
    const last = batch.at(-1) as PortableEvent;
    // What the target already holds at these versions (an earlier run, whatever its batch
    // sizes): it must be these very events, and only the rest is appended. Not needed when
    // this run itself brought the stream to just before the batch, or the stream starts here
    // in a target that was empty when the run began.
    const known = this.#known.get(first.streamId) ?? (this.#options.emptyTarget && first.version === 1 ? 0 : undefined);
    const stored = known === first.version - 1 ? [] : await this.#store.readStream(first.streamId, { from: first.version, to: last.version }).toArray();
    stored.forEach((event, i) => {
      const expected = batch[i] as PortableEvent;
      if (!same(event, expected)) throw mismatch(event, expected);
    });
    this.alreadyThere += stored.length;
    const rest = stored.length === 0 ? batch : batch.slice(stored.length);
    if (rest.length > 0) {
      await this.#append(rest, this.#options.keepTimes);
      this.written += rest.length;
      // Only our own append tells the target's exact version (a batch found stored does not).
      this.#remember(first.streamId, last.version);
    }
    this.#options.onWrite?.();
  }

  #remember(streamId: string, version: number): void {
    this.#known.delete(streamId); // re-insert: Map order is the recency order
    this.#known.set(streamId, version);
    if (this.#known.size > KNOWN_STREAMS) this.#known.delete(this.#known.keys().next().value as string);
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
      if (keepTimes && isTimeError(error)) {
        // The store checks times before versions: a stream the target already holds other
        // (newer) events of fails on the times. Report what is really wrong.
        const actual = (await this.#store.streamInfo(first.streamId))?.version ?? 0;
        if (actual !== first.version - 1) throw conflict(first, actual);
      }
      throw error;
    }
  }
}

function isTimeError(error: unknown): boolean {
  return isCairnError(error, 'INVALID_EVENT') && String(error.details.field).endsWith('recordedAt');
}

function same(stored: StoredEvent, event: PortableEvent): boolean {
  return (
    stored.eventId === event.eventId &&
    stored.streamId === event.streamId &&
    stored.version === event.version &&
    stored.type === event.type &&
    stored.schemaVersion === event.schemaVersion &&
    jsonEqual(stored.data, event.data)
  );
}

function mismatch(stored: StoredEvent, event: PortableEvent): CliError {
  return new CliError(
    'CONCURRENCY',
    `Stream "${event.streamId}" already has another event at version ${event.version} in the target (${stored.type} ${stored.eventId}, ` +
      `where the input has ${event.type} ${event.eventId}). Import into an empty store, or copy the stream under another id (cairn copy-stream --as).`,
    ExitCode.CONFLICT,
    { streamId: event.streamId, version: event.version },
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
