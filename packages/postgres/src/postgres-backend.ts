import {
  type AllPage,
  type AllPageRequest,
  type AppendRequest,
  type AppendResult,
  ConcurrencyError,
  conditionFailed,
  type InlineHandler,
  type IntegrityRow,
  type QueryPageRequest,
  type ListStreamsRequest,
  type Position,
  resolveDuplicateAppend,
  type StoreBackend,
  type StoredEvent,
  type StreamInfo,
  type StreamPageRequest,
} from '@cairn/core';
import type { Pool, PoolConfig, QueryConfig } from './driver.js';
import { loadPg } from './driver.js';
import { pgCode, translateError } from './errors.js';
import { migrateSchema } from './migrate.js';
import { arrayToStoredEvent, EVENT_COLUMNS, type EventRow, type StreamRow, textArrayLiteral, toStoredEvent, toStreamInfo } from './rows.js';
import { eventTypes } from './types.js';
import { SqlState } from './schema.js';
import { PostgresKeys } from './postgres-keys.js';
import { PostgresSnapshots } from './postgres-snapshots.js';
import { PostgresSqlAccess } from './postgres-sql-access.js';
import { encodeExpected, GroupCommit, type GroupOutcome, groupParams } from './group-commit.js';
import { PgWakeups } from './wakeups.js';

export interface PostgresBackendOptions {
  connectionString: string;
  schema: string;
  poolSize: number;
  notify: boolean;
  groupCommit: boolean;
}


export class PostgresBackend implements StoreBackend {
  readonly kind = 'postgres';
  readonly wakeups: PgWakeups;
  readonly snapshots: PostgresSnapshots;
  readonly sql: PostgresSqlAccess;
  readonly keys: PostgresKeys;
  readonly pool: Pool;
  #inline: InlineHandler | undefined;
  readonly schema: string;
  readonly #s: string;

  constructor(options: PostgresBackendOptions) {
    const { Pool } = loadPg();
    const config: PoolConfig = {
      connectionString: options.connectionString,
      application_name: 'cairn',
      connectionTimeoutMillis: 10_000,
      // Read models created through store.sql land in the store's schema, beside its tables.
      options: `-c search_path="${options.schema}",public`,
    };
    this.pool = new Pool({ ...config, max: options.poolSize, idleTimeoutMillis: 30_000 });
    // An idle client dying (server restart) must not crash the process; the next query reconnects.
    this.pool.on('error', () => undefined);
    this.schema = options.schema;
    this.#s = `"${options.schema}"`;
    this.snapshots = new PostgresSnapshots(this.pool, options.schema);
    this.sql = new PostgresSqlAccess(this.pool, config, options.schema);
    this.#group = options.groupCommit
      ? new GroupCommit(
          (r) => this.#appendOne(r),
          (rs) => this.#appendGroup(rs),
        )
      : undefined;
    this.keys = new PostgresKeys(this.sql);
    this.wakeups = new PgWakeups(this.pool, config, `cairn_${options.schema}`, options.notify);
  }

  async migrate(): Promise<void> {
    try {
      await migrateSchema(this.pool, this.schema);
    } catch (error) {
      throw translateError(error, `migrate schema "${this.schema}"`);
    }
  }

  setInlineHandler(handler: InlineHandler): void {
    this.#inline = handler;
  }

  readonly #group: GroupCommit | undefined;

