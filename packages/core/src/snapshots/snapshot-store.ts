import type { SnapshotBackend } from '../backend.js';
import { InvalidArgumentError } from '../errors.js';
import { validateStreamId } from '../validate.js';

/** A cached state of one model over one stream. Snapshots are a cache: deleting them all changes no result. */
export interface Snapshot<S = unknown> {
  streamId: string;
  /** Which model the state belongs to (a decider's or aggregate's name): one stream may have several. */
  name: string;
  /** The stream version the state covers. */
  version: number;
  /** The version of the state's shape. A snapshot with another schemaVersion is ignored and replaced. */
  schemaVersion: number;
  state: S;
  createdAt: Date;
}

export interface SnapshotStore {
  load<S = unknown>(streamId: string, name: string): Promise<Snapshot<S> | null>;
  /** Keep this snapshot unless a newer one (higher version, same schemaVersion) is stored. */
  save<S>(snapshot: Omit<Snapshot<S>, 'createdAt'>): Promise<void>;
  /** Delete snapshots; with no filter, all of them. Returns how many went. */
  delete(filter?: { streamId?: string; name?: string }): Promise<number>;
}

export function createSnapshotStore(backend: SnapshotBackend, ready: () => Promise<void>): SnapshotStore {
  return {
    async load<S>(streamId: string, name: string): Promise<Snapshot<S> | null> {
      validateStreamId(streamId, true);
      await ready();
      const row = await backend.loadSnapshot(streamId, name);
      if (row === null) return null;
      return { streamId, name, version: row.version, schemaVersion: row.schemaVersion, state: JSON.parse(row.stateJson) as S, createdAt: row.createdAt };
    },
    async save<S>(snapshot: Omit<Snapshot<S>, 'createdAt'>): Promise<void> {
      validateStreamId(snapshot.streamId, true);
      if (!Number.isSafeInteger(snapshot.version) || snapshot.version < 1) throw new InvalidArgumentError('snapshot.version', 'expected a stream version of 1 or more');
      if (!Number.isSafeInteger(snapshot.schemaVersion) || snapshot.schemaVersion < 1) throw new InvalidArgumentError('snapshot.schemaVersion', 'expected a positive integer');
      const stateJson = JSON.stringify(snapshot.state);
      if (stateJson === undefined) throw new InvalidArgumentError('snapshot.state', 'is not JSON-serializable');
      await ready();
      await backend.saveSnapshot({ streamId: snapshot.streamId, name: snapshot.name, version: snapshot.version, schemaVersion: snapshot.schemaVersion, stateJson });
    },
    async delete(filter = {}): Promise<number> {
      await ready();
      return backend.deleteSnapshots(filter);
    },
  };
}
