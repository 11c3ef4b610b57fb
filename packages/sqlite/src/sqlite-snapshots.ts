import type { SnapshotBackend, StoredSnapshot } from '@cairn/core';
import type { SqliteSqlAccess } from './sqlite-sql-access.js';

interface Row {
  version: number;
  schema_version: number;
  state: string;
  created_at: number;
}

export class SqliteSnapshots implements SnapshotBackend {
  readonly #sql: SqliteSqlAccess;

  constructor(sql: SqliteSqlAccess) {
    this.#sql = sql;
  }

  async loadSnapshot(streamId: string, name: string): Promise<StoredSnapshot | null> {
    const [row] = await this.#sql.query<Row>('SELECT version, schema_version, state, created_at FROM cairn_snapshots WHERE stream_id = $1 AND name = $2', [streamId, name]);
    return row ? { streamId, name, version: row.version, schemaVersion: row.schema_version, stateJson: row.state, createdAt: new Date(row.created_at) } : null;
  }

  async saveSnapshot(s: Omit<StoredSnapshot, 'createdAt'>): Promise<void> {
    await this.#sql.query(
      `INSERT INTO cairn_snapshots (stream_id, name, version, schema_version, state, created_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (stream_id, name) DO UPDATE SET version = excluded.version, schema_version = excluded.schema_version,
         state = excluded.state, created_at = excluded.created_at
       WHERE excluded.version >= cairn_snapshots.version OR excluded.schema_version <> cairn_snapshots.schema_version`,
      [s.streamId, s.name, s.version, s.schemaVersion, s.stateJson, Date.now()],
    );
  }

  async deleteSnapshots(filter: { streamId?: string; name?: string }): Promise<number> {
    const rows = await this.#sql.query(
      'DELETE FROM cairn_snapshots WHERE ($1 IS NULL OR stream_id = $1) AND ($2 IS NULL OR name = $2) RETURNING 1',
      [filter.streamId ?? null, filter.name ?? null],
    );
    return rows.length;
  }
}