  append(request: AppendRequest): Promise<AppendResult> {
    // Conditions take exclusive locks and inline projections a transaction of their own: those go alone.
    if (this.#group && !request.condition && !this.#inline) return this.#group.enqueue(request);
    return this.#appendOne(request);
  }

  /** Many appends in one round trip and one transaction (see GroupCommit); undefined: send them one by one. */
  async #appendGroup(requests: AppendRequest[]): Promise<GroupOutcome[] | undefined> {
    type Row = { idx: number; outcome: 'ok' | 'conflict' | 'duplicate'; new_version: string | null; last_position: string | null; detail: string | null };
    let rows: Row[];
    try {
      rows = (
        await this.pool.query<Row>({
          name: `cairn_append_group_${this.schema}`,
          text: `SELECT * FROM ${this.#s}.append_group($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
          values: groupParams(requests),
        })
      ).rows;
    } catch (error) {
      if (pgCode(error) === SqlState.regroup) return undefined;
      throw translateError(error, `append to ${requests.length} streams`);
    }
    if (rows.some((r) => r.outcome === 'ok')) this.wakeups.published();
    const outcomes: GroupOutcome[] = new Array(requests.length);
    for (const r of rows) {
      outcomes[r.idx] =
        r.outcome === 'ok'
          ? { kind: 'ok', version: Number(r.new_version), position: BigInt(r.last_position as string) }
          : r.outcome === 'conflict'
            ? { kind: 'conflict', actual: Number(r.detail ?? 0) }
            : { kind: 'duplicate' };
    }
    return outcomes;
  }

  async #appendOne(request: AppendRequest): Promise<AppendResult> {
    const { streamId, events } = request;
    const tags = events.some((e) => e.tags.length > 0) ? events.map((e) => (e.tags.length > 0 ? textArrayLiteral(e.tags) : null)) : null;
    try {
      const config = {
        name: `cairn_append_${this.schema}`,
        text: `SELECT new_version, last_position, recorded_at FROM ${this.#s}.append($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        values: [
          streamId,
          encodeExpected(request.expectedVersion),
          events.map((e) => e.eventId),
          events.map((e) => e.type),
          events.map((e) => e.schemaVersion),
          events.map((e) => e.dataJson),
          events.map((e) => e.metadataJson),
          tags,
          events[0]?.recordedAt ? events.map((e) => e.recordedAt) : null,
          request.condition ? JSON.stringify(request.condition.query) : null,
          String(request.condition?.after ?? 0n),
        ],
      };
      type Row = { new_version: string; last_position: string; recorded_at: Date };
      let row: Row;
      if (this.#inline) {
        // Inline projections: the append and their read-model changes in one transaction.
        const inline = this.#inline;
        row = await this.sql.transaction(async (tx) => {
          const [appended] = await tx.query<Row>(config.text, config.values);
          try {
            await inline(storedEvents(request, appended as Row), tx);
          } catch (error) {
            throw new InlineFailure(error);
          }
          return appended as Row;
        });
      } else {
        row = (await this.pool.query<Row>(config)).rows[0] as Row;
      }
      this.wakeups.published();
      return { streamId, version: Number(row.new_version), position: BigInt(row.last_position) };
    } catch (thrown) {
      // An inline projection's own error goes to the caller as it is.
      if (thrown instanceof InlineFailure) throw thrown.cause;
      // Inside an inline transaction the driver error arrives wrapped; look at the original.
      const error = pgCode(thrown) === undefined && (thrown as { cause?: unknown })?.cause !== undefined ? (thrown as { cause: unknown }).cause : thrown;
      const code = pgCode(error);
      if (code === SqlState.conflict) {
        const detail = (error as { detail?: string }).detail ?? '0';
        if (detail.startsWith('condition ')) {
          const [, conflicting, actual] = detail.split(' ');
          throw conditionFailed(streamId, request.condition?.after ?? 0n, BigInt(conflicting ?? 0), Number(actual ?? 0));
        }
        throw new ConcurrencyError(streamId, request.expectedVersion, Number(detail));
      }
      if (code === SqlState.duplicate || (code === '23505' && (error as { constraint?: string }).constraint === 'events_event_id_key')) {
        return resolveDuplicateAppend(request, await this.readByEventIds(events.map((e) => e.eventId)));
      }
      throw translateError(error, `append to stream "${streamId}"`);
    }
  }

  async readStreamPage(request: StreamPageRequest): Promise<StoredEvent[]> {
    const forward = request.direction === 'forward';
    const until = request.until ? ' AND recorded_at <= $5' : '';
    const text = forward
      ? `SELECT ${EVENT_COLUMNS} FROM ${this.#s}.events WHERE stream_id = $1 AND version >= $2 AND version <= $3${until} ORDER BY version LIMIT $4`
      : `SELECT ${EVENT_COLUMNS} FROM ${this.#s}.events WHERE stream_id = $1 AND version <= $2 AND version >= $3${until} ORDER BY version DESC LIMIT $4`;
    const values: unknown[] = [request.streamId, request.fromVersion, request.toVersion, request.limit];
    if (request.until) values.push(request.until);
    const name = `cairn_stream_${forward ? 'f' : 'b'}${until ? 'u' : ''}_${this.schema}`;
    const { rows } = await this.#query<unknown[]>({ name, text, values, rowMode: 'array', types: eventTypes }, `read stream "${request.streamId}"`);
    return rows.map((r) => arrayToStoredEvent(r));
  }

  async readAllPage(request: AllPageRequest): Promise<AllPage> {
    // The page never goes past the settled head: see the gap-free order notes in schema.ts.
    const { rows } = await this.#query<unknown[]>(
      {
        name: `cairn_all_${this.schema}`,
        text: `SELECT * FROM ${this.#s}.read_all($1, $2, $3, $4, $5, $6, $7, $8)`,
        values: [
          String(request.after),
          request.limit,
          request.types ?? null,
          request.categories ?? null,
          request.includeSystem,
          request.partition?.count ?? null,
          request.partition?.index ?? null,
          request.knownHead === undefined ? null : String(request.knownHead),
        ],
        rowMode: 'array',
        types: eventTypes,
      },
      'read the global log',
    );
    return pageOf(rows);
  }

  async readQueryPage(request: QueryPageRequest): Promise<AllPage> {
    const { rows } = await this.#query<unknown[]>(
      {
        name: `cairn_query_${this.schema}`,
        text: `SELECT * FROM ${this.#s}.read_query($1, $2, $3)`,
        values: [JSON.stringify(request.query), String(request.after), request.limit],
        rowMode: 'array',
        types: eventTypes,
      },
      'read by query',
    );
    return pageOf(rows);
  }

