/** Global order of an event across all streams. A `bigint`, so it never loses precision. */
export type Position = bigint;

/**
 * What an append expects of its stream:
 * - a number: the stream is exactly at that version (0 = it does not exist yet);
 * - `'no-stream'`: the stream does not exist;
 * - `'exists'`: the stream has at least one event;
 * - `'any'`: no check.
 */
export type ExpectedVersion = number | 'any' | 'no-stream' | 'exists';

/** Free-form metadata stored beside an event. The named keys are conventions Cairn understands. */
export interface EventMetadata {
  correlationId?: string;
  causationId?: string;
  actor?: string;
  tenant?: string;
  [key: string]: unknown;
}

/** The domain part of an event: a type and its data. Discriminated unions of these type a domain. */
export interface EventShape {
  type: string;
  data: unknown;
}

/** An event as handed to `append`. */
export type EventInput<E extends EventShape = EventShape> = E & {
  /** A UUID. Supply it to make retries idempotent; generated when absent. */
  id?: string;
  metadata?: EventMetadata;
  /** Tags such as `user:42`, for rules that span streams. */
  tags?: readonly string[];
  /** The version of this event type's data schema. Default: the newest the store's upcasters know, else 1. */
  schemaVersion?: number;
  /**
   * When the event happened, for imports and backfills that keep original times. Give it on
   * every event of the append or on none, never in the future, never earlier than the
   * stream's last event, and with an exact `expectedVersion` (a number or 'no-stream').
   */
  recordedAt?: Date;
};

/** An event as stored and read back. */
export type StoredEvent<E extends EventShape = EventShape> = E & {
  streamId: string;
  /** 1-based, gap-free within the stream. */
  version: number;
  position: Position;
  eventId: string;
  schemaVersion: number;
  metadata: EventMetadata;
  tags: readonly string[];
  recordedAt: Date;
};

/**
 * One item of a query over tags: an event matches it when its type is one of `types` (if
 * given) and it carries every tag of `tags` (if given). Give at least one of them.
 */
export interface QueryItem {
  types?: readonly string[];
  tags?: readonly string[];
}

/** Events matching any of the items. */
export type Query = readonly QueryItem[];

/** Commit only if no event matching `failIfEventsMatch` was committed after `after`. */
export interface AppendCondition {
  failIfEventsMatch: Query;
  /** The position returned by the `read` the decision was based on. Default 0n: no matching event may exist at all. */
  after?: Position;
}

export interface ReadQueryOptions {
  query: Query;
  /** Only events after this position. Default 0n. */
  after?: Position;
  limit?: number;
}

export interface QueryResult<E extends EventShape = EventShape> {
  /** Matching events in position order. */
  events: StoredEvent<E>[];
  /** Use as `condition.after` to append only if nothing matching has happened since this read. */
  position: Position;
}

export interface AppendOptions {
  /** Defaults to `'any'`. */
  expectedVersion?: ExpectedVersion;
  /** A rule across streams (Dynamic Consistency Boundary): refuse the append if matching events were committed after a position. */
  condition?: AppendCondition;
  /** Allow a `$`-prefixed system stream (Cairn's own: API keys, audit). Not for application events. */
  system?: boolean;
}

export interface AppendResult {
  streamId: string;
  /** The stream's version after the append: the version of its last event. */
  version: number;
  /** The position of the last event appended. Events of one append have contiguous positions. */
  position: Position;
}

export type Direction = 'forward' | 'backward';

export interface ReadStreamOptions {
  /** First version to read (inclusive). Defaults to 1 forward, the last version backward. */
  from?: number;
  /** Last version to read (inclusive). */
  to?: number;
  direction?: Direction;
  /** Read at most this many events. */
  limit?: number;
  /** Only events recorded at or before this instant: the stream as it was then. */
  until?: Date;
  /** Events fetched per round trip. Internal tuning; the default suits most reads. */
  pageSize?: number;
}

export interface ReadAllOptions {
  /** Read events after this position (exclusive). Defaults to 0n: from the beginning. */
  after?: Position;
  /** Only events of these types. */
  types?: readonly string[];
  /** Only events of streams in these categories (the part of the stream id before the first `-`). */
  categories?: readonly string[];
  limit?: number;
  pageSize?: number;
  /** Include events of `$`-prefixed system streams. Default false. */
  includeSystem?: boolean;
}

export interface SubscribeOptions {
  /** Deliver events after this position; `'end'` starts at the current end of the log (live only). Defaults to 0n. */
  after?: Position | 'end';
  types?: readonly string[];
  categories?: readonly string[];
  /** Stops the subscription; the iterator ends without error. `break` works too. */
  signal?: AbortSignal;
  /** Events fetched per round trip while catching up. */
  batchSize?: number;
  /** Safety-net poll interval when no wake-up arrives, in ms. */
  pollIntervalMs?: number;
  /** Include events of `$`-prefixed system streams. Default false. */
  includeSystem?: boolean;
}

export interface StreamInfo {
  streamId: string;
  category: string;
  version: number;
  /** Position of the stream's last event. */
  position: Position;
  createdAt: Date;
  updatedAt: Date;
}

export interface ListStreamsOptions {
  /** Only streams whose id starts with this. */
  prefix?: string;
  category?: string;
  /** Keyset paging: streams whose id sorts after this one. */
  afterStreamId?: string;
  limit?: number;
  /** Include `$`-prefixed system streams. Default false. */
  includeSystem?: boolean;
}

/** An async iterable of events that can also be gathered into an array. */
export interface EventStream<T> extends AsyncIterable<T> {
  toArray(): Promise<T[]>;
}
