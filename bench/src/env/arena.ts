import type { EventStore } from '@cairn/core';
import type { MoneyDeposited } from '../payload.js';
import type { Subject } from '../subject.js';

export type StoreKind = 'sqlite' | 'postgres';

/** Where one workload's data lives, so a child process (W6) can open the same store and raw table. */
export type Location =
  | { kind: 'postgres'; url: string; storeSchema: string; rawSchema: string }
  | { kind: 'sqlite'; storePath: string; rawPath: string; synchronous: 'full' | 'normal' };

export interface LoadRow {
  streamId: string;
  version: number;
  data: MoneyDeposited;
}

/**
 * Fresh, empty database objects for one workload: a Cairn store and a raw table beside it.
 * Every workload gets its own, so table size left behind by one never slows the next, and
 * `dispose` drops them all.
 */
export interface Arena {
  readonly store: EventStore;
  readonly storeSide: Subject;
  readonly rawSide: Subject;
  readonly location: Location;
  /** Another store instance on the same data, as a second process would open it (W7). */
  openSecondStore(): EventStore;
  /** Setup only: fill the raw table fast (W6). */
  rawBulkLoad(rows: readonly LoadRow[]): Promise<void>;
  dispose(): Promise<void>;
}

export interface LongTransaction {
  pid: number;
  database: string;
  application: string;
  /** How long it had held its transaction id when last seen. */
  ms: number;
  query: string;
}

/** The database a run measures, described for the table and the JSON. */
export interface StoreDescription {
  kind: StoreKind;
  version: string;
  durability: string;
  details: Record<string, string>;
}

export interface BenchEnv {
  readonly kind: StoreKind;
  describe(): Promise<StoreDescription>;
  arena(workloadId: string): Promise<Arena>;
  /**
   * Start noting transactions anywhere in the database cluster that hold a transaction id for
   * long (PostgreSQL only): Cairn's readers wait for them by design, so they explain a W7 tail.
   * `stop()` returns one entry per such transaction.
   */
  watchLongTransactions?(thresholdMs: number): { stop(): Promise<LongTransaction[]> };
  close(): Promise<void>;
}
