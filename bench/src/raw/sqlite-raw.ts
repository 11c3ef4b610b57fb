import { type SqliteDatabase, sqliteCode } from '../drivers/sqlite-driver.js';
import { EVENT_TYPE, type MoneyDeposited } from '../payload.js';
import type { Subject } from '../subject.js';

/** The SQLite raw ceiling: the same table and statements as PostgreSQL's, position as the rowid. */
export const RAW_SQLITE_DDL = `
  CREATE TABLE events (
    position  INTEGER PRIMARY KEY,
    stream_id TEXT NOT NULL,
    version   INTEGER NOT NULL,
    type      TEXT NOT NULL,
    data      TEXT NOT NULL,
    UNIQUE (stream_id, version)
  );`;

/**
 * Opened by the caller with WAL and the store's `synchronous`, so both sides pay the same
 * fsyncs. Every statement runs in autocommit: W1/W2 pay one commit per event, W3 one per
 * batch, exactly as BENCH.md describes the ceiling. Rows are parsed from JSON text, because
 * the store hands back parsed data too.
 */
export function rawSqliteSubject(db: SqliteDatabase): Subject {
  const insertOne = db.prepare('INSERT INTO events (stream_id, version, type, data) VALUES (?, ?, ?, ?)');
  const batchStatements = new Map<number, ReturnType<SqliteDatabase['prepare']>>();
  const readStream = db.prepare<{ position: number; stream_id: string; version: number; type: string; data: string }>(
    'SELECT position, stream_id, version, type, data FROM events WHERE stream_id = ? ORDER BY version',
  );
  const version = db.prepare<{ v: number }>('SELECT coalesce(max(version), 0) AS v FROM events WHERE stream_id = ?');
  return {
    side: 'raw',
    async appendOne(streamId, expectedVersion, data) {
      try {
        insertOne.run(streamId, expectedVersion + 1, EVENT_TYPE, JSON.stringify(data));
        return true;
      } catch (error) {
        if (sqliteCode(error) === 'SQLITE_CONSTRAINT_UNIQUE') return false;
        throw error;
      }
    },
    async appendBatch(streamId, expectedVersion, batch) {
      let statement = batchStatements.get(batch.length);
      if (statement === undefined) {
        const rows = Array.from({ length: batch.length }, () => '(?, ?, ?, ?)').join(', ');
        statement = db.prepare(`INSERT INTO events (stream_id, version, type, data) VALUES ${rows}`);
        batchStatements.set(batch.length, statement);
      }
      const params: unknown[] = [];
      batch.forEach((data, i) => params.push(streamId, expectedVersion + i + 1, EVENT_TYPE, JSON.stringify(data)));
      statement.run(...params);
    },
    async readStream(streamId, onEvent) {
      const rows = readStream.all(streamId);
      for (const row of rows) onEvent(row.version, JSON.parse(row.data) as MoneyDeposited);
      return rows.length;
    },
    async version(streamId) {
      return version.get(streamId)?.v ?? 0;
    },
  };
}

/** W6's raw ceiling: keyset paging by position, `pageSize` rows a page, until a short page or `max` rows. */
export async function rawSqliteCatchUp(
  db: SqliteDatabase,
  pageSize: number,
  onEvent: (data: MoneyDeposited) => void,
  max = Number.POSITIVE_INFINITY,
  stop: () => boolean = () => false,
): Promise<number> {
  const page = db.prepare<{ position: number; stream_id: string; version: number; type: string; data: string }>(
    'SELECT position, stream_id, version, type, data FROM events WHERE position > ? ORDER BY position LIMIT ?',
  );
  let after = 0;
  let n = 0;
  for (;;) {
    const rows = page.all(after, pageSize);
    for (const row of rows) onEvent(JSON.parse(row.data) as MoneyDeposited);
    n += rows.length;
    const last = rows.at(-1);
    if (last === undefined || rows.length < pageSize || n >= max || stop()) return n;
    after = last.position;
  }
}

/** Setup only (not timed): one transaction, one prepared insert. */
export function rawSqliteBulkLoad(db: SqliteDatabase, rows: ReadonlyArray<{ streamId: string; version: number; data: MoneyDeposited }>): void {
  const insert = db.prepare('INSERT INTO events (stream_id, version, type, data) VALUES (?, ?, ?, ?)');
  db.exec('BEGIN');
  try {
    for (const r of rows) insert.run(r.streamId, r.version, EVENT_TYPE, JSON.stringify(r.data));
    db.exec('COMMIT');
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
}
