import type { MoneyDeposited } from './payload.js';

/**
 * One side of a comparison: the Cairn store, or the raw ceiling (bare driver, simplest
 * schema). Workloads W1–W5 are written once against this interface and run on both sides,
 * so the only difference between the two numbers is what sits under it.
 */
export interface Subject {
  readonly side: 'store' | 'raw';
  /**
   * Append one event at exactly `expectedVersion` (0 = the stream is new). Resolves false on
   * a version conflict (the store's ConcurrencyError, the raw table's unique violation).
   */
  appendOne(streamId: string, expectedVersion: number, data: MoneyDeposited): Promise<boolean>;
  /** Append a batch atomically at exactly `expectedVersion`. */
  appendBatch(streamId: string, expectedVersion: number, batch: readonly MoneyDeposited[]): Promise<void>;
  /** Read a whole stream in version order, handing each event to `onEvent`; resolves to the count. */
  readStream(streamId: string, onEvent: (version: number, data: MoneyDeposited) => void): Promise<number>;
  /** The stream's current version, 0 when absent: W5's reload before a retry. */
  version(streamId: string): Promise<number>;
  /**
   * Cumulative CPU milliseconds per database backend (pid → ms) serving this side, when they
   * can be observed (PostgreSQL on this machine, via /proc); undefined otherwise. Diagnostics only.
   */
  serverCpuMs?: () => Promise<ReadonlyMap<number, number> | undefined>;
}
