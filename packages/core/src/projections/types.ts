import type { EventStore } from '../event-store.js';
import type { SqlExecutor } from '../sql.js';
import type { EventShape, Position, StoredEvent } from '../types.js';

/** What a projection's handlers get besides the event. */
export interface ProjectionContext {
  /**
   * The transaction the checkpoint is written in (SQL stores), so a read-model change and
   * the checkpoint commit together or not at all. Undefined on the memory store.
   */
  sql: SqlExecutor | undefined;
  /** The generation being built: each rebuild builds a new one beside the live one. */
  generation: number;
  /** `table('account_summaries')` → `account_summaries_g3`: this generation's table. */
  table(base: string): string;
  /** The store, for lookups (never append from a projection). */
  store: EventStore;
}

export interface SetupContext {
  sql: SqlExecutor | undefined;
  generation: number;
  table(base: string): string;
}

/**
 * A read model kept up to date from events.
 *
 * @example
 * const balances = defineProjection({
 *   name: 'balances',
 *   tables: ['balances'],
 *   setup: ({ sql, table }) => sql!.query(`CREATE TABLE IF NOT EXISTS ${table('balances')} (account text PRIMARY KEY, cents bigint NOT NULL)`),
 *   handlers: {
 *     MoneyDeposited: (e, { sql, table }) => sql!.query(`INSERT INTO ${table('balances')} VALUES ($1, $2)
 *       ON CONFLICT (account) DO UPDATE SET cents = ${table('balances')}.cents + excluded.cents`, [e.streamId, e.data.amountCents]),
 *   },
 * });
 */
export interface Projection<E extends EventShape = EventShape> {
  name: string;
  /** Bump when handlers change meaning: a new generation is rebuilt beside the live one and takes over. Default 1. */
  version?: number;
  /** Event types to receive. Default: the keys of `handlers`, or all events with `handle`. */
  types?: readonly string[];
  categories?: readonly string[];
  /**
   * Tables this projection owns, by base name. Each generation gets `base_g<N>`; the live
   * one is also reachable as a view named `base`, switched atomically after a rebuild.
   */
  tables?: readonly string[];
  /** Create this generation's read model (idempotent). */
  setup?(ctx: SetupContext): Promise<unknown> | unknown;
  /** Drop a retired generation's read model. Default: drop its `tables`. */
  teardown?(ctx: SetupContext): Promise<unknown> | unknown;
  /** One handler per event type… */
  handlers?: { [type: string]: (event: StoredEvent<E>, ctx: ProjectionContext) => Promise<unknown> | unknown };
  /** …or one handler for everything. */
  handle?(event: StoredEvent<E>, ctx: ProjectionContext): Promise<unknown> | unknown;
  /** Split the work over this many partitions by stream id; runners share them. Default 1. */
  partitions?: number;
  /** Where a brand-new projection starts: the beginning of the log (default) or its current end. */
  startFrom?: 'beginning' | 'now';
  /**
   * Default true on SQL stores: each page is handled in one transaction with the checkpoint
   * (exactly-once effect on a read model in the same database). Set false for projections
   * whose effects are elsewhere — publishing to a broker, calling services, or appending
   * commands as a process manager: they get at-least-once delivery (use the event id to
   * deduplicate) and hold no database transaction while they work.
   */
  transactional?: boolean;
}

export type ProjectionStatus = 'building' | 'live' | 'retired';

export interface GenerationState {
  name: string;
  generation: number;
  definitionVersion: number;
  status: ProjectionStatus;
  partitions: number;
  paused: boolean;
  /** The event types and categories the projection reads, so status can count its lag without its code. */
  filter?: { types?: readonly string[]; categories?: readonly string[] };
}

/** What `status()` reports per projection generation. */
export interface ProjectionReport extends GenerationState {
  /** Lowest checkpoint over its partitions. */
  position: Position;
  /** Settled head of the log. */
  head: Position;
  /** Events after the checkpoint (counted up to 100,000). */
  eventsBehind: number;
  /** Age of the oldest unprocessed event, in seconds (0 when caught up). */
  secondsBehind: number;
  /** Partitions this process is running. */
  runningHere: number[];
  deadLetters: number;
  /** For a generation being built: how far it is, 0..1. */
  progress: number;
}

export interface DeadLetter {
  id: string;
  projection: string;
  generation: number;
  partition: number;
  position: Position;
  eventId: string;
  streamId: string;
  type: string;
  error: string;
  attempts: number;
  /** 'replay-requested': asked for through the admin API; a runner of the projection replays it. */
  status: 'parked' | 'replay-requested' | 'replayed' | 'skipped';
  createdAt: Date;
  updatedAt: Date;
}
