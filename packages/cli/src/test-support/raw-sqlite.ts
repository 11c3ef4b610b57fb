import { createRequire } from 'node:module';

interface RawDatabase {
  exec(sql: string): void;
  close(): void;
}

const require = createRequire(import.meta.url);

/** Run SQL on a SQLite file with the bare driver, under Cairn's API: for corrupting a store on purpose. */
export function rawSqlite(path: string, sql: string): void {
  const Database = require('better-sqlite3') as new (p: string) => RawDatabase;
  const db = new Database(path);
  try {
    db.exec(sql);
  } finally {
    db.close();
  }
}
