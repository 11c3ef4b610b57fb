import type { StoreBackend } from './backend.js';
import { StoreClosedError } from './errors.js';
import type { EventStore } from './event-store.js';
import { LazyEventStream } from './event-stream.js';
import { readAllPaged, readStreamPaged } from './readers.js';
import { subscribeToAll } from './subscribe.js';
import type {
  AppendOptions,
  AppendResult,
  EventInput,
  EventShape,
  EventStream,
  ListStreamsOptions,
  Position,
  ReadAllOptions,
  ReadStreamOptions,
  StoredEvent,
  StreamInfo,
  SubscribeOptions,
} from './types.js';
import { DEFAULT_LIMITS, prepareAppend, validateListStreams, validateStreamId, type StoreLimits } from './validate.js';

export interface EventStoreOptions {
  limits?: Partial<StoreLimits>;
}

/**
 * Wrap a backend into a full `EventStore`: input validation, serialization, paging readers,
 * catch-up subscriptions, lazy migration and a clean close. Store packages call this; so can
 * a third-party backend, which then gets the same semantics and can run the same conformance suite.
 */
export function createEventStore(backend: StoreBackend, options: EventStoreOptions = {}): EventStore {
  return new BackedEventStore(backend, { ...DEFAULT_LIMITS, ...options.limits });
}

class BackedEventStore implements EventStore {
  readonly kind: string;
  readonly #backend: StoreBackend;
  readonly #limits: StoreLimits;
  readonly #closing = new AbortController();
  #migrated: Promise<void> | undefined;
  #closed: Promise<void> | undefined;

  constructor(backend: StoreBackend, limits: StoreLimits) {
    this.kind = backend.kind;
    this.#backend = backend;
    this.#limits = limits;
  }

  migrate(): Promise<void> {
    this.#assertOpen('migrate');
    return this.#ready();
  }

  #ready(): Promise<void> {
    // Memoised so concurrent first calls share one migration; a failure is retried next time.
    this.#migrated ??= this.#backend.migrate().catch((error: unknown) => {
      this.#migrated = undefined;
      throw error;
    });
    return this.#migrated;
  }

  #assertOpen(operation: string): void {
    if (this.#closed !== undefined) throw new StoreClosedError(operation);
  }

  async append<E extends EventShape>(streamId: string, events: readonly EventInput<E>[], options?: AppendOptions): Promise<AppendResult> {
    this.#assertOpen('append');
    const request = prepareAppend(streamId, events, options, this.#limits);
    await this.#ready();
    return this.#backend.append(request);
  }

  readStream<E extends EventShape = EventShape>(streamId: string, options: ReadStreamOptions = {}): EventStream<StoredEvent<E>> {
    this.#assertOpen('read a stream');
    validateStreamId(streamId, true);
    const plan = readStreamPaged(this.#backend, streamId, options);
    const ready = (): Promise<void> => this.#ready();
    return new LazyEventStream(async function* () {
      await ready();
      yield* plan() as AsyncGenerator<StoredEvent<E>>;
    });
  }

  readAll<E extends EventShape = EventShape>(options: ReadAllOptions = {}): EventStream<StoredEvent<E>> {
    this.#assertOpen('read the log');
    const plan = readAllPaged(this.#backend, options);
    const ready = (): Promise<void> => this.#ready();
    return new LazyEventStream(async function* () {
      await ready();
      yield* plan() as AsyncGenerator<StoredEvent<E>>;
    });
  }

  subscribe<E extends EventShape = EventShape>(options: SubscribeOptions = {}): AsyncIterable<StoredEvent<E>> {
    this.#assertOpen('subscribe');
    const run = subscribeToAll(this.#backend, options, this.#closing.signal);
    const ready = (): Promise<void> => this.#ready();
    return {
      [Symbol.asyncIterator]: async function* () {
        await ready();
        yield* run() as AsyncGenerator<StoredEvent<E>>;
      },
    };
  }

  async streamInfo(streamId: string): Promise<StreamInfo | null> {
    this.#assertOpen('read stream info');
    validateStreamId(streamId, true);
    await this.#ready();
    return this.#backend.streamInfo(streamId);
  }

  async listStreams(options: ListStreamsOptions = {}): Promise<StreamInfo[]> {
    this.#assertOpen('list streams');
    const request = validateListStreams(options);
    await this.#ready();
    return this.#backend.listStreams(request);
  }

  async headPosition(): Promise<Position> {
    this.#assertOpen('read the head position');
    await this.#ready();
    return this.#backend.headPosition();
  }

  close(): Promise<void> {
    this.#closed ??= (async () => {
      this.#closing.abort();
      await this.#backend.close();
    })();
    return this.#closed;
  }
}
