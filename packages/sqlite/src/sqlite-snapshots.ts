import type { SnapshotBackend, StoredSnapshot } from '@cairn/core';
import type { Database } from './driver.js';
import { translateError } from './errors.js';

interface Row {
  version: number;
  schema_version: number;
  state: string;
  created_at: number;
}

export class SqliteSnapshots implements SnapshotBackend {
  readonly #db: () => Database;

  constructor(db: () => Database) {
    this.#db = db;
  }

  async loadSnapshot(streamId: string, name: string): Promise<StoredSnapshot | null> {
    const row = this.#run('load a snapshot', () =>
      this.#db().prepare<Row>('SELECT version, schema_version, state, created_at FROM cairn_snapshots WHERE stream_id = ? AND name = ?').get(streamId, name),
    );
    return row ? { streamId, name, version: row.version, schemaVersion: row.schema_version, stateJson: row.state, createdAt: new Date(row.created_at) } : null;
  }

  async saveSnapshot(s: Omit<StoredSnapshot, 'createdAt'>): Promise<void> {
    this.#run('save a snapshot', () =>
      this.#db()
        .prepare(
          `INSERT INTO cairn_snapshots (stream_id, name, version, schema_version, state, created_at) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (stream_id, name) DO UPDATE SET version = excluded.version, schema_version = excluded.schema_version,
             state = excluded.state, created_at = excluded.created_at
           WHERE excluded.version >= cairn_snapshots.version OR excluded.schema_version <> cairn_snapshots.schema_version`,
        )
        .run(s.streamId, s.name, s.version, s.schemaVersion, s.stateJson, Date.now()),
    );
  }

  async deleteSnapshots(filter: { streamId?: string; name?: string }): Promise<number> {
    return this.#run('delete snapshots', () =>
      this.#db()
        .prepare('DELETE FROM cairn_snapshots WHERE (? IS NULL OR stream_id = ?) AND (? IS NULL OR name = ?)')
        .run(filter.streamId ?? null, filter.streamId ?? null, filter.name ?? null, filter.name ?? null).changes,
    );
  }

  #run<T>(operation: string, fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      throw translateError(error, operation);
    }
  }
}
