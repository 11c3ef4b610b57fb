import type { EventStore, StoredEvent } from '@cairn/core';
import pg from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { createPostgresStore } from './index.js';

/**
 * The global-order guarantees that need raw control over transactions: a commit held open
 * on a lower position, a transaction that wrote before appending, rollbacks, and many
 * transactions committing in random order.
 */
const url = inject('databaseUrl');
let schema = '';
let store: EventStore;
const clients: pg.Client[] = [];
let n = 0;

async function raw(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  clients.push(client);
  return client;
}

/** Append through the SQL function inside the caller's own transaction. */
async function rawAppend(client: pg.Client, streamId: string, data: unknown): Promise<bigint> {
  const { rows } = await client.query<{ last_position: string }>(
    `SELECT last_position FROM "${schema}".append($1, -1, ARRAY[gen_random_uuid()], ARRAY['Held'], ARRAY[1], ARRAY[$2::jsonb], ARRAY['{}'::jsonb], ARRAY[NULL::text], NULL::timestamptz[], NULL::jsonb, 0)`,
    [streamId, JSON.stringify(data)],
  );
  return BigInt(rows[0]!.last_position);
}

function collect(s: EventStore, signal: AbortSignal, pollIntervalMs = 50): StoredEvent[] {
  const seen: StoredEvent[] = [];
  void (async () => {
    for await (const e of s.subscribe({ signal, pollIntervalMs })) seen.push(e);
  })();
  return seen;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}

beforeEach(async () => {
  schema = `order_${process.pid}_${++n}`;
  store = createPostgresStore({ connectionString: url, schema });
  await store.migrate();
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.end().catch(() => undefined)));
  await store.close();
});

afterAll(async () => {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  for (let i = 1; i <= n; i++) await c.query(`DROP SCHEMA IF EXISTS "order_${process.pid}_${i}" CASCADE`);
  await c.end();
});

