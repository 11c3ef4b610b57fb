import type { SnapshotBackend, StoredSnapshot } from '@cairn/core';
import type { Pool } from './driver.js';
import { translateError } from './errors.js';

export class PostgresSnapshots implements SnapshotBackend {
  readonly #pool: Pool;
  readonly #s: string;

  constructor(pool: Pool, schema: string) {
    this.#pool = pool;
    this.#s = `"${schema}"`;
  }

  async loadSnapshot(streamId: string, name: string): Promise<StoredSnapshot | null> {
    // state::text keeps the JSON text as stored; it is parsed once, by the caller.
    const { rows } = await this.#query<{ version: string; schema_version: number; state: string; created_at: Date }>(
      'load a snapshot',
      `SELECT version, schema_version, state::text AS state, created_at FROM ${this.#s}.snapshots WHERE stream_id = $1 AND name = $2`,
      [streamId, name],
    );
    const row = rows[0];
    return row ? { streamId, name, version: Number(row.version), schemaVersion: row.schema_version, stateJson: row.state, createdAt: row.created_at } : null;
  }

  async saveSnapshot(s: Omit<StoredSnapshot, 'createdAt'>): Promise<void> {
    await this.#query(
      'save a snapshot',
      `INSERT INTO ${this.#s}.snapshots AS t (stream_id, name, version, schema_version, state) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (stream_id, name) DO UPDATE SET version = excluded.version, schema_version = excluded.schema_version,
         state = excluded.state, created_at = now()
       WHERE excluded.version >= t.version OR excluded.schema_version <> t.schema_version`,
      [s.streamId, s.name, s.version, s.schemaVersion, s.stateJson],
    );
  }

  async deleteSnapshots(filter: { streamId?: string; name?: string }): Promise<number> {
    const { rowCount } = await this.#query(
      'delete snapshots',
      `DELETE FROM ${this.#s}.snapshots WHERE ($1::text IS NULL OR stream_id = $1) AND ($2::text IS NULL OR name = $2)`,
      [filter.streamId ?? null, filter.name ?? null],
    );
    return rowCount ?? 0;
  }

  async #query<Row>(operation: string, text: string, values: unknown[]) {
    try {
      return await this.#pool.query<Row>({ text, values });
    } catch (error) {
      throw translateError(error, operation);
    }
  }
}
