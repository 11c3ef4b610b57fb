import { pgCode, type PgPool } from '../drivers/pg-driver.js';
import { EVENT_TYPE, type MoneyDeposited } from '../payload.js';
import type { Subject } from '../subject.js';

/**
 * The PostgreSQL raw ceiling of BENCH.md: the simplest table that could hold the events,
 * no version checks beyond the unique key, no library. Positions need an index for keyset
 * paging (W6), so `position` is the primary key.
 */
export function rawPostgresDdl(schema: string): string {
  return `
    CREATE SCHEMA "${schema}";
    CREATE TABLE "${schema}".events (
      position  bigserial PRIMARY KEY,
      stream_id text NOT NULL,
      version   bigint NOT NULL,
      type      text NOT NULL,
      data      jsonb NOT NULL,
      UNIQUE (stream_id, version)
    );`;
}

interface RawRow {
  position: string;
  stream_id: string;
  version: string;
  type: string;
  data: MoneyDeposited;
}

/**
 * W1/W2: one INSERT in autocommit, one round trip and its own transaction; a duplicate
 * (stream_id, version) is the conflict. W3: one multi-row INSERT per batch. W4: one SELECT
 * ordered by version. Every statement is prepared by name, as the store's are.
 */
export function rawPostgresSubject(pool: PgPool, schema: string): Subject {
  const t = `"${schema}".events`;
  return {
    side: 'raw',
    async appendOne(streamId, expectedVersion, data) {
      try {
        await pool.query({
          name: `raw_one_${schema}`,
          text: `INSERT INTO ${t} (stream_id, version, type, data) VALUES ($1, $2, $3, $4)`,
          values: [streamId, expectedVersion + 1, EVENT_TYPE, JSON.stringify(data)],
        });
        return true;
      } catch (error) {
        if (pgCode(error) === '23505') return false;
        throw error;
      }
    },
    async appendBatch(streamId, expectedVersion, batch) {
      const values: unknown[] = [];
      const rows: string[] = [];
      batch.forEach((data, i) => {
        const p = values.length;
        rows.push(`($${p + 1}, $${p + 2}, $${p + 3}, $${p + 4})`);
        values.push(streamId, expectedVersion + i + 1, EVENT_TYPE, JSON.stringify(data));
      });
      await pool.query({
        name: `raw_batch${batch.length}_${schema}`,
        text: `INSERT INTO ${t} (stream_id, version, type, data) VALUES ${rows.join(', ')}`,
        values,
      });
    },
    async readStream(streamId, onEvent) {
      const { rows } = await pool.query<RawRow>({
        name: `raw_stream_${schema}`,
        text: `SELECT position, stream_id, version, type, data FROM ${t} WHERE stream_id = $1 ORDER BY version`,
        values: [streamId],
      });
      for (const row of rows) onEvent(Number(row.version), row.data);
      return rows.length;
    },
    async version(streamId) {
      const { rows } = await pool.query<{ v: string }>({
        name: `raw_version_${schema}`,
        text: `SELECT coalesce(max(version), 0) AS v FROM ${t} WHERE stream_id = $1`,
        values: [streamId],
      });
      return Number(rows[0]?.v ?? 0);
    },
  };
}

/** W6's raw ceiling: keyset paging by position, `pageSize` rows a page, until a short page or `max` rows. */
export async function rawPostgresCatchUp(
  pool: PgPool,
  schema: string,
  pageSize: number,
  onEvent: (data: MoneyDeposited) => void,
  max = Number.POSITIVE_INFINITY,
  stop: () => boolean = () => false,
): Promise<number> {
  let after = '0';
  let n = 0;
  for (;;) {
    const { rows } = await pool.query<RawRow>({
      name: `raw_page_${schema}`,
      text: `SELECT position, stream_id, version, type, data FROM "${schema}".events WHERE position > $1 ORDER BY position LIMIT $2`,
      values: [after, pageSize],
    });
    for (const row of rows) onEvent(row.data);
    n += rows.length;
    const last = rows.at(-1);
    if (last === undefined || rows.length < pageSize || n >= max || stop()) return n;
    after = last.position;
  }
}

/** Setup only (not timed): many rows per statement through unnest, so W6's million rows load in seconds. */
export async function rawPostgresBulkLoad(
  pool: PgPool,
  schema: string,
  rows: ReadonlyArray<{ streamId: string; version: number; data: MoneyDeposited }>,
): Promise<void> {
  await pool.query({
    text: `INSERT INTO "${schema}".events (stream_id, version, type, data)
           SELECT s, v, $3, d FROM unnest($1::text[], $2::bigint[], $4::jsonb[]) AS u(s, v, d)`,
    values: [rows.map((r) => r.streamId), rows.map((r) => r.version), EVENT_TYPE, rows.map((r) => JSON.stringify(r.data))],
  });
}