describe('postgres global order', () => {
  it('a subscriber waits for a transaction holding a lower position instead of skipping it', async () => {
    const controller = new AbortController();
    const seen = collect(store, controller.signal);
    await store.append('before-1', [{ type: 'Before', data: {} }]);
    await until(() => seen.length === 1);

    const holder = await raw();
    await holder.query('BEGIN');
    const held = await rawAppend(holder, 'held-1', { held: true });
    const later = await store.append('later-1', [{ type: 'Later', data: {} }]);
    expect(later.position).toBe(held + 1n);

    await sleep(400);
    // The later event is committed and visible to plain SQL, but the store must not pass the hole.
    expect(seen.map((e) => e.type)).toEqual(['Before']);
    expect(await store.headPosition()).toBe(held - 1n);
    expect((await store.readAll().toArray()).map((e) => e.type)).toEqual(['Before']);
    expect((await store.readStream('later-1').toArray())).toHaveLength(1); // stream reads are not held back

    await holder.query('COMMIT');
    await until(() => seen.length === 3);
    expect(seen.map((e) => e.type)).toEqual(['Before', 'Held', 'Later']);
    expect(seen.map((e) => e.position)).toEqual([held - 1n, held, held + 1n]);
    controller.abort();
  });

  it('a rolled-back append leaves a gap that readers pass without waiting', async () => {
    const controller = new AbortController();
    const seen = collect(store, controller.signal);
    const tx = await raw();
    await tx.query('BEGIN');
    const lost = await rawAppend(tx, 'lost-1', {});
    await tx.query('ROLLBACK');
    const kept = await store.append('kept-1', [{ type: 'Kept', data: {} }]);
    expect(kept.position).toBe(lost + 1n);
    await until(() => seen.length === 1);
    expect(seen[0]?.position).toBe(kept.position);
    controller.abort();
  });

  it('an append in a transaction that wrote earlier is held back until every earlier appender settles', async () => {
    const controller = new AbortController();
    const seen = collect(store, controller.signal);
    const a = await raw();
    const b = await raw();
    await a.query('BEGIN');
    await a.query('CREATE TEMP TABLE scratch (x int); INSERT INTO scratch VALUES (1)'); // a gets its (older) id now
    await b.query('BEGIN');
    const first = await rawAppend(b, 'b-1', {}); // b in flight on the lower position
    const second = await rawAppend(a, 'a-1', {}); // a's own id is older than b's, its position higher
    expect(second > first).toBe(true);
    await a.query('COMMIT');
    await sleep(300);
    expect(seen).toHaveLength(0); // a's event is committed, but b may still fill the lower position
    expect(await store.headPosition()).toBe(0n);
    await b.query('COMMIT');
    await until(() => seen.length === 2);
    expect(seen.map((e) => e.position)).toEqual([first, second]);
    controller.abort();
  });

  it('in REPEATABLE READ an append must be the first write of its transaction', async () => {
    const c = await raw();
    await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    const position = await rawAppend(c, 'rr-1', {}); // first write: fine
    await c.query('COMMIT');
    expect(position).toBeGreaterThan(0n);
    await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    await c.query('CREATE TEMP TABLE scratch2 (x int); INSERT INTO scratch2 VALUES (1)');
    const error = await rawAppend(c, 'rr-2', {}).catch((e: unknown) => e as { code?: string; message: string; hint?: string });
    expect((error as { code?: string }).code).toBe('CN001');
    expect((error as { hint?: string }).hint).toContain('READ COMMITTED');
    await c.query('ROLLBACK');
  });

  it('a long transaction that is not an append does not hold readers back', async () => {
    const controller = new AbortController();
    const seen = collect(store, controller.signal);
    const other = await raw();
    await other.query('BEGIN');
    await other.query('SELECT pg_current_xact_id()'); // an old, open transaction with an id (it holds back xmin)
    const r = await store.append('x-1', [{ type: 'X', data: {} }]);
    await until(() => seen.length === 1, 3000);
    expect(await store.headPosition()).toBe(r.position);
    await other.query('COMMIT');
    controller.abort();
  });

  it('200 transactions committing in random order: every subscriber sees each event once, in position order', async () => {
    const controller = new AbortController();
    const seen = collect(store, controller.signal, 20);
    const writers = await Promise.all(Array.from({ length: 8 }, () => raw()));
    const committed: bigint[] = [];
    await Promise.all(
      writers.map(async (client, w) => {
        for (let i = 0; i < 25; i++) {
          await client.query('BEGIN');
          const batch = 1 + ((w + i) % 3);
          const mine: bigint[] = [];
          for (let k = 0; k < batch; k++) {
            // Only the first append of a transaction takes the fast path; later ones the late path.
            mine.push(await rawAppend(client, `w${w}-${i % 4}`, { w, i, k }));
          }
          await sleep(Math.random() * 15);
          if ((w * 25 + i) % 11 === 0) {
            await client.query('ROLLBACK');
          } else {
            await client.query('COMMIT');
            committed.push(...mine);
          }
        }
      }),
    );
    await until(() => seen.length >= committed.length, 15_000);
    await sleep(200);
    controller.abort();
    const positions = seen.map((e) => e.position);
    for (let i = 1; i < positions.length; i++) expect(positions[i]! > positions[i - 1]!).toBe(true);
    expect(positions).toEqual([...committed].sort((x, y) => (x < y ? -1 : 1)));
  }, 60_000);

  it('NOTIFY wakes a subscriber in another process long before its poll interval', async () => {
    const other = createPostgresStore({ connectionString: url, schema });
    try {
      const controller = new AbortController();
      const seen = collect(other, controller.signal, 60_000);
      await sleep(300); // let it reach the live phase and LISTEN
      const started = Date.now();
      await store.append('n-1', [{ type: 'N', data: {} }]);
      await until(() => seen.length === 1, 5000);
      expect(Date.now() - started).toBeLessThan(2000);
      controller.abort();
    } finally {
      await other.close();
    }
  });
});
