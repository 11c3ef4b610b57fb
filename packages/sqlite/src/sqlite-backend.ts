import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  type AllPage,
  type AllPageRequest,
  type AppendRequest,
  type AppendResult,
  ConcurrencyError,
  categoryOf,
  chainInput,
  conditionFailed,
  type InlineHandler,
  type IntegrityRow,
  type ListStreamsRequest,
  matchesQuery,
  type Position,
  type QueryPageRequest,
  resolveDuplicateAppend,
  type StoreBackend,
  type StoredEvent,
  type StreamInfo,
  type StreamPageRequest,
  versionMatches,
} from '@cairn/core';
import { Connection } from './connection.js';
import { sqliteCode, translateError } from './errors.js';
import { Mutex } from './mutex.js';
import { arrayToStoredEvent, EVENT_COLUMNS, type EventRow, type StreamRow, toStoredEvent, toStreamInfo } from './rows.js';
import { migrate } from './schema.js';
import { candidates, rowTags } from './sqlite-query.js';
import { SqliteKeys } from './sqlite-keys.js';
import { SqliteSnapshots } from './sqlite-snapshots.js';
import { SqliteSqlAccess } from './sqlite-sql-access.js';
import { SqliteWakeups } from './wakeups.js';
import { type Outcome, WriteQueue } from './write-queue.js';

export interface SqliteBackendOptions {
  path: string;
  synchronous: 'full' | 'normal';
  busyTimeoutMs: number;
  groupCommit: boolean;
}

type AppendOne = { kind: 'appended'; result: AppendResult; events: StoredEvent[] } | { kind: 'duplicate'; result: AppendResult };

let memoryScopes = 0;

/**
 * Two connections to one file: the writer (appends, projection transactions, migrations),
 * used by one holder at a time behind a lock, and a reader that only ever sees committed
 * data. A `:memory:` database cannot be shared between connections, so there the writer
 * serves reads too, behind the same lock.
 */
export class SqliteBackend implements StoreBackend {
  readonly kind = 'sqlite';
  readonly wakeups: SqliteWakeups;
  readonly snapshots: SqliteSnapshots;
  readonly sql: SqliteSqlAccess;
  readonly keys: SqliteKeys;
  readonly #writer: Connection;
  readonly #reader: Connection | undefined;
  readonly #lock = new Mutex();
  readonly #queue: WriteQueue | undefined;
  #inline: InlineHandler | undefined;
  #lastMs = 0;

  constructor(options: SqliteBackendOptions) {
    const memory = options.path === ':memory:';
    if (!memory && !options.path.startsWith('file:')) mkdirSync(dirname(options.path), { recursive: true });
    try {
      this.#writer = new Connection(options.path, options.busyTimeoutMs, options.synchronous);
      this.#reader = memory ? undefined : new Connection(options.path, options.busyTimeoutMs, options.synchronous);
    } catch (error) {
      throw translateError(error, `open ${options.path}`);
    }
    const watch = this.#reader ?? this.#writer;
    this.wakeups = new SqliteWakeups(() => watch.db.pragma('data_version', { simple: true }) as number);
    this.sql = new SqliteSqlAccess(this.#writer, this.#reader, this.#lock, memory ? `memory-${++memoryScopes}` : resolve(options.path));
    this.snapshots = new SqliteSnapshots(this.sql);
    this.keys = new SqliteKeys(this.sql);
    this.#queue = options.groupCommit ? new WriteQueue((requests) => this.#commit(requests)) : undefined;
  }

  async migrate(): Promise<void> {
    await this.#lock.run(() => migrate(this.#writer.db));
  }

  setInlineHandler(handler: InlineHandler): void {
    this.#inline = handler;
  }

  async append(request: AppendRequest): Promise<AppendResult> {
    if (this.#queue) return this.#queue.enqueue(request);
    const [outcome] = await this.#commit([request]);
    if (outcome?.ok) return outcome.result;
    throw outcome?.error;
  }

  /** One transaction for a group of appends, each in its own savepoint with its inline projections. */
  #commit(requests: AppendRequest[]): Promise<Outcome[]> {
    return this.#lock.run(async () => {
      const db = this.#writer.db;
      try {
        db.exec('BEGIN IMMEDIATE');
      } catch (error) {
        throw translateError(error, 'begin an append');
      }
      const outcomes: Outcome[] = [];
      // A lone append needs no savepoint: if it fails, the whole transaction is rolled back.
      const alone = requests.length === 1;
      try {
        for (const request of requests) {
          if (!alone) db.exec('SAVEPOINT cairn_append');
          try {
            const done = this.#appendOne(request);
            if (done.kind === 'duplicate') {
              // Undo partial writes of the retried batch (alone: the final ROLLBACK does); the result is the original one.
              if (!alone) db.exec('ROLLBACK TO cairn_append; RELEASE cairn_append');
              outcomes.push({ ok: true, result: done.result, wrote: false });
              continue;
            }
            if (this.#inline) await this.sql.runInTransactionContext(() => (this.#inline as InlineHandler)(done.events, this.sql.inTransactionExecutor));
            if (!alone) db.exec('RELEASE cairn_append');
            outcomes.push({ ok: true, result: done.result });
          } catch (error) {
            // Disk full and I/O errors make SQLite roll back the whole transaction: then no
            // append of this group is stored, and all of them must fail.
            if (!db.inTransaction) throw error;
            if (!alone) db.exec('ROLLBACK TO cairn_append; RELEASE cairn_append');
            outcomes.push({ ok: false, error: translateError(error, `append to "${request.streamId}"`) });
          }
        }
        db.exec(outcomes.some((o) => o.ok && o.wrote !== false) ? 'COMMIT' : 'ROLLBACK');
      } catch (error) {
        // COMMIT itself failed (disk full, I/O error): nothing of this group is stored.
        if (db.inTransaction) db.exec('ROLLBACK');
        throw translateError(error, 'commit appends');
      }
      if (outcomes.some((o) => o.ok)) this.wakeups.notify();
      return outcomes;
    });
  }

