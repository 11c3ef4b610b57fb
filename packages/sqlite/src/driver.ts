import { createRequire } from 'node:module';

/** The slice of better-sqlite3 this store calls, typed here so no @types package is needed. */
export interface Statement<Row = unknown> {
  /** True when the statement does not write. */
  readonly readonly: boolean;
  /** True when the statement returns rows (a SELECT, or a write with RETURNING). */
  readonly reader: boolean;
  run(...params: unknown[]): { changes: number; lastInsertRowid: number | bigint };
  get(...params: unknown[]): Row | undefined;
  all(...params: unknown[]): Row[];
  iterate(...params: unknown[]): IterableIterator<Row>;
  /** Rows as arrays of column values instead of objects (cheaper to build). */
  raw(toggle?: boolean): Statement<unknown[]>;
}

export interface Database {
  prepare<Row = unknown>(sql: string): Statement<Row>;
  exec(sql: string): void;
  pragma(sql: string, options?: { simple?: boolean }): unknown;
  function(name: string, options: { deterministic?: boolean }, fn: (...args: unknown[]) => unknown): void;
  close(): void;
  readonly inTransaction: boolean;
  readonly open: boolean;
}

type DatabaseConstructor = new (path: string, options?: { timeout?: number; readonly?: boolean }) => Database;

const require = createRequire(import.meta.url);

export function openDatabase(path: string, timeoutMs: number): Database {
  const Driver = require('better-sqlite3') as DatabaseConstructor;
  return new Driver(path, { timeout: timeoutMs });
}
