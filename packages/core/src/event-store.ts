import type { SnapshotStore } from './snapshots/snapshot-store.js';
import type { IntegrityReport } from './integrity.js';
import type { ForgetResult } from './privacy/personal-data.js';
import type { SqlAccess } from './sql.js';
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

/**
 * The event store contract. Every store (memory, SQLite, PostgreSQL) implements it with
 * the same semantics, checked by the conformance suite in `@cairn/testing`.
 *
 * @example
 * const r = await store.append('account-42', [{ type: 'AccountOpened', data: { owner: 'Ada' } }], {
 *   expectedVersion: 'no-stream',
 * });
 * for await (const e of store.readStream('account-42')) console.log(e.version, e.type);
 */
export interface EventStore {
  /** Which backend this is: 'memory', 'sqlite' or 'postgres'. */
  readonly kind: string;

  /** Create or upgrade the schema. Idempotent; also runs lazily on first use. */
  migrate(): Promise<void>;

  /**
   * Append events to one stream atomically. Throws `ConcurrencyError` when `expectedVersion`
   * does not hold. Resending events whose ids are already stored with the same content is a
   * no-op returning the original result.
   */
  append<E extends EventShape>(streamId: string, events: readonly EventInput<E>[], options?: AppendOptions): Promise<AppendResult>;
  /**
   * A stream-less append (Dynamic Consistency Boundaries): the events go to the stream named
   * after the first event's first tag (`course:c1` → `course-c1`), guarded by the condition.
   */
  append<E extends EventShape>(events: readonly EventInput<E>[], options: AppendOptions & { condition: AppendCondition }): Promise<AppendResult>;

  /**
   * Events matching a query over types and tags, across streams, in position order, and the
   * position to pass as `condition.after` so that an append fails if anything matching happened since.
   */
  read<E extends EventShape = EventShape>(options: ReadQueryOptions): Promise<QueryResult<E>>;

  /** Read one stream's events in version order. Pages under the hood. */
  readStream<E extends EventShape = EventShape>(streamId: string, options?: ReadStreamOptions): EventStream<StoredEvent<E>>;

  /** Read the global log in position order, never passing an event whose commit is still pending. */
  readAll<E extends EventShape = EventShape>(options?: ReadAllOptions): EventStream<StoredEvent<E>>;

  /**
   * Catch up from `after`, then follow new events live. Every committed event matching the
   * filter is delivered exactly once, in position order, however many writers commit at once.
   */
  subscribe<E extends EventShape = EventShape>(options?: SubscribeOptions): AsyncIterable<StoredEvent<E>>;

  /** One event by its id (upcast like every read), or null. */
  readEvent<E extends EventShape = EventShape>(eventId: string): Promise<StoredEvent<E> | null>;

  /** Snapshot storage for model states (used by the command handler's snapshot policies). */
  readonly snapshots: SnapshotStore;

  /** SQL on the store's own database (SQLite, PostgreSQL), for read models; undefined on the memory store. */
  readonly sql: SqlAccess | undefined;

  /**
   * Crypto-shredding: destroy the subject's keys, so its personal fields read as `[redacted]`
   * everywhere (reads, projections, exports) while every other field, version and position
   * stays. Records a `SubjectForgotten` event in the `$audit` stream.
   */
  forget(subject: string, options?: { reason?: string; actor?: string }): Promise<ForgetResult>;

  /**
   * Check the whole store: versions contiguous per stream, every event's hash chain link
   * recomputed from its stored bytes, the stream catalogue in line. Reports the first problem.
   */
  verify(options?: { onProgress?: (eventsChecked: number) => void }): Promise<IntegrityReport>;

  /** The stream's version and positions, or null when it does not exist. */
  streamInfo(streamId: string): Promise<StreamInfo | null>;

  /** Streams in id order, filtered by prefix or category. */
  listStreams(options?: ListStreamsOptions): Promise<StreamInfo[]>;

  /** The position of the newest event whose commit is settled (0n for an empty store). */
  headPosition(): Promise<Position>;

  /** Release connections and stop subscriptions. Appends after close throw `StoreClosedError`. */
  close(): Promise<void>;
}