  /** Inside the caller's savepoint; may leave partial writes behind when it throws (the caller rolls back). */
  #appendOne(request: AppendRequest): AppendOne {
    const w = this.#writer;
    const { streamId, events } = request;
    const stream = w.stmt<StreamRow>('SELECT * FROM cairn_streams WHERE stream_id = ?').get(streamId);
    const actual = stream?.version ?? 0;
    if (!versionMatches(request.expectedVersion, actual)) {
      // A retry of an append that already landed carries a stale version: answer it as a retry.
      if (w.stmt('SELECT 1 FROM cairn_events WHERE event_id = ?').get(events[0]?.eventId)) return this.#duplicate(request);
      throw new ConcurrencyError(streamId, request.expectedVersion, actual);
    }
    if (request.condition) {
      // Inside the write transaction: SQLite has one writer, so nothing can commit in between.
      const { query, after } = request.condition;
      for (const row of candidates(w.db, query, Number(after), Number.MAX_SAFE_INTEGER)) {
        if (!matchesQuery(query, { type: row.type, tags: rowTags(row) })) continue;
        if (w.stmt('SELECT 1 FROM cairn_events WHERE event_id = ?').get(events[0]?.eventId)) return this.#duplicate(request);
        throw conditionFailed(streamId, after, BigInt(row.position), actual);
      }
    }
    // Times never go backwards along a stream, so reads "until" an instant match version order.
    const now = (this.#lastMs = Math.max(Date.now(), this.#lastMs, stream?.updated_at ?? 0));
    let hash = stream?.last_hash ?? '';
    const tag = w.stmt('INSERT INTO cairn_event_tags (tag, position) VALUES (?, ?)');
    const stored: StoredEvent[] = [];
    let version = actual;
    let position = 0;
    try {
      // Rows go in multi-row INSERTs of up to ROWS_PER_INSERT: one statement step per chunk, not per event.
      for (let start = 0; start < events.length; start += ROWS_PER_INSERT) {
        const chunk = events.slice(start, start + ROWS_PER_INSERT);
        const params: unknown[] = [];
        const times: number[] = [];
        for (const e of chunk) {
          const tags = e.tags.length > 0 ? JSON.stringify(e.tags) : null;
          const recordedAt = e.recordedAt?.getTime() ?? now;
          hash = sha256(
            chainInput(hash, { streamId, version: ++version, eventId: e.eventId, type: e.type, schemaVersion: e.schemaVersion, data: e.dataJson, metadata: e.metadataJson, tags: tags ?? '', recordedMicros: String(recordedAt * 1000) }),
          );
          params.push(streamId, version, e.eventId, e.type, e.schemaVersion, e.dataJson, e.metadataJson, tags, recordedAt, hash);
          times.push(recordedAt);
        }
        position = Number(w.stmt(insertSql(chunk.length)).run(...params).lastInsertRowid);
        // The rowids of one INSERT are consecutive: this is the single writer.
        const first = position - chunk.length + 1;
        chunk.forEach((e, i) => {
          for (const t of e.tags) tag.run(t, first + i);
          if (this.#inline) {
            stored.push({
              streamId,
              version: version - chunk.length + 1 + i,
              position: BigInt(first + i),
              eventId: e.eventId,
              type: e.type,
              schemaVersion: e.schemaVersion,
              data: JSON.parse(e.dataJson) as unknown,
              metadata: JSON.parse(e.metadataJson) as StoredEvent['metadata'],
              tags: e.tags,
              recordedAt: new Date(times[i] as number),
            });
          }
        });
      }
    } catch (error) {
      if (sqliteCode(error) === 'SQLITE_CONSTRAINT_UNIQUE' && /event_id/.test((error as Error).message)) return this.#duplicate(request);
      throw error;
    }
    w.stmt(
      `INSERT INTO cairn_streams (stream_id, category, version, last_position, last_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version, last_position = excluded.last_position, last_hash = excluded.last_hash,
         updated_at = excluded.updated_at`,
    ).run(streamId, categoryOf(streamId), version, position, hash, events[0]?.recordedAt?.getTime() ?? now, events.at(-1)?.recordedAt?.getTime() ?? now);
    return { kind: 'appended', result: { streamId, version, position: BigInt(position) }, events: stored };
  }

