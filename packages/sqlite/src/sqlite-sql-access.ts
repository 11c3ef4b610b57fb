import { AsyncLocalStorage } from 'node:async_hooks';
import { type Lease, type SqlAccess, type SqlExecutor, toSqlitePlaceholders } from '@cairn/core';
import type { Connection } from './connection.js';
import { translateError } from './errors.js';
import type { Mutex } from './mutex.js';

/** Leases held in this process, per database file: SQLite projections run in one process. */
const heldLeases = new Set<string>();

/**
 * SQL access to the store's file for projections and read models. Reads go to a separate
 * connection that only sees committed data; writes and transactions take the writer
 * connection, one at a time, behind the same lock as appends.
 */
export class SqliteSqlAccess implements SqlAccess {
  readonly dialect = 'sqlite' as const;
  readonly crossProcessLeases = false;
  readonly #writer: Connection;
  readonly #reader: Connection | undefined;
  readonly #lock: Mutex;
  readonly #scope: string;
  readonly #inTransaction = new AsyncLocalStorage<true>();

  constructor(writer: Connection, reader: Connection | undefined, lock: Mutex, scope: string) {
    this.#writer = writer;
    this.#reader = reader;
    this.#lock = lock;
    this.#scope = scope;
  }

  table(name: string): string {
    return `cairn_${name}`;
  }

  async query<Row = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    const text = toSqlitePlaceholders(sql);
    // Inside a transaction callback, plain queries join the transaction instead of waiting for it.
    if (this.#inTransaction.getStore()) return this.#run<Row>(this.#writer, text, params);
    // Pragmas set connection state, and the writer's is the one that matters.
    if (this.#reader && !/^\s*pragma\b/i.test(text)) {
      const statement = this.#reader.stmt<Row>(text);
      if (statement.readonly) return this.#run<Row>(this.#reader, text, params);
    }
    return this.#lock.run(() => this.#run<Row>(this.#writer, text, params));
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    if (this.#inTransaction.getStore()) return fn(this.#tx);
    return this.#lock.run(() => this.inLockedTransaction(fn));
  }

  /** Run `fn` in a transaction on the writer; the caller holds the lock. */
  async inLockedTransaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const db = this.#writer.db;
    db.exec('BEGIN IMMEDIATE');
    try {
      const result = await this.#inTransaction.run(true, () => fn(this.#tx));
      db.exec('COMMIT');
      return result;
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw error;
    }
  }

  /** The executor handed to code running inside the writer's open transaction. */
  readonly #tx: SqlExecutor = {
    dialect: 'sqlite',
    table: (name) => this.table(name),
    query: async <Row>(sql: string, params: readonly unknown[] = []) => this.#run<Row>(this.#writer, toSqlitePlaceholders(sql), params),
  };

  get inTransactionExecutor(): SqlExecutor {
    return this.#tx;
  }

  runInTransactionContext<T>(fn: () => Promise<T>): Promise<T> {
    return this.#inTransaction.run(true, fn);
  }

  async tryLease(key: string): Promise<Lease | null> {
    const k = `${this.#scope}\u0000${key}`;
    if (heldLeases.has(k)) return null;
    heldLeases.add(k);
    let released = false;
    return {
      key,
      lost: false,
      release: async () => {
        if (!released) heldLeases.delete(k);
        released = true;
      },
    };
  }

  #run<Row>(connection: Connection, text: string, params: readonly unknown[]): Row[] {
    try {
      const statement = connection.stmt<Row>(text);
      const bound = bind(text, params);
      if (statement.reader) return statement.all(...bound);
      statement.run(...bound);
      return [];
    } catch (error) {
      throw translateError(error, 'run SQL');
    }
  }
}

/** better-sqlite3 binds `?1, ?2` by name from an object; booleans become 1/0 and undefined null. */
function bind(text: string, params: readonly unknown[]): unknown[] {
  const values = params.map((v) => (v === undefined ? null : typeof v === 'boolean' ? (v ? 1 : 0) : v));
  if (values.length === 0 || !/\?\d/.test(text)) return values;
  return [Object.fromEntries(values.map((v, i) => [i + 1, v]))];
}
