import { partitionOf } from '@cairn/core';
import { type Database, openDatabase, type Statement } from './driver.js';

/** One better-sqlite3 connection with a bounded cache of prepared statements. */
export class Connection {
  readonly db: Database;
  readonly #statements = new Map<string, Statement>();

  constructor(path: string, busyTimeoutMs: number, synchronous: 'full' | 'normal') {
    this.db = openDatabase(path, busyTimeoutMs);
    this.db.pragma('journal_mode = WAL');
    // FULL: fsync the WAL on every commit, so an acknowledged append survives power loss.
    // NORMAL: fsync only at checkpoints; survives a process crash, may lose the last commits on power loss.
    this.db.pragma(`synchronous = ${synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    // The same partition function as every Cairn store, so a stream always lands in one partition.
    this.db.function('cairn_partition', { deterministic: true }, (streamId: unknown, count: unknown) => partitionOf(String(streamId), Number(count)));
  }

  stmt<Row>(sql: string): Statement<Row> {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      // Dynamic filters produce many shapes; keep the cache bounded.
      if (this.#statements.size > 200) this.#statements.clear();
      this.#statements.set(sql, statement);
    }
    return statement as Statement<Row>;
  }

  /** A prepared statement returning rows as arrays (cached apart from the object-row one). */
  rawStmt(sql: string): Statement<unknown[]> {
    const key = `raw:${sql}`;
    let statement = this.#statements.get(key) as Statement<unknown[]> | undefined;
    if (statement === undefined) {
      statement = this.db.prepare(sql).raw(true);
      if (this.#statements.size > 200) this.#statements.clear();
      this.#statements.set(key, statement as Statement);
    }
    return statement;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
