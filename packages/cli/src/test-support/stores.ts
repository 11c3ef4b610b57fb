import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EventStore, openStore, type StoredEvent } from '@cairn/core';
import { createSqliteStore } from '@cairn/sqlite';
import pg from 'pg';
import { expect, inject } from 'vitest';

export type Backend = 'sqlite' | 'postgres';

/** Store URLs for the CLI: SQLite files in a temp dir, PostgreSQL schemas in the test database. */
export class StoreUrls {
  readonly dir = mkdtempSync(join(tmpdir(), 'cairn-cli-'));
  readonly #schemas: string[] = [];
  readonly #opened: EventStore[] = [];
  #n = 0;

  url(backend: Backend): string {
    const n = ++this.#n;
    if (backend === 'sqlite') return `sqlite:${join(this.dir, `db${n}.db`)}`;
    const schema = `cli_${process.pid}_${n}_${Math.random().toString(36).slice(2, 8)}`;
    this.#schemas.push(schema);
    const url = new URL(inject('databaseUrl'));
    url.searchParams.set('schema', schema);
    return url.toString();
  }

  /** The SQLite file behind a sqlite: URL. */
  static path(url: string): string {
    return url.slice('sqlite:'.length);
  }

  /**
   * Open a store in the test process. `fixture: true` opens SQLite without an fsync per
   * commit: for filling source stores fast, never for the store under test.
   */
  async open(url: string, options: { fixture?: boolean } = {}): Promise<EventStore> {
    const store = options.fixture && url.startsWith('sqlite:') ? createSqliteStore({ path: StoreUrls.path(url), synchronous: 'normal' }) : await openStore(url);
    this.#opened.push(store);
    await store.migrate();
    return store;
  }

  async cleanup(): Promise<void> {
    await Promise.allSettled(this.#opened.splice(0).map((s) => s.close()));
    rmSync(this.dir, { recursive: true, force: true });
    if (this.#schemas.length > 0) {
      const client = new pg.Client({ connectionString: inject('databaseUrl') });
      await client.connect();
      for (const schema of this.#schemas.splice(0)) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    }
  }
}

/** What must survive a copy between stores: everything but the position. */
export function portable(e: StoredEvent): Record<string, unknown> {
  return {
    streamId: e.streamId,
    version: e.version,
    eventId: e.eventId,
    type: e.type,
    schemaVersion: e.schemaVersion,
    data: e.data,
    metadata: e.metadata,
    tags: [...e.tags],
    recordedAt: e.recordedAt.toISOString(),
  };
}

/**
 * Assert two stores hold the same events in the same global order (positions aside). Both logs
 * are read at once into an order-sensitive digest of each event's canonical JSON (object keys
 * sorted: PostgreSQL's jsonb reorders them), so memory stays flat; only when the digests differ
 * are the logs walked side by side to name the first differing event.
 */
export async function expectSameLog(a: EventStore, b: EventStore, options: { includeSystem?: boolean } = {}): Promise<number> {
  const [x, y] = await Promise.all([digest(a, options), digest(b, options)]);
  if (x.count === y.count && x.hash === y.hash) return x.count;
  return compareSideBySide(a, b, options);
}

async function digest(store: EventStore, options: { includeSystem?: boolean }): Promise<{ count: number; hash: string }> {
  const hash = createHash('sha256');
  let count = 0;
  for await (const event of store.readAll({ includeSystem: options.includeSystem === true })) {
    hash.update(canonical(portable(event)));
    hash.update('\n');
    count++;
  }
  return { count, hash: hash.digest('hex') };
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Walk both logs side by side and fail at the first event that differs. */
async function compareSideBySide(a: EventStore, b: EventStore, options: { includeSystem?: boolean }): Promise<number> {
  const left = a.readAll({ includeSystem: options.includeSystem === true })[Symbol.asyncIterator]();
  const right = b.readAll({ includeSystem: options.includeSystem === true })[Symbol.asyncIterator]();
  let n = 0;
  for (;;) {
    const [x, y] = await Promise.all([left.next(), right.next()]);
    if (x.done || y.done) {
      expect(x.done && y.done, `one log ends after ${n} events, the other goes on`).toBe(true);
      return n;
    }
    const px = portable(x.value);
    const py = portable(y.value);
    if (JSON.stringify(px) !== JSON.stringify(py)) expect(py, `event #${n + 1}`).toEqual(px); // toEqual ignores key order (jsonb)
    n++;
  }
}
