import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryStore, type EventStore, type EventStoreOptions } from '@cairn/core';
import { createPostgresStore } from '@cairn/postgres';
import { createSqliteStore } from '@cairn/sqlite';
import pg from 'pg';
import { inject } from 'vitest';

export type Backend = 'memory' | 'sqlite' | 'postgres';
export const BACKENDS: readonly Backend[] = ['memory', 'sqlite', 'postgres'];

/** Fresh stores of one backend (SQLite temp files, PostgreSQL schemas), dropped by cleanup(). */
export class StoreFactory {
  readonly backend: Backend;
  readonly #dir: string | undefined;
  readonly #schemas: string[] = [];
  readonly #opened: EventStore[] = [];
  #n = 0;

  constructor(backend: Backend) {
    this.backend = backend;
    this.#dir = backend === 'sqlite' ? mkdtempSync(join(tmpdir(), 'cairn-server-')) : undefined;
  }

  /** A URL for `openStore` naming a fresh, empty store (not memory). */
  freshUrl(): string {
    const n = ++this.#n;
    if (this.backend === 'sqlite') return `sqlite:${join(this.#dir as string, `s${n}.db`)}`;
    if (this.backend === 'postgres') {
      const schema = `srv_${process.pid}_${n}_${Math.random().toString(36).slice(2, 8)}`;
      this.#schemas.push(schema);
      const url = new URL(inject('databaseUrl'));
      url.searchParams.set('schema', schema);
      return url.toString();
    }
    return 'memory:';
  }

  async open(url = this.freshUrl(), options: EventStoreOptions = {}): Promise<EventStore> {
    let store: EventStore;
    if (this.backend === 'memory') store = createMemoryStore(options);
    else if (this.backend === 'sqlite') store = createSqliteStore({ path: url.slice('sqlite:'.length), ...options });
    else {
      const parsed = new URL(url);
      const schema = parsed.searchParams.get('schema') ?? 'cairn';
      parsed.searchParams.delete('schema');
      store = createPostgresStore({ connectionString: parsed.toString(), schema, poolSize: 12, ...options });
    }
    this.#opened.push(store);
    await store.migrate();
    return store;
  }

  async cleanup(): Promise<void> {
    await Promise.allSettled(this.#opened.splice(0).map((s) => s.close()));
    if (this.#dir) rmSync(this.#dir, { recursive: true, force: true });
    if (this.#schemas.length > 0) {
      const client = new pg.Client({ connectionString: inject('databaseUrl') });
      await client.connect();
      for (const schema of this.#schemas.splice(0)) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    }
  }
}

/**
 * Wait until the global log has settled up to `position`. On PostgreSQL a transaction held
 * open anywhere in the cluster (another test file, say) holds readers of the global log back
 * until it ends, by design; tests of the global log wait for it instead of racing it.
 */
export async function waitForHead(store: EventStore, position?: bigint, timeoutMs = 20_000): Promise<void> {
  const target = position ?? (await lastPosition(store));
  const deadline = Date.now() + timeoutMs;
  while ((await store.headPosition()) < target) {
    if (Date.now() > deadline) throw new Error(`the global log did not settle up to ${target} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function lastPosition(store: EventStore): Promise<bigint> {
  let max = 0n;
  for (let after: string | undefined; ; ) {
    const page = await store.listStreams({ limit: 1000, includeSystem: true, ...(after ? { afterStreamId: after } : {}) });
    for (const s of page) if (s.position > max) max = s.position;
    if (page.length < 1000) return max;
    after = page.at(-1)?.streamId;
  }
}

/** Retry `check` until it passes or `timeoutMs` runs out (then its last error is thrown). */
export async function eventually(check: () => Promise<void>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
