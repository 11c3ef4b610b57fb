import type { IntegrityRow } from './integrity.js';
import type { SqlAccess, SqlExecutor } from './sql.js';
import type { AppendResult, Direction, ExpectedVersion, Position, Query, StoredEvent, StreamInfo } from './types.js';

/**
 * The part of the contract a database has to provide. `createEventStore(backend)` wraps a
 * backend with validation, serialization, paging, subscriptions and lifecycle, so every
 * store shares those semantics and a backend only talks to its database.
 */
export interface StoreBackend {
  readonly kind: string;
  /** Create or upgrade the schema; idempotent and safe to call from several processes at once. */
  migrate(): Promise<void>;
  /**
   * Append atomically. Must throw `ConcurrencyError` on a version mismatch and, when an event
   * id is already stored, return `resolveDuplicateAppend(request, storedEvents)`.
   */
  append(request: AppendRequest): Promise<AppendResult>;
  /** One page of a stream, in the requested direction. */
  readStreamPage(request: StreamPageRequest): Promise<StoredEvent[]>;
  /** One page of the global log; see `AllPage` for the gap-free rule. */
  readAllPage(request: AllPageRequest): Promise<AllPage>;
  /** One page of the events matching a query, bounded by the settled head like `readAllPage`. */
  readQueryPage(request: QueryPageRequest): Promise<AllPage>;
  /** Stored events with these ids, in any order (used to answer idempotent retries). */
  readByEventIds(eventIds: readonly string[]): Promise<StoredEvent[]>;
  streamInfo(streamId: string): Promise<StreamInfo | null>;
  listStreams(request: ListStreamsRequest): Promise<StreamInfo[]>;
  /** Highest settled position: every event at or below it that will ever be visible is visible now. */
  headPosition(): Promise<Position>;
  /** Wake-ups for subscribers when new events may have been committed. */
  readonly wakeups: Wakeups;
  /** Snapshot storage (a cache of model states). */
  readonly snapshots: SnapshotBackend;
  /** SQL access for projections and read models, when the store is a SQL database. */
  readonly sql?: SqlAccess;
  /**
   * Run `handler` inside every append's transaction, after the events are written and before
   * commit; a throw rolls the append back. Used for inline projections.
   */
  setInlineHandler?(handler: InlineHandler): void;
  /** Events in (stream id, version) order after `after`, with their stored chain fields and hash. For `verify`. */
  integrityRows?(after: { streamId: string; version: number } | undefined, limit: number): Promise<IntegrityRow[]>;
  /** Per-subject encryption keys for personal data (crypto-shredding). */
  readonly keys?: KeyBackend;
  /** A stream's catalogue entry as stored, for `verify`. */
  catalogueEntry?(streamId: string): Promise<{ version: number; lastHash: string | null } | null>;
  close(): Promise<void>;
}

export type InlineHandler = (events: readonly StoredEvent[], tx: SqlExecutor | undefined) => Promise<void>;

/** Events whose stream id hashes (FNV-1a, see `partitionOf`) to `index` modulo `count`. */
export interface PartitionFilter {
  count: number;
  index: number;
}

export interface StoredSnapshot {
  streamId: string;
  name: string;
  version: number;
  schemaVersion: number;
  stateJson: string;
  createdAt: Date;
}

export interface SnapshotBackend {
  loadSnapshot(streamId: string, name: string): Promise<StoredSnapshot | null>;
  /** Upsert, unless the stored one has the same schemaVersion and a higher version. */
  saveSnapshot(snapshot: Omit<StoredSnapshot, 'createdAt'>): Promise<void>;
  deleteSnapshots(filter: { streamId?: string; name?: string }): Promise<number>;
}

/** An event after validation and serialization, ready to insert. */
export interface PreparedEvent {
  eventId: string;
  type: string;
  schemaVersion: number;
  dataJson: string;
  metadataJson: string;
  tags: readonly string[];
  /** Only for imports that keep original times; otherwise the store's clock decides. */
  recordedAt?: Date;
}

export interface AppendRequest {
  streamId: string;
  expectedVersion: ExpectedVersion;
  events: readonly PreparedEvent[];
  /** Refuse with a 'condition' ConcurrencyError when an event matching `query` was committed after `after`. */
  condition?: { query: Query; after: Position };
}

export interface QueryPageRequest {
  query: Query;
  after: Position;
  limit: number;
}

export interface StreamPageRequest {
  streamId: string;
  /** Inclusive bounds, already ordered for the direction: forward reads versions from..to ascending. */
  fromVersion: number;
  toVersion: number;
  direction: Direction;
  limit: number;
  until?: Date;
}

export interface AllPageRequest {
  /** Exclusive lower bound. */
  after: Position;
  limit: number;
  types?: readonly string[];
  categories?: readonly string[];
  /** When false, events of `$`-prefixed streams are left out. */
  includeSystem: boolean;
  partition?: PartitionFilter;
  /**
   * A head this reader got from an earlier page: positions up to it are settled for good, so
   * while `after` is below it the backend may skip working out the head again.
   */
  knownHead?: Position;
}

/**
 * A page of the global log. `head` is the highest settled position at the time of the read.
 * A backend must never return an event above a position that may still be filled by a
 * commit in flight; when fewer than `limit` events come back, the reader may resume after
 * `head` without missing anything.
 */
export interface AllPage {
  events: StoredEvent[];
  head: Position;
}

export interface ListStreamsRequest {
  prefix?: string;
  category?: string;
  afterStreamId?: string;
  limit: number;
  includeSystem: boolean;
}

/** A counter of "something may have changed" signals that subscribers can wait on. */
export interface Wakeups {
  /** Increases on every wake-up. Read it before querying, then wait for it to move. */
  readonly seq: number;
  /** Resolves once `seq` differs from `since`, after `timeoutMs`, or when `signal` aborts. */
  wait(since: number, timeoutMs: number, signal?: AbortSignal): Promise<void>;
}

/**
 * Storage of per-subject keys. `createKey` must be safe when two processes create a key for
 * the same subject at once: one wins and both get the winner. Destroying deletes the key
 * material for good.
 */
export interface KeyBackend {
  activeKey(subject: string): Promise<{ keyId: string; material: Uint8Array } | null>;
  createKey(subject: string, keyId: string, material: Uint8Array): Promise<{ keyId: string; material: Uint8Array }>;
  keyById(keyId: string): Promise<Uint8Array | null>;
  /** Destroy every key of the subject; returns the ids destroyed. */
  destroyKeys(subject: string): Promise<string[]>;
}
