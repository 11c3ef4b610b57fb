import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** Run one SQL statement on a SQLite file with the bare driver. */
export function openDatabaseForTests(path: string, sql: string, params: unknown[]): Array<Record<string, unknown>> {
  const Database = require('better-sqlite3') as new (p: string) => {
    prepare(s: string): { reader: boolean; all(...a: unknown[]): unknown[]; run(...a: unknown[]): unknown };
    close(): void;
  };
  const db = new Database(path);
  try {
    const statement = db.prepare(sql);
    return statement.reader ? (statement.all(...params) as Array<Record<string, unknown>>) : (statement.run(...params), []);
  } finally {
    db.close();
  }
}
