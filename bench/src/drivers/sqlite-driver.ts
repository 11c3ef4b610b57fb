import { createRequire } from 'node:module';

/** The slice of better-sqlite3 the bench calls, typed like the SQLite store types it. */
export interface SqliteStatement<Row = unknown> {
  run(...params: unknown[]): { changes: number; lastInsertRowid: number | bigint };
  get(...params: unknown[]): Row | undefined;
  all(...params: unknown[]): Row[];
}

export interface SqliteDatabase {
  prepare<Row = unknown>(sql: string): SqliteStatement<Row>;
  exec(sql: string): void;
  pragma(sql: string, options?: { simple?: boolean }): unknown;
  close(): void;
}

type SqliteConstructor = new (path: string, options?: { timeout?: number }) => SqliteDatabase;

const require = createRequire(import.meta.url);

export function openSqlite(path: string): SqliteDatabase {
  const Driver = require('better-sqlite3') as SqliteConstructor;
  return new Driver(path, { timeout: 5000 });
}

/** Version of the better-sqlite3 package, for the machine description. */
export function betterSqliteVersion(): string {
  try {
    return (require('better-sqlite3/package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** better-sqlite3 errors carry an extended result code such as SQLITE_CONSTRAINT_UNIQUE. */
export function sqliteCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
