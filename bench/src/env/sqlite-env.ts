import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventStore } from '@cairn/core';
import { createSqliteStore } from '@cairn/sqlite';
import { betterSqliteVersion, openSqlite, type SqliteDatabase } from '../drivers/sqlite-driver.js';
import { RAW_SQLITE_DDL, rawSqliteBulkLoad, rawSqliteSubject } from '../raw/sqlite-raw.js';
import { storeSubject } from '../store-subject.js';
import type { Arena, BenchEnv, StoreDescription } from './arena.js';

/** Open the raw database exactly as the store opens its own: WAL, and the same `synchronous`. */
export function openRawSqlite(path: string, synchronous: 'full' | 'normal'): SqliteDatabase {
  const db = openSqlite(path);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
  return db;
}

/**
 * SQLite side of a run: a temporary directory on the machine's disk (not a RAM disk, so
 * fsyncs are real) holding a store file and a raw file per workload, removed afterwards.
 */
export async function openSqliteEnv(synchronous: 'full' | 'normal', baseDir = tmpdir()): Promise<BenchEnv> {
  const dir = mkdtempSync(join(baseDir, 'cairn-bench-'));
  return {
    kind: 'sqlite',
    async describe(): Promise<StoreDescription> {
      const db = openSqlite(':memory:');
      const version = (db.prepare<{ v: string }>('SELECT sqlite_version() AS v').get()?.v ?? '?') as string;
      db.close();
      return {
        kind: 'sqlite',
        version: `SQLite ${version} (better-sqlite3 ${betterSqliteVersion()})`,
        durability: `journal_mode=WAL, synchronous=${synchronous.toUpperCase()}`,
        details: { sqlite_version: version, synchronous, journal_mode: 'wal', directory: dir },
      };
    },

    async arena(workloadId: string): Promise<Arena> {
      const id = workloadId.toLowerCase();
      const storePath = join(dir, `${id}-store.db`);
      const rawPath = join(dir, `${id}-raw.db`);
      const store = createSqliteStore({ path: storePath, synchronous });
      await store.migrate();
      const raw = openRawSqlite(rawPath, synchronous);
      raw.exec(RAW_SQLITE_DDL);
      const others: EventStore[] = [];
      return {
        store,
        storeSide: storeSubject(store),
        rawSide: rawSqliteSubject(raw),
        location: { kind: 'sqlite', storePath, rawPath, synchronous },
        openSecondStore() {
          const again = createSqliteStore({ path: storePath, synchronous });
          others.push(again);
          return again;
        },
        rawBulkLoad: async (rows) => rawSqliteBulkLoad(raw, rows),
        async dispose() {
          await Promise.allSettled([store.close(), ...others.map((o) => o.close())]);
          raw.close();
          for (const path of [storePath, rawPath]) {
            for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
          }
        },
      };
    },

    async close() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
