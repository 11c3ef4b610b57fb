import type { Lease, SqlAccess, SqlExecutor } from '@cairn/core';
import type { Client, Pool, PoolConfig, Queryable } from './driver.js';
import { loadPg } from './driver.js';
import { translateError } from './errors.js';
import { hash32, LockClass } from './locks.js';

const HEARTBEAT_MS = 2000;

/** pg cannot serialize bigint parameters; send them as decimal strings. */
function params(values: readonly unknown[]): unknown[] {
  return values.map((v) => (typeof v === 'bigint' ? v.toString() : v));
}

function executor(q: Queryable, schema: string): SqlExecutor {
  return {
    dialect: 'postgres',
    table: (name) => `"${schema}".${name}`,
    async query<Row>(sql: string, values: readonly unknown[] = []) {
      try {
        return (await q.query<Row>({ text: sql, values: params(values) })).rows;
      } catch (error) {
        throw translateError(error, 'run SQL');
      }
    },
  };
}

/**
 * SQL access for projections and read models. Leases are session advisory locks on one
 * dedicated connection: when this process dies its connection closes and PostgreSQL frees
 * every lease at once, so another runner can take over on its next attempt.
 */
export class PostgresSqlAccess implements SqlAccess {
  readonly dialect = 'postgres' as const;
  readonly crossProcessLeases = true;
  readonly #pool: Pool;
  readonly #config: PoolConfig;
  readonly #schema: string;
  readonly #plain: SqlExecutor;
  #leaseClient: Promise<Client> | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  readonly #leases = new Map<string, { lost: boolean }>();

  constructor(pool: Pool, config: PoolConfig, schema: string) {
    this.#pool = pool;
    this.#config = config;
    this.#schema = schema;
    this.#plain = executor(pool, schema);
  }

  table(name: string): string {
    return `"${this.#schema}".${name}`;
  }

  query<Row = Record<string, unknown>>(sql: string, values?: readonly unknown[]): Promise<Row[]> {
    return this.#plain.query<Row>(sql, values);
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect().catch((error: unknown) => {
      throw translateError(error, 'start a transaction');
    });
    try {
      await client.query('BEGIN');
      const result = await fn(executor(client, this.#schema));
      await client.query('COMMIT');
      client.release();
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release();
      throw error;
    }
  }

  async tryLease(key: string): Promise<Lease | null> {
    // Session advisory locks are re-entrant: exclude other holders in this process ourselves.
    if (this.#leases.has(key)) return null;
    let client: Client;
    try {
      client = await this.#leaseConnection();
    } catch {
      return null;
    }
    const lockKey = [LockClass.lease, hash32(`${this.#schema}:${key}`)];
    const { rows } = await client.query<{ ok: boolean }>({ text: 'SELECT pg_try_advisory_lock($1, $2) AS ok', values: lockKey }).catch(() => ({ rows: [] as { ok: boolean }[] }));
    if (rows[0]?.ok !== true) return null;
    if (this.#leases.has(key)) {
      // Another caller here took it while we waited: undo our extra hold.
      await client.query({ text: 'SELECT pg_advisory_unlock($1, $2)', values: lockKey }).catch(() => undefined);
      return null;
    }
    const state = { lost: false };
    this.#leases.set(key, state);
    return {
      key,
      get lost() {
        return state.lost;
      },
      release: async () => {
        if (this.#leases.get(key) !== state) return;
        this.#leases.delete(key);
        if (!state.lost) await client.query({ text: 'SELECT pg_advisory_unlock($1, $2)', values: lockKey }).catch(() => undefined);
      },
    };
  }

  #leaseConnection(): Promise<Client> {
    this.#leaseClient ??= (async () => {
      const { Client } = loadPg();
      const client = new Client(this.#config);
      const lose = (): void => {
        // The connection is gone, and with it every lock it held: stop working under them.
        for (const state of this.#leases.values()) state.lost = true;
        this.#leases.clear();
        this.#leaseClient = undefined;
        if (this.#heartbeat) clearInterval(this.#heartbeat);
        client.end().catch(() => undefined);
      };
      client.on('error', lose);
      client.on('end', lose);
      await client.connect();
      this.#heartbeat = setInterval(() => void client.query('SELECT 1').catch(lose), HEARTBEAT_MS);
      this.#heartbeat.unref();
      return client;
    })().catch((error: unknown) => {
      this.#leaseClient = undefined;
      throw error;
    });
    return this.#leaseClient;
  }

  async close(): Promise<void> {
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    const pending = this.#leaseClient;
    this.#leaseClient = undefined;
    if (pending) await (await pending.catch(() => undefined))?.end().catch(() => undefined);
  }
}
