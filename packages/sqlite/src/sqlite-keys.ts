import type { KeyBackend } from '@cairn/core';
import type { SqliteSqlAccess } from './sqlite-sql-access.js';

export class SqliteKeys implements KeyBackend {
  readonly #sql: SqliteSqlAccess;

  constructor(sql: SqliteSqlAccess) {
    this.#sql = sql;
  }

  async activeKey(subject: string): Promise<{ keyId: string; material: Uint8Array } | null> {
    const [row] = await this.#sql.query<{ key_id: string; material: Uint8Array }>(
      'SELECT key_id, material FROM cairn_subject_keys WHERE subject = $1 AND destroyed_at IS NULL',
      [subject],
    );
    return row ? { keyId: row.key_id, material: new Uint8Array(row.material) } : null;
  }

  async createKey(subject: string, keyId: string, material: Uint8Array): Promise<{ keyId: string; material: Uint8Array }> {
    // The partial unique index lets only one live key per subject win.
    await this.#sql.query('INSERT INTO cairn_subject_keys (key_id, subject, material, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [
      keyId,
      subject,
      Buffer.from(material),
      Date.now(),
    ]);
    return (await this.activeKey(subject)) as { keyId: string; material: Uint8Array };
  }

  async keyById(keyId: string): Promise<Uint8Array | null> {
    const [row] = await this.#sql.query<{ material: Uint8Array | null }>('SELECT material FROM cairn_subject_keys WHERE key_id = $1', [keyId]);
    return row?.material ? new Uint8Array(row.material) : null;
  }

  async destroyKeys(subject: string): Promise<string[]> {
    const rows = await this.#sql.transaction(async (tx) => {
      // secure_delete overwrites the freed key bytes in the file instead of leaving them in free pages.
      await tx.query('PRAGMA secure_delete = ON');
      return tx.query<{ key_id: string }>(
        'UPDATE cairn_subject_keys SET material = NULL, destroyed_at = $2 WHERE subject = $1 AND destroyed_at IS NULL RETURNING key_id',
        [subject, Date.now()],
      );
    });
    return rows.map((r) => r.key_id);
  }
}