  #duplicate(request: AppendRequest): AppendOne {
    return { kind: 'duplicate', result: resolveDuplicateAppend(request, this.#byEventIds(this.#writer, request.events.map((e) => e.eventId))) };
  }

  async readStreamPage(request: StreamPageRequest): Promise<StoredEvent[]> {
    const forward = request.direction === 'forward';
    const until = request.until ? ' AND recorded_at <= ?' : '';
    const sql = forward
      ? `SELECT ${EVENT_COLUMNS} FROM cairn_events WHERE stream_id = ? AND version >= ? AND version <= ?${until} ORDER BY version LIMIT ?`
      : `SELECT ${EVENT_COLUMNS} FROM cairn_events WHERE stream_id = ? AND version <= ? AND version >= ?${until} ORDER BY version DESC LIMIT ?`;
    const params: unknown[] = [request.streamId, request.fromVersion, request.toVersion];
    if (request.until) params.push(request.until.getTime());
    params.push(request.limit);
    return this.#read((c) => c.rawStmt(sql).all(...params).map(arrayToStoredEvent));
  }

  async readAllPage(request: AllPageRequest): Promise<AllPage> {
    return this.#read((c) => {
      // Read head first and bound the page by it: a commit from another process landing
      // between the two statements then cannot put events below a head we report.
      const head = this.#head(c);
      let sql = `SELECT ${EVENT_COLUMNS} FROM cairn_events WHERE position > ? AND position <= ?`;
      const params: unknown[] = [Number(request.after), head];
      if (request.types) {
        sql += ` AND type IN (${request.types.map(() => '?').join(', ')})`;
        params.push(...request.types);
      }
      if (request.categories) {
        sql += ` AND substr(stream_id, 1, instr(stream_id || '-', '-') - 1) IN (${request.categories.map(() => '?').join(', ')})`;
        params.push(...request.categories);
      }
      if (!request.includeSystem) sql += " AND substr(stream_id, 1, 1) <> '$'";
      if (request.partition) {
        sql += ' AND cairn_partition(stream_id, ?) = ?';
        params.push(request.partition.count, request.partition.index);
      }
      sql += ' ORDER BY position LIMIT ?';
      params.push(request.limit);
      return { events: c.rawStmt(sql).all(...params).map(arrayToStoredEvent), head: BigInt(head) };
    });
  }

  async readQueryPage(request: QueryPageRequest): Promise<AllPage> {
    return this.#read((c) => {
      const head = this.#head(c);
      const events: StoredEvent[] = [];
      for (const row of candidates(c.db, request.query, Number(request.after), head)) {
        if (!matchesQuery(request.query, { type: row.type, tags: rowTags(row) })) continue;
        events.push(toStoredEvent(row));
        if (events.length === request.limit) break;
      }
      return { events, head: BigInt(head) };
    });
  }

  async readByEventIds(eventIds: readonly string[]): Promise<StoredEvent[]> {
    return this.#read((c) => this.#byEventIds(c, eventIds));
  }

  #byEventIds(c: Connection, eventIds: readonly string[]): StoredEvent[] {
    const one = c.stmt<EventRow>(`SELECT ${EVENT_COLUMNS} FROM cairn_events WHERE event_id = ?`);
    return eventIds.flatMap((id) => {
      const row = one.get(id);
      return row ? [toStoredEvent(row)] : [];
    });
  }

  async streamInfo(streamId: string): Promise<StreamInfo | null> {
    return this.#read((c) => {
      const row = c.stmt<StreamRow>('SELECT * FROM cairn_streams WHERE stream_id = ?').get(streamId);
      return row ? toStreamInfo(row) : null;
    });
  }

  async listStreams(request: ListStreamsRequest): Promise<StreamInfo[]> {
    let sql = 'SELECT * FROM cairn_streams WHERE 1 = 1';
    const params: unknown[] = [];
    if (request.prefix !== undefined) {
      // substr instead of LIKE: ids may contain % and _ literally.
      sql += ' AND substr(stream_id, 1, ?) = ?';
      params.push(request.prefix.length, request.prefix);
    }
    if (request.category !== undefined) {
      sql += ' AND category = ?';
      params.push(request.category);
    }
    if (request.afterStreamId !== undefined) {
      sql += ' AND stream_id > ?';
      params.push(request.afterStreamId);
    }
    if (!request.includeSystem) sql += " AND substr(stream_id, 1, 1) <> '$'";
    sql += ' ORDER BY stream_id LIMIT ?';
    params.push(request.limit);
    return this.#read((c) => c.stmt<StreamRow>(sql).all(...params).map(toStreamInfo));
  }

  async integrityRows(after: { streamId: string; version: number } | undefined, limit: number): Promise<IntegrityRow[]> {
    return this.#read((c) =>
      c
        .stmt<EventRow & { hash: string }>(
          `SELECT ${EVENT_COLUMNS}, hash FROM cairn_events WHERE (stream_id, version) > (?, ?) ORDER BY stream_id, version LIMIT ?`,
        )
        .all(after?.streamId ?? '', after?.version ?? 0, limit)
        .map((r) => ({
          streamId: r.stream_id,
          version: r.version,
          position: BigInt(r.position),
          eventId: r.event_id,
          type: r.type,
          schemaVersion: r.schema_version,
          data: r.data,
          metadata: r.metadata,
          tags: r.tags ?? '',
          recordedMicros: String(r.recorded_at * 1000),
          hash: r.hash,
        })),
    );
  }

  async catalogueEntry(streamId: string): Promise<{ version: number; lastHash: string | null } | null> {
    return this.#read((c) => {
      const row = c.stmt<StreamRow>('SELECT * FROM cairn_streams WHERE stream_id = ?').get(streamId);
      return row ? { version: row.version, lastHash: row.last_hash } : null;
    });
  }

  async headPosition(): Promise<Position> {
    return this.#read((c) => BigInt(this.#head(c)));
  }

  #head(c: Connection): number {
    return c.stmt<{ head: number }>('SELECT coalesce(max(position), 0) AS head FROM cairn_events').get()?.head ?? 0;
  }

  async close(): Promise<void> {
    await this.#queue?.flush();
    await this.#lock.run(() => {
      this.wakeups.close();
      this.#reader?.close();
      this.#writer.close();
    });
  }

  /** Reads use the reader connection (committed data only); on `:memory:` they wait for the writer. */
  async #read<T>(fn: (c: Connection) => T): Promise<T> {
    const run = (c: Connection): T => {
      try {
        return fn(c);
      } catch (error) {
        throw translateError(error, 'read');
      }
    };
    if (this.#reader) return run(this.#reader);
    return this.#lock.run(() => run(this.#writer));
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

const ROWS_PER_INSERT = 50;
const insertStatements: string[] = [];

function insertSql(rows: number): string {
  insertStatements[rows] ??=
    'INSERT INTO cairn_events (stream_id, version, event_id, type, schema_version, data, metadata, tags, recorded_at, hash) VALUES ' +
    Array.from({ length: rows }, () => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ');
  return insertStatements[rows] as string;
}