  async readByEventIds(eventIds: readonly string[]): Promise<StoredEvent[]> {
    const { rows } = await this.#query<EventRow>(
      { text: `SELECT ${EVENT_COLUMNS} FROM ${this.#s}.events WHERE event_id = ANY($1::uuid[])`, values: [eventIds] },
      'read events by id',
    );
    return rows.map(toStoredEvent);
  }

  async streamInfo(streamId: string): Promise<StreamInfo | null> {
    const { rows } = await this.#query<StreamRow>(
      { name: `cairn_info_${this.schema}`, text: `SELECT * FROM ${this.#s}.streams WHERE stream_id = $1`, values: [streamId] },
      `read stream "${streamId}"`,
    );
    return rows[0] ? toStreamInfo(rows[0]) : null;
  }

  async listStreams(request: ListStreamsRequest): Promise<StreamInfo[]> {
    const values: unknown[] = [];
    let where = 'true';
    if (request.prefix !== undefined) {
      values.push(request.prefix);
      // left() instead of LIKE: ids may contain % and _ literally.
      where += ` AND left(stream_id, length($${values.length})) = $${values.length}`;
    }
    if (request.category !== undefined) {
      values.push(request.category);
      where += ` AND category = $${values.length}`;
    }
    if (request.afterStreamId !== undefined) {
      values.push(request.afterStreamId);
      where += ` AND stream_id > $${values.length}`;
    }
    if (!request.includeSystem) where += " AND left(stream_id, 1) <> '$'";
    values.push(request.limit);
    const { rows } = await this.#query<StreamRow>(
      { text: `SELECT * FROM ${this.#s}.streams WHERE ${where} ORDER BY stream_id LIMIT $${values.length}`, values },
      'list streams',
    );
    return rows.map(toStreamInfo);
  }

  async integrityRows(after: { streamId: string; version: number } | undefined, limit: number): Promise<IntegrityRow[]> {
    const { rows } = await this.#query<{
      stream_id: string;
      version: string;
      position: string;
      event_id: string;
      type: string;
      schema_version: number;
      data: string;
      metadata: string;
      tags: string | null;
      micros: string;
      hash: string;
    }>(
      {
        text: `SELECT stream_id, version, position, event_id, type, schema_version, data::text AS data, metadata::text AS metadata, tags::text AS tags,
                      ((extract(epoch FROM recorded_at) * 1000000)::bigint)::text AS micros, hash
                 FROM ${this.#s}.events WHERE (stream_id, version) > ($1, $2) ORDER BY stream_id, version LIMIT $3`,
        values: [after?.streamId ?? '', after?.version ?? 0, limit],
      },
      'read events to verify',
    );
    return rows.map((r) => ({
      streamId: r.stream_id,
      version: Number(r.version),
      position: BigInt(r.position),
      eventId: r.event_id,
      type: r.type,
      schemaVersion: r.schema_version,
      data: r.data,
      metadata: r.metadata,
      tags: r.tags ?? '',
      recordedMicros: r.micros,
      hash: r.hash,
    }));
  }

  async catalogueEntry(streamId: string): Promise<{ version: number; lastHash: string | null } | null> {
    const { rows } = await this.#query<{ version: string; last_hash: string | null }>(
      { text: `SELECT version, last_hash FROM ${this.#s}.streams WHERE stream_id = $1`, values: [streamId] },
      'read the stream catalogue',
    );
    return rows[0] ? { version: Number(rows[0].version), lastHash: rows[0].last_hash } : null;
  }

  async headPosition(): Promise<Position> {
    const { rows } = await this.#query<{ head: string }>(
      {
        name: `cairn_head_${this.schema}`,
        text: `SELECT ${this.#s}.settled_head() AS head`,
      },
      'read the head position',
    );
    return BigInt(rows[0]?.head ?? 0);
  }

  async close(): Promise<void> {
    await this.wakeups.close();
    await this.sql.close();
    await this.pool.end();
  }

  async #query<Row>(config: QueryConfig, operation: string) {
    try {
      return await this.pool.query<Row>(config);
    } catch (error) {
      throw translateError(error, operation);
    }
  }
}

