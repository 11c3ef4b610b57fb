import type { StoreBackend } from './backend.js';
import { streamForTags, validateQuery } from './dcb/query.js';
import { type IntegrityReport, type IntegrityRow, verifyRows } from './integrity.js';
import { verifyStructure } from './verify-structure.js';
import { InvalidArgumentError, InvalidEventError, StoreClosedError } from './errors.js';
import type { EventStore } from './event-store.js';
import { type NextPage, PageIterator, PagedEventStream } from './event-stream.js';
import { DEFAULT_PAGE_SIZE, readAllPaged, readStreamPaged } from './readers.js';
import { subscribeToAll } from './subscribe.js';
import type {
  AppendCondition,
  AppendOptions,
  AppendResult,
  EventInput,
  EventShape,
  EventStream,
  ListStreamsOptions,
  Position,
  QueryResult,
  ReadAllOptions,
  ReadQueryOptions,
  ReadStreamOptions,
  StoredEvent,
  StreamInfo,
  SubscribeOptions,
} from './types.js';
import { createSnapshotStore, type SnapshotStore } from './snapshots/snapshot-store.js';
import type { SqlAccess } from './sql.js';
import { type ForgetResult, PersonalDataCipher, type PersonalDataRules } from './privacy/personal-data.js';
import { installInlineProjections, setupInline } from './projections/inline.js';
import type { Projection } from './projections/types.js';
import { type Upcaster, UpcasterChain } from './upcasting/upcasters.js';
import {
  DEFAULT_LIMITS,
  prepareAppend,
  type StoreLimits,
  validateCount,
  validateEventId,
  validateListStreams,
  validatePosition,
  validateStreamId,
} from './validate.js';

export interface EventStoreOptions {
  limits?: Partial<StoreLimits>;
  /** Schema evolution steps applied to every event read (stored bytes never change). */
  upcasters?: readonly Upcaster[];
  /**
   * Inline projections: applied inside every append's transaction, so the read model is never
   * behind the log (SQLite and PostgreSQL; on the memory store they run right after the append).
   */
  inline?: readonly Projection[];
  /**
   * Personal fields per event type, stored encrypted with a key per subject, so that
   * `forget(subject)` can make them unreadable (crypto-shredding) without touching history.
   */
  personalData?: PersonalDataRules;
}

/**
 * Wrap a backend into a full `EventStore`: input validation, serialization, paging readers,
 * catch-up subscriptions, lazy migration and a clean close. Store packages call this; so can
 * a third-party backend, which then gets the same semantics and can run the same conformance suite.
 */
export function createEventStore(backend: StoreBackend, options: EventStoreOptions = {}): EventStore {
  let cipher: PersonalDataCipher | undefined;
  if (options.personalData && Object.keys(options.personalData).length > 0) {
    if (!backend.keys) throw new InvalidArgumentError('personalData', `the ${backend.kind} store cannot keep encryption keys`);
    cipher = new PersonalDataCipher(options.personalData, backend.keys);
  }
  const store = new BackedEventStore(backend, { ...DEFAULT_LIMITS, ...options.limits }, new UpcasterChain(options.upcasters ?? []), cipher);
  const inline = options.inline ?? [];
  if (inline.length > 0) {
    const hooks = storeInternals(store);
    installInlineProjections(store, backend, inline, hooks.decode);
    hooks.onReady(() => setupInline(inline, backend.sql));
  }
  return store;
}

/** What the projection runtime needs beyond the public contract. Not exported from the package. */
export interface StoreInternals {
  backend: StoreBackend;
  /** Decrypt personal fields and upcast, as every read does. */
  decode<T extends StoredEvent>(event: T): Promise<T>;
  ready(): Promise<void>;
  onReady(hook: () => Promise<void>): void;
}

const internals = new WeakMap<EventStore, StoreInternals>();

/** Reachable through wrappers that forward unknown members (e.g. the server's tracing proxy). */
const INTERNALS = Symbol('cairn.store.internals');

export function storeInternals(store: EventStore): StoreInternals {
  const found = internals.get(store) ?? ((store as unknown as Record<symbol, StoreInternals | undefined>)[INTERNALS] as StoreInternals | undefined);
  if (found === undefined) throw new InvalidArgumentError('store', 'expected a store made by createEventStore (a Cairn store)');
  return found;
}

class BackedEventStore implements EventStore {
  readonly kind: string;
  readonly #backend: StoreBackend;
  readonly #limits: StoreLimits;
  /** Decrypt personal fields, then upcast: what every read applies. Undefined when there is nothing to do. */
  readonly #decode: (<T extends StoredEvent>(e: T) => Promise<T>) | undefined;
  readonly #cipher: PersonalDataCipher | undefined;
  readonly #upcastSync: <T extends StoredEvent>(e: T) => T;
  readonly #currentSchemaVersion: (type: string) => number;
  readonly #closing = new AbortController();
  readonly snapshots: SnapshotStore;
  readonly sql: SqlAccess | undefined;
  #migrated: Promise<void> | undefined;
  readonly #readyHooks: Array<() => Promise<void>> = [];
  #closed: Promise<void> | undefined;

