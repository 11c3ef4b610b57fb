import { fileURLToPath } from 'node:url';
import type { EventStore } from '@cairn/core';
import { Children } from '@cairn/testing';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPostgresStore } from './index.js';

// Real processes: projection runners in child processes (compiled packages), killed with
// SIGKILL, taking over from each other through PostgreSQL advisory-lock leases.
const fixture = fileURLToPath(new URL('../test/projector.fixture.mjs', import.meta.url));
const built = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const url = inject('databaseUrl');
const children = new Children(fixture, built);
const schemas: string[] = [];
const stores: EventStore[] = [];
let client: pg.Client;

beforeAll(async () => {
  client = new pg.Client({ connectionString: url });
  await client.connect();
});
afterEach(async () => {
  await children.killAll();
  await Promise.all(stores.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await children.killAll();
  for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  await client.end();
});

interface Setup {
  store: EventStore;
  schema: string;
  /** The store URL a child opens with openStore(). */
  storeUrl: string;
}

async function setup(): Promise<Setup> {
  const schema = `proc_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  schemas.push(schema);
  const store = createPostgresStore({ connectionString: url, schema });
  stores.push(store);
  await store.migrate();
  const u = new URL(url);
  u.searchParams.set('schema', schema);
  return { store, schema, storeUrl: u.toString() };
}

/** `perStream` rounds over `streams` accounts, interleaved, so every batch spans many streams. */
async function seed(store: EventStore, prefix: string, streams: number, perStream: number): Promise<void> {
  for (let round = 0; round < perStream; round++) {
    await Promise.all(
      Array.from({ length: streams }, (_, i) =>
        store.append(`${prefix}-${i}`, [round % 4 === 3 ? { type: 'Withdrawn', data: { amount: i + 1 } } : { type: 'Deposited', data: { amount: 10 + round } }]),
      ),
    );
  }
}

const rows = async (sql: string, params: unknown[] = []) => (await client.query(sql, params)).rows as Array<Record<string, unknown>>;

/** The read model as comparable rows: account, balance, last version, events applied. */
const readModel = (schema: string, name: string) => rows(`SELECT account, cents::text, version::text, events::text FROM "${schema}".${name}_g1 ORDER BY account`);
const violations = (schema: string, name: string) => rows(`SELECT * FROM "${schema}".${name}_violations_g1`);
const work = async (schema: string, name: string) =>
  (await rows(`SELECT pid, sum(events)::int AS events FROM "${schema}".${name}_work_g1 GROUP BY pid ORDER BY pid`)) as Array<{ pid: number; events: number }>;
const eventCount = async (schema: string, upTo?: bigint) =>
  Number((await rows(`SELECT count(*)::int AS n FROM "${schema}".events WHERE $1::bigint IS NULL OR position <= $1::bigint`, [upTo?.toString() ?? null]))[0]?.n);
/** The lowest checkpoint over the projection's partitions. */
const checkpoint = async (schema: string, name: string) =>
  BigInt((await rows(`SELECT coalesce(min(position), 0)::text AS p FROM "${schema}".projection_checkpoints WHERE name = $1 AND generation = 1`, [name]))[0]?.p as string);

/** Build `<name>_fresh` from scratch in a child process and expect the same table as `name`. */
async function expectEqualsRebuild(s: Setup, name: string): Promise<void> {
  const fresh = children.spawn({ url: s.storeUrl, name: `${name}_fresh`, batchSize: 1000, exitWhenIdle: true });
  expect((await fresh.exited).code, fresh.stderr).toBe(0);
  const built = await readModel(s.schema, name);
  expect(built.length).toBeGreaterThan(0);
  expect(built).toEqual(await readModel(s.schema, `${name}_fresh`));
  expect(await violations(s.schema, `${name}_fresh`)).toEqual([]);
}

const handled = (c: { tagged(t: string): string[][] }) => c.tagged('h').map(([position]) => BigInt(position as string));

describe('projection runners as real processes [postgres]', () => {
  it('a projector killed with SIGKILL mid-batch and restarted ends identical to a from-scratch rebuild', async () => {
    const s = await setup();
    await seed(s.store, 'acct', 40, 15);
    // Two batches committed, the third 30 events in and held there: its transaction is open when the kill lands.
    const first = children.spawn({ url: s.storeUrl, name: 'ledger', batchSize: 50, delayMs: 2, holdAfter: 130 });
    await first.waitFor(() => first.tagged('holding').length > 0, 'the 130th event');
    await first.kill();
    const seen = handled(first);
    const maxHandled = seen.reduce((a, b) => (b > a ? b : a), 0n);
    const cp = await checkpoint(s.schema, 'ledger');
    expect(cp).toBeGreaterThan(0n);
    expect(cp, 'the kill landed inside a batch: handled events past the checkpoint').toBeLessThan(maxHandled);
    // What the dead process left is exactly what its checkpoint says, no more (the open batch rolled back).
    const applied = (await readModel(s.schema, 'ledger')).reduce((n, r) => n + Number(r.events), 0);
    expect(applied).toBe(await eventCount(s.schema, cp));

    await seed(s.store, 'late', 10, 3); // more arrives while it is down
    const second = children.spawn({ url: s.storeUrl, name: 'ledger', batchSize: 50, exitWhenIdle: true });
    expect((await second.exited).code, second.stderr).toBe(0);
    expect(handled(second)[0], 'the restart resumes right after the checkpoint').toBeGreaterThan(cp);
    expect(await violations(s.schema, 'ledger')).toEqual([]);
    expect((await readModel(s.schema, 'ledger')).reduce((n, r) => n + Number(r.events), 0)).toBe(await eventCount(s.schema));
    await expectEqualsRebuild(s, 'ledger');
  }, 60_000);

  it('two runners of one projection: one is active; SIGKILL it and the other takes over within seconds, nothing applied twice or skipped', async () => {
    const s = await setup();
    await seed(s.store, 'acct', 30, 10);
    const a = children.spawn({ url: s.storeUrl, name: 'ledger', batchSize: 20, delayMs: 5 });
    const b = children.spawn({ url: s.storeUrl, name: 'ledger', batchSize: 20, delayMs: 5 });
    await Promise.all([a.waitFor(() => a.tagged('ready').length > 0, 'ready'), b.waitFor(() => b.tagged('ready').length > 0, 'ready')]);
    await children.until(() => handled(a).length + handled(b).length >= 150, '150 handled events');
    const [active, standby] = handled(a).length > 0 ? [a, b] : [b, a];
    // Only one is active: the standby handled nothing and holds no lease, and only the active one's pid wrote rows.
    expect(handled(standby)).toEqual([]);
    expect(standby.tagged('holds').at(-1)?.[0] ?? '').toBe('');
    expect((await work(s.schema, 'ledger')).map((w) => w.pid)).toEqual([active.pid]);

    await active.kill();
    const killedAt = Date.now();
    const writing = seed(s.store, 'late', 20, 5); // the log keeps growing during the takeover
    await standby.waitFor(() => handled(standby).length > 0, 'the standby taking over', 10_000);
    const takeoverMs = Date.now() - killedAt;
    expect(takeoverMs, 'takeover time').toBeLessThan(5000);
    await writing;
    const head = await s.store.headPosition();
    await children.until(async () => (await checkpoint(s.schema, 'ledger')) >= head, 'the standby catching up', 30_000);
    expect((await standby.stop()).code, standby.stderr).toBe(0);

    expect(await violations(s.schema, 'ledger')).toEqual([]);
    const byPid = await work(s.schema, 'ledger');
    expect(new Set(byPid.map((w) => w.pid))).toEqual(new Set([active.pid, standby.pid]));
    // Every event applied exactly once, by one process or the other.
    expect(byPid.reduce((n, w) => n + w.events, 0)).toBe(await eventCount(s.schema));
    await expectEqualsRebuild(s, 'ledger');
    console.info(`takeover after SIGKILL: ${takeoverMs} ms`);
  }, 60_000);

  it('three processes share a partitioned projection; kill one, the others take its partitions and finish, per-stream order holds', async () => {
    const s = await setup();
    await seed(s.store, 'acct', 60, 8);
    const opts = { url: s.storeUrl, name: 'ledger', partitions: 6, batchSize: 10, delayMs: 4, superviseMs: 150 };
    const procs = [children.spawn(opts), children.spawn(opts), children.spawn(opts)];
    const holds = (c: (typeof procs)[number]) => (c.tagged('holds').at(-1)?.[0] ?? '').split(',').filter((x) => x !== '');
    // Each process settles on some of the six partitions (leases move as the others join).
    await children.until(() => procs.every((c) => holds(c).length > 0), 'all three processes holding partitions', 20_000);
    // (Each line is sampled every 150 ms, so two of them may briefly both show a partition
    // that just moved; exclusivity is proven by the violations table and the work counts.)
    const sharing = procs.map((c) => holds(c));

    let writing = true;
    const writer = (async () => {
      for (let round = 0; writing; round++) {
        await seed(s.store, `live${round}`, 12, 1);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const [victim, ...rest] = procs as [(typeof procs)[number], ...(typeof procs)[number][]];
    await children.until(() => handled(victim).length > 10, 'the victim doing some work');
    await victim.kill();
    // The survivors pick up its partitions once its heartbeat expires.
    await children.until(() => new Set(rest.flatMap((c) => holds(c))).size === 6, 'the survivors holding all six partitions', 15_000);
    await new Promise((r) => setTimeout(r, 500));
    writing = false;
    await writer;
    const head = await s.store.headPosition();
    await children.until(async () => (await checkpoint(s.schema, 'ledger')) >= head, 'the survivors catching up', 30_000);
    for (const c of rest) expect((await c.stop()).code, c.stderr).toBe(0);

    expect(await violations(s.schema, 'ledger'), 'events out of order, repeated or skipped per stream').toEqual([]);
    const byPid = await work(s.schema, 'ledger');
    expect(new Set(byPid.map((w) => w.pid))).toEqual(new Set(procs.map((c) => c.pid)));
    expect(byPid.reduce((n, w) => n + w.events, 0)).toBe(await eventCount(s.schema));
    await expectEqualsRebuild(s, 'ledger');
    console.info(`partitions held before the kill: ${sharing.map((h) => `[${h.join(',')}]`).join(' ')}`);
  }, 60_000);
});
