import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  type AllPage,
  type AllPageRequest,
  type AppendRequest,
  type AppendResult,
  ConcurrencyError,
  categoryOf,
  conditionFailed,
  matchesQuery,
  type QueryPageRequest,
  type ListStreamsRequest,
  type Position,
  resolveDuplicateAppend,
  type StoreBackend,
  type StoredEvent,
  type StreamInfo,
  type StreamPageRequest,
  versionMatches,
} from '@cairn/core';
import { type Database, openDatabase, type Statement } from './driver.js';
import { sqliteCode, translateError } from './errors.js';
import { migrate } from './schema.js';
import { EVENT_COLUMNS, type EventRow, type StreamRow, toStoredEvent, toStreamInfo } from './rows.js';
import { candidates, rowTags } from './sqlite-query.js';
import { SqliteSnapshots } from './sqlite-snapshots.js';
import { SqliteWakeups } from './wakeups.js';
import { WriteQueue } from './write-queue.js';

export interface SqliteBackendOptions {
  path: string;
  synchronous: 'full' | 'normal';
  busyTimeoutMs: number;
  groupCommit: boolean;
}

export class SqliteBackend implements StoreBackend {
  readonly kind = 'sqlite';
  readonly wakeups: SqliteWakeups;
  readonly snapshots = new SqliteSnapshots(() => this.#db);
  readonly #db: Database;
  readonly #queue: WriteQueue | undefined;
  readonly #statements = new Map<string, Statement>();
  #lastMs = 0;

  constructor(options: SqliteBackendOptions) {
    if (options.path !== ':memory:' && !options.path.startsWith('file:')) mkdirSync(dirname(options.path), { recursive: true });
    try {
      this.#db = openDatabase(options.path, options.busyTimeoutMs);
      this.#db.pragma('journal_mode = WAL');
      // FULL: fsync the WAL on every commit, so an acknowledged append survives power loss.
      // NORMAL: fsync only at checkpoints; survives a process crash, may lose the last commits on power loss.
      this.#db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    } catch (error) {
      throw translateError(error, `open ${options.path}`);
    }
    this.wakeups = new SqliteWakeups(() => this.#db.pragma('data_version', { simple: true }) as number);
    this.#queue = options.groupCommit ? new WriteQueue(this.#db, (r) => this.#appendOne(r), () => this.wakeups.notify()) : undefined;
  }

  async migrate(): Promise<void> {
    migrate(this.#db);
  }

  append(request: AppendRequest): Promise<AppendResult> {
    if (this.#queue) return this.#queue.enqueue(request);
    try {
      this.#db.exec('BEGIN IMMEDIATE');
      let result: AppendResult;
      try {
        result = this.#appendOne(request);
        this.#db.exec('COMMIT');
      } catch (error) {
        if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
        throw error;
      }
      this.wakeups.notify();
      return Promise.resolve(result);
    } catch (error) {
      return Promise.reject(translateError(error, `append to "${request.streamId}"`));
    }
  }

  /** Runs inside the caller's IMMEDIATE transaction; leaves no trace when it throws. */
  #appendOne(request: AppendRequest): AppendResult {
    const { streamId, events } = request;
    const stream = this.#stmt<StreamRow>('SELECT * FROM cairn_streams WHERE stream_id = ?').get(streamId);
    const actual = stream?.version ?? 0;
    if (!versionMatches(request.expectedVersion, actual)) {
      // A retry of an append that already landed carries a stale version: answer it as a retry.
      if (this.#stmt('SELECT 1 FROM cairn_events WHERE event_id = ?').get(events[0]?.eventId)) return this.#duplicate(request);
      throw new ConcurrencyError(streamId, request.expectedVersion, actual);
    }
    if (request.condition) {
      // Inside the write transaction: SQLite has one writer, so nothing can commit in between.
      const { query, after } = request.condition;
      for (const row of candidates(this.#db, query, Number(after), Number.MAX_SAFE_INTEGER)) {
        if (matchesQuery(query, { type: row.type, tags: rowTags(row) })) throw conditionFailed(streamId, after, BigInt(row.position), actual);
      }
    }
    // Times never go backwards along a stream, so reads "until" an instant match version order.
    const now = (this.#lastMs = Math.max(Date.now(), this.#lastMs, stream?.updated_at ?? 0));
    const insert = this.#stmt(
      'INSERT INTO cairn_events (stream_id, version, event_id, type, schema_version, data, metadata, tags, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const tag = this.#stmt('INSERT INTO cairn_event_tags (tag, position) VALUES (?, ?)');
    this.#db.exec('SAVEPOINT cairn_append');
    try {
      let version = actual;
      let position = 0;
      for (const e of events) {
        const tags = e.tags.length > 0 ? JSON.stringify(e.tags) : null;
        position = Number(insert.run(streamId, ++version, e.eventId, e.type, e.schemaVersion, e.dataJson, e.metadataJson, tags, e.recordedAt?.getTime() ?? now).lastInsertRowid);
        for (const t of e.tags) tag.run(t, position);
      }
      this.#stmt(
        `INSERT INTO cairn_streams (stream_id, category, version, last_position, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version, last_position = excluded.last_position, updated_at = excluded.updated_at`,
      ).run(streamId, categoryOf(streamId), version, position, events[0]?.recordedAt?.getTime() ?? now, events.at(-1)?.recordedAt?.getTime() ?? now);
      this.#db.exec('RELEASE cairn_append');
      return { streamId, version, position: BigInt(position) };
    } catch (error) {
      this.#db.exec('ROLLBACK TO cairn_append; RELEASE cairn_append');
      if (sqliteCode(error) === 'SQLITE_CONSTRAINT_UNIQUE' && /event_id/.test((error as Error).message)) return this.#duplicate(request);
      throw translateError(error, `append to "${streamId}"`);
    }
  }

  #duplicate(request: AppendRequest): AppendResult {
    return resolveDuplicateAppend(request, this.#byEventIds(request.events.map((e) => e.eventId)));
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
    return this.#read(() => this.#stmt<EventRow>(sql).all(...params).map(toStoredEvent));
  }

  async readAllPage(request: AllPageRequest): Promise<AllPage> {
    return this.#read(() => {
      // Read head first and bound the page by it: a commit from another process landing
      // between the two statements then cannot put events below a head we report.
      const head = this.#head();
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
      sql += ' ORDER BY position LIMIT ?';
      params.push(request.limit);
      return { events: this.#stmt<EventRow>(sql).all(...params).map(toStoredEvent), head: BigInt(head) };
    });
  }

  async readQueryPage(request: QueryPageRequest): Promise<AllPage> {
    return this.#read(() => {
      const head = this.#head();
      const events: StoredEvent[] = [];
      for (const row of candidates(this.#db, request.query, Number(request.after), head)) {
        if (!matchesQuery(request.query, { type: row.type, tags: rowTags(row) })) continue;
        events.push(toStoredEvent(row));
        if (events.length === request.limit) break;
      }
      return { events, head: BigInt(head) };
    });
  }

  async readByEventIds(eventIds: readonly string[]): Promise<StoredEvent[]> {
    return this.#read(() => this.#byEventIds(eventIds));
  }

  #byEventIds(eventIds: readonly string[]): StoredEvent[] {
    const one = this.#stmt<EventRow>(`SELECT ${EVENT_COLUMNS} FROM cairn_events WHERE event_id = ?`);
    return eventIds.flatMap((id) => {
      const row = one.get(id);
      return row ? [toStoredEvent(row)] : [];
    });
  }

  async streamInfo(streamId: string): Promise<StreamInfo | null> {
    return this.#read(() => {
      const row = this.#stmt<StreamRow>('SELECT * FROM cairn_streams WHERE stream_id = ?').get(streamId);
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
    return this.#read(() => this.#stmt<StreamRow>(sql).all(...params).map(toStreamInfo));
  }

  async headPosition(): Promise<Position> {
    return this.#read(() => BigInt(this.#head()));
  }

  #head(): number {
    return this.#stmt<{ head: number }>('SELECT coalesce(max(position), 0) AS head FROM cairn_events').get()?.head ?? 0;
  }

  async close(): Promise<void> {
    this.#queue?.flush();
    this.wakeups.close();
    if (this.#db.open) this.#db.close();
  }

  /** The raw database handle, for projections that keep read models in the same file. */
  get database(): Database {
    return this.#db;
  }

  #read<T>(fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      throw translateError(error, 'read');
    }
  }

  #stmt<Row>(sql: string): Statement<Row> {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare(sql);
      // Dynamic readAll filters produce many shapes; keep the cache bounded.
      if (this.#statements.size > 200) this.#statements.clear();
      this.#statements.set(sql, statement);
    }
    return statement as Statement<Row>;
  }
}