  constructor(backend: StoreBackend, limits: StoreLimits, upcasters: UpcasterChain, cipher: PersonalDataCipher | undefined) {
    this.kind = backend.kind;
    this.#backend = backend;
    this.#limits = limits;
    this.#cipher = cipher;
    this.#upcastSync = upcasters.isEmpty ? (e) => e : (e) => upcasters.apply(e);
    this.#decode =
      upcasters.isEmpty && cipher === undefined
        ? undefined
        : async (e) => {
            const plain = cipher ? await cipher.decrypt(e) : e;
            return upcasters.isEmpty ? plain : upcasters.apply(plain);
          };
    this.#currentSchemaVersion = (type) => upcasters.latest(type) ?? 1;
    this.snapshots = createSnapshotStore(backend.snapshots, () => this.#ready());
    this.sql = backend.sql;
    const decode = this.#decode;
    internals.set(this, {
      backend,
      decode: (e) => (decode ? decode(e) : Promise.resolve(e)),
      ready: () => this.#ready(),
      onReady: (hook) => this.#readyHooks.push(hook),
    });
  }

  /** Pass each page through decryption and the upcaster chain (as it is when there is neither). */
  #decoded<T extends StoredEvent>(open: () => NextPage<StoredEvent>): () => NextPage<T> {
    const decode = this.#decode;
    if (decode === undefined) return open as unknown as () => NextPage<T>;
    return () => {
      const next = open();
      return async () => {
        const page = await next();
        if (page === undefined) return undefined;
        // Upcasting alone is synchronous: no promise per event unless there is something to decrypt.
        return (this.#cipher ? await Promise.all(page.map((e) => decode(e))) : page.map((e) => this.#upcastSync(e))) as T[];
      };
    };
  }

  get [INTERNALS](): StoreInternals | undefined {
    return internals.get(this);
  }

  migrate(): Promise<void> {
    this.#assertOpen('migrate');
    return this.#ready();
  }

  #ready(): Promise<void> {
    // Memoised so concurrent first calls share one migration; a failure is retried next time.
    this.#migrated ??= (async () => {
      await this.#backend.migrate();
      for (const hook of this.#readyHooks) await hook();
    })().catch((error: unknown) => {
      this.#migrated = undefined;
      throw error;
    });
    return this.#migrated;
  }

  #assertOpen(operation: string): void {
    if (this.#closed !== undefined) throw new StoreClosedError(operation);
  }

  append<E extends EventShape>(streamId: string, events: readonly EventInput<E>[], options?: AppendOptions): Promise<AppendResult>;
  append<E extends EventShape>(events: readonly EventInput<E>[], options: AppendOptions & { condition: AppendCondition }): Promise<AppendResult>;
  async append<E extends EventShape>(
    target: string | readonly EventInput<E>[],
    second?: readonly EventInput<E>[] | AppendOptions,
    third?: AppendOptions,
  ): Promise<AppendResult> {
    this.#assertOpen('append');
    let streamId: unknown = target;
    let events: unknown = second;
    let options = third;
    if (Array.isArray(target)) {
      events = target;
      options = second as AppendOptions | undefined;
      streamId = streamForTags((target[0] as EventInput | undefined)?.tags);
      if (options?.condition === undefined) throw new InvalidArgumentError('streamId', 'an append without a stream id needs a condition; otherwise name the stream');
      if (streamId === undefined) throw new InvalidArgumentError('events[0].tags', 'a stream-less append goes to the stream of its first tag, and the first event has none');
    }
    let request = prepareAppend(streamId, events, options, this.#limits, this.#currentSchemaVersion);
    await this.#ready();
    const cipher = this.#cipher;
    if (cipher && request.events.some((e) => cipher.covers(e.type))) {
      const id = request.streamId;
      const encrypted = await Promise.all(
        request.events.map(async (e, i) => (cipher.covers(e.type) ? { ...e, dataJson: await cipher.encrypt(e.type, id, e.eventId, e.dataJson, `events[${i}]`) } : e)),
      );
      request = { ...request, events: encrypted };
    }
    const first = request.events[0]?.recordedAt;
    if (first !== undefined) {
      // Safe without a lock: the exact expectedVersion makes any append in between fail.
      const info = await this.#backend.streamInfo(request.streamId);
      // A retry of an import that already landed is answered by the backend's duplicate check.
      const retry = info !== null && first < info.updatedAt && (await this.#backend.readByEventIds([request.events[0]?.eventId as string])).length > 0;
      if (info !== null && first < info.updatedAt && !retry) {
        throw new InvalidEventError('events[0].recordedAt', `(${first.toISOString()}) is earlier than the last event of "${request.streamId}" (${info.updatedAt.toISOString()})`);
      }
    }
    return this.#backend.append(request);
  }

  readStream<E extends EventShape = EventShape>(streamId: string, options: ReadStreamOptions = {}): EventStream<StoredEvent<E>> {
    this.#assertOpen('read a stream');
    validateStreamId(streamId, true);
    const open = this.#decoded<StoredEvent<E>>(readStreamPaged(this.#backend, streamId, options));
    return new PagedEventStream(async () => {
      await this.#ready();
      return open();
    });
  }

  readAll<E extends EventShape = EventShape>(options: ReadAllOptions = {}): EventStream<StoredEvent<E>> {
    this.#assertOpen('read the log');
    const open = this.#decoded<StoredEvent<E>>(readAllPaged(this.#backend, options));
    return new PagedEventStream(async () => {
      await this.#ready();
      return open();
    });
  }

  subscribe<E extends EventShape = EventShape>(options: SubscribeOptions = {}): AsyncIterable<StoredEvent<E>> {
    this.#assertOpen('subscribe');
    const open = this.#decoded<StoredEvent<E>>(subscribeToAll(this.#backend, options, this.#closing.signal));
    return {
      [Symbol.asyncIterator]: () =>
        new PageIterator(async () => {
          await this.#ready();
          return open();
        }),
    };
  }

  async read<E extends EventShape = EventShape>(options: ReadQueryOptions): Promise<QueryResult<E>> {
    this.#assertOpen('read by query');
    if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('options', 'expected { query, after?, limit? }');
    const query = validateQuery(options.query);
    const after = options.after === undefined ? 0n : validatePosition(options.after, 'after');
    const limit = validateCount(options.limit, 'limit', Number.MAX_SAFE_INTEGER);
    await this.#ready();
    const events: StoredEvent<E>[] = [];
    let cursor = after;
    let head = after;
    // Page by position; the last page's head covers everything up to it.
    for (;;) {
      const want = Math.min(DEFAULT_PAGE_SIZE, limit - events.length);
      const page = await this.#backend.readQueryPage({ query, after: cursor, limit: want });
      for (const e of page.events) events.push((this.#decode ? await this.#decode(e) : e) as StoredEvent<E>);
      head = page.head > head ? page.head : head;
      const last = page.events.at(-1);
      if (page.events.length < want || last === undefined) break;
      cursor = last.position;
      if (events.length >= limit) {
        head = last.position; // stopped early: nothing after the last event was looked at
        break;
      }
    }
    return { events, position: head };
  }

  async readEvent<E extends EventShape = EventShape>(eventId: string): Promise<StoredEvent<E> | null> {
    this.#assertOpen('read an event');
    const id = validateEventId(eventId, 'eventId');
    await this.#ready();
    const [event] = await this.#backend.readByEventIds([id]);
    if (event === undefined) return null;
    return (this.#decode ? await this.#decode(event) : event) as StoredEvent<E>;
  }

  async forget(subject: string, options: { reason?: string; actor?: string } = {}): Promise<ForgetResult> {
    this.#assertOpen('forget');
    if (typeof subject !== 'string' || subject.length === 0 || subject.length > 256) throw new InvalidArgumentError('subject', 'expected a non-empty string');
    await this.#ready();
    if (!this.#backend.keys) throw new InvalidArgumentError('subject', `the ${this.kind} store keeps no encryption keys`);
    const keyIds = this.#cipher ? await this.#cipher.forget(subject) : await this.#backend.keys.destroyKeys(subject);
    // The audit trail records that the subject was forgotten, not who they were beyond the id.
    const audit = await this.append(
      '$audit',
      [{ type: 'SubjectForgotten', data: { subject, keysDestroyed: keyIds.length, ...(options.reason ? { reason: options.reason } : {}) }, metadata: options.actor ? { actor: options.actor } : {} }],
      { system: true },
    );
    return { subject, keysDestroyed: keyIds.length, auditPosition: audit.position };
  }

  async verify(options: { onProgress?: (eventsChecked: number) => void } = {}): Promise<IntegrityReport> {
    this.#assertOpen('verify');
    await this.#ready();
    const backend = this.#backend;
    if (backend.integrityRows && backend.catalogueEntry) {
      const rows = backend.integrityRows.bind(backend);
      const pages = async function* () {
        let after: { streamId: string; version: number } | undefined;
        for (;;) {
          const page = await rows(after, 1000);
          if (page.length === 0) return;
          yield page;
          const last = page.at(-1) as IntegrityRow;
          after = { streamId: last.streamId, version: last.version };
        }
      };
      return verifyRows(pages(), (id) => (backend.catalogueEntry as NonNullable<StoreBackend['catalogueEntry']>)(id), options.onProgress);
    }
    return verifyStructure(this, options.onProgress);
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
