import { InvalidArgumentError } from '../errors.js';
import type { EventStore } from '../event-store.js';
import type { EventShape } from '../types.js';
import type { Decider } from './decider.js';
import type { SnapshotPolicy } from './snapshot-policy.js';

export interface SnapshotOptions<State> {
  /** When to save: `snapshotEvery(100)`, `snapshotWhenLoadCosts({ ms: 20 })`, or your own. */
  policy: SnapshotPolicy;
  /** The version of the state's shape. Bump it when State changes: older snapshots are then ignored and replaced. Default 1. */
  schemaVersion?: number;
  /** State → JSON-serializable data. Default: the state itself. */
  toSnapshot?(state: State): unknown;
  /** Data → state, at the stream version the snapshot covers. Default: the data itself. */
  fromSnapshot?(data: unknown, version: number): State;
}

export interface Loaded<State> {
  state: State;
  /** Stream version the state covers (0 = the stream does not exist). */
  version: number;
  /** Version of the snapshot the load started from (0 = none). */
  snapshotVersion: number;
  eventsReplayed: number;
  loadMs: number;
}

export type TimePoint = { version: number } | { at: Date };

/**
 * Snapshot (if any, of the right schema) + the events after it. When the policy asks, the
 * loaded state is saved as the new snapshot: it was folded from stored events only, so a
 * snapshot always equals a replay.
 */
export async function loadState<State, Event extends EventShape>(
  store: EventStore,
  decider: Decider<State, never, Event> | Decider<State, any, Event>,
  streamId: string,
  name: string,
  snapshots: SnapshotOptions<State> | undefined,
): Promise<Loaded<State>> {
  const started = performance.now();
  let state = decider.initialState();
  let version = 0;
  let snapshotVersion = 0;
  const schemaVersion = snapshots?.schemaVersion ?? 1;
  if (snapshots) {
    const snapshot = await store.snapshots.load(streamId, name);
    if (snapshot !== null && snapshot.schemaVersion === schemaVersion) {
      state = snapshots.fromSnapshot ? snapshots.fromSnapshot(snapshot.state, snapshot.version) : (snapshot.state as State);
      version = snapshotVersion = snapshot.version;
    }
  }
  let eventsReplayed = 0;
  for await (const event of store.readStream<Event>(streamId, { from: version + 1 })) {
    state = decider.evolve(state, event);
    version = event.version;
    eventsReplayed++;
  }
  const loadMs = performance.now() - started;
  if (snapshots && version > snapshotVersion && snapshots.policy({ version, snapshotVersion, eventsReplayed, loadMs })) {
    const data = snapshots.toSnapshot ? snapshots.toSnapshot(state) : state;
    await store.snapshots.save({ streamId, name, version, schemaVersion, state: data });
  }
  return { state, version, snapshotVersion, eventsReplayed, loadMs };
}

/** Time travel: fold a stream up to a version or an instant. Snapshots are not used, so any point is exact. */
export async function stateAt<State, Event extends EventShape>(
  store: EventStore,
  decider: Decider<State, any, Event>,
  streamId: string,
  point: TimePoint,
): Promise<{ state: State; version: number }> {
  let options;
  if ('version' in point && point.version !== undefined) {
    if (!Number.isSafeInteger(point.version) || point.version < 0) throw new InvalidArgumentError('version', 'expected a stream version of 0 or more');
    options = { to: point.version };
  } else if ('at' in point && point.at instanceof Date && !Number.isNaN(point.at.getTime())) {
    options = { until: point.at };
  } else {
    throw new InvalidArgumentError('point', 'expected { version: number } or { at: Date }');
  }
  let state = decider.initialState();
  let version = 0;
  if (options.to === 0) return { state, version };
  for await (const event of store.readStream<Event>(streamId, options)) {
    state = decider.evolve(state, event);
    version = event.version;
  }
  return { state, version };
}
