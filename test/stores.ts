import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryStore, type EventStore, type EventStoreOptions } from '@cairn/core';
import { createPostgresStore } from '@cairn/postgres';
import { createSqliteStore } from '@cairn/sqlite';
import pg from 'pg';
import { afterAll, afterEach, describe, inject } from 'vitest';

export type OpenStore = (options?: EventStoreOptions) => Promise<EventStore>;

export interface StoreHandle {
  name: 'memory' | 'sqlite' | 'postgres';
  /** A fresh, empty store, closed after the test. */
  open: OpenStore;
  /** Raw SQL on the store opened last (SQLite file or PostgreSQL schema), for checks below the API. */
  rawQuery?(sql: string, params?: unknown[]): Promise<Array<Record<string, unknown>>>;
}

/**
 * Run a describe block once per store: memory, SQLite (a temp file) and PostgreSQL (a fresh
 * schema in the per-run test database). For tests outside the conformance suite that must
 * hold on every store.
 */
export function forEachStore(title: string, body: (store: StoreHandle) => void, only: ReadonlyArray<StoreHandle['name']> = ['memory', 'sqlite', 'postgres']): void {
  for (const name of only) {
    describe(`${title} [${name}]`, () => {
      const opened: EventStore[] = [];
      const dir = name === 'sqlite' ? mkdtempSync(join(tmpdir(), 'cairn-each-')) : '';
      const schemas: string[] = [];
      let last = '';
      const open: OpenStore = async (options = {}) => {
        let store: EventStore;
        if (name === 'memory') store = createMemoryStore(options);
        else if (name === 'sqlite') {
          last = join(dir, `s${opened.length}.db`);
          store = createSqliteStore({ path: last, ...options });
        } else {
          last = `each_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
          schemas.push(last);
          store = createPostgresStore({ connectionString: inject('databaseUrl'), schema: last, ...options });
        }
        opened.push(store);
        await store.migrate();
        return store;
      };
      const rawQuery =
        name === 'memory'
          ? undefined
          : async (sql: string, params: unknown[] = []) => {
              if (name === 'sqlite') {
                const { openDatabaseForTests } = await import('./sqlite-raw.js');
                return openDatabaseForTests(last, sql, params);
              }
              const client = new pg.Client({ connectionString: inject('databaseUrl') });
              await client.connect();
              try {
                await client.query(`SET search_path TO "${last}"`);
                return (await client.query(sql, params)).rows as Array<Record<string, unknown>>;
              } finally {
                await client.end();
              }
            };
      afterEach(async () => {
        await Promise.all(opened.splice(0).map((s) => s.close()));
      });
      afterAll(async () => {
        if (dir) rmSync(dir, { recursive: true, force: true });
        if (schemas.length > 0) {
          const client = new pg.Client({ connectionString: inject('databaseUrl') });
          await client.connect();
          for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
          await client.end();
        }
      });
      body({ name, open, ...(rawQuery ? { rawQuery } : {}) });
    });
  }
}
