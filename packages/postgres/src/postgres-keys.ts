import type { KeyBackend } from '@cairn/core';
import type { PostgresSqlAccess } from './postgres-sql-access.js';

export class PostgresKeys implements KeyBackend {
  readonly #sql: PostgresSqlAccess;
  readonly #t: string;

  constructor(sql: PostgresSqlAccess) {
    this.#sql = sql;
    this.#t = sql.table('subject_keys');
  }

  async activeKey(subject: string): Promise<{ keyId: string; material: Uint8Array } | null> {
    const [row] = await this.#sql.query<{ key_id: string; material: Uint8Array }>(`SELECT key_id, material FROM ${this.#t} WHERE subject = $1 AND destroyed_at IS NULL`, [subject]);
    return row ? { keyId: row.key_id, material: new Uint8Array(row.material) } : null;
  }

  async createKey(subject: string, keyId: string, material: Uint8Array): Promise<{ keyId: string; material: Uint8Array }> {
    // The partial unique index lets only one live key per subject win.
    await this.#sql.query(`INSERT INTO ${this.#t} (key_id, subject, material) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [keyId, subject, Buffer.from(material)]);
    return (await this.activeKey(subject)) as { keyId: string; material: Uint8Array };
  }

  async keyById(keyId: string): Promise<Uint8Array | null> {
    const [row] = await this.#sql.query<{ material: Uint8Array | null }>(`SELECT material FROM ${this.#t} WHERE key_id = $1`, [keyId]);
    return row?.material ? new Uint8Array(row.material) : null;
  }

  async destroyKeys(subject: string): Promise<string[]> {
    const rows = await this.#sql.query<{ key_id: string }>(
      `UPDATE ${this.#t} SET material = NULL, destroyed_at = now() WHERE subject = $1 AND destroyed_at IS NULL RETURNING key_id`,
      [subject],
    );
    // Old row versions keep the key bytes until vacuumed; the table is small, so do it now.
    if (rows.length > 0) await this.#sql.query(`VACUUM ${this.#t}`).catch(() => undefined);
    return rows.map((r) => r.key_id);
  }
}
