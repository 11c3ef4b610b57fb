import { InvalidArgumentError } from '../errors.js';

/** What a policy knows when it decides whether to save a snapshot. */
export interface SnapshotContext {
  /** The stream version the state now covers. */
  version: number;
  /** The version of the snapshot it was loaded from (0 when none). */
  snapshotVersion: number;
  /** Events replayed by the last load. */
  eventsReplayed: number;
  /** How long the last load took, in ms. */
  loadMs: number;
}

export type SnapshotPolicy = (context: SnapshotContext) => boolean;

/** Snapshot whenever `n` events have accumulated since the last snapshot. */
export function snapshotEvery(n: number): SnapshotPolicy {
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('snapshotEvery', 'expected a positive integer');
  return ({ version, snapshotVersion }) => version - snapshotVersion >= n;
}

/** Snapshot when a load replayed at least `events` events or took at least `ms`. */
export function snapshotWhenLoadCosts(limit: { events?: number; ms?: number }): SnapshotPolicy {
  if (limit.events === undefined && limit.ms === undefined) throw new InvalidArgumentError('snapshotWhenLoadCosts', 'give events, ms or both');
  return ({ eventsReplayed, loadMs }) => (limit.events !== undefined && eventsReplayed >= limit.events) || (limit.ms !== undefined && loadMs >= limit.ms);
}