/** The stored form of an append's events, from its request and the function's result. */
function storedEvents(request: AppendRequest, row: { new_version: string; last_position: string; recorded_at: Date }): StoredEvent[] {
  const n = request.events.length;
  const firstVersion = Number(row.new_version) - n + 1;
  const firstPosition = BigInt(row.last_position) - BigInt(n - 1);
  return request.events.map((e, i) => ({
    streamId: request.streamId,
    version: firstVersion + i,
    position: firstPosition + BigInt(i),
    eventId: e.eventId,
    type: e.type,
    schemaVersion: e.schemaVersion,
    data: JSON.parse(e.dataJson) as unknown,
    metadata: JSON.parse(e.metadataJson) as StoredEvent['metadata'],
    tags: e.tags,
    recordedAt: e.recordedAt ?? row.recorded_at,
  }));
}

/** Marks an error thrown by an inline projection, so it is not mistaken for a database error. */
class InlineFailure extends Error {
  constructor(override readonly cause: unknown) {
    super('inline projection failed');
  }
}

/** read_all / read_query rows: the page head first, then the event (all NULL when the page is empty). */
function pageOf(rows: unknown[][]): AllPage {
  const first = rows[0];
  const head = BigInt((first?.[0] as string | undefined) ?? 0);
  const events = first === undefined || first[1] === null ? [] : rows.map((r) => arrayToStoredEvent(r, 1));
  return { events, head };
}
