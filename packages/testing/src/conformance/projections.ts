import { commandEventId, createProjectionRunner, defineProjection, type EventStore, projectionAdmin, type ProjectionRunner } from '@cairn/core';
import { afterEach, describe, expect, it } from 'vitest';
import { balances, expectedBalances } from './fixtures/balances.js';
import { type Suite, sleep, uniqueStream } from './harness.js';

const deposit = (amount: number, extra: Record<string, unknown> = {}) => ({ type: 'Deposited', data: { amount, ...extra } });
const withdraw = (amount: number) => ({ type: 'Withdrawn', data: { amount } });

async function fill(store: EventStore, streams: number, perStream: number): Promise<string[]> {
  const ids = Array.from({ length: streams }, () => uniqueStream('acct'));
  for (let v = 0; v < perStream; v++) {
    for (const [i, id] of ids.entries()) await store.append(id, [v % 3 === 2 ? withdraw(i + 1) : deposit(10 + v)]);
  }
  return ids;
}

async function until(check: () => Promise<boolean> | boolean, ms = 15_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${ms} ms`);
    await sleep(20);
  }
}

export function projectionTests(suite: Suite): void {
  describe('projections', () => {
    const runners: ProjectionRunner[] = [];
    const run = (store: EventStore, projections: Parameters<typeof createProjectionRunner>[0]['projections'], extra: Partial<Parameters<typeof createProjectionRunner>[0]> = {}) => {
      const runner = createProjectionRunner({ store, projections, superviseMs: 100, pollIntervalMs: 200, retryDelayMs: 5, maxRetryDelayMs: 20, ...extra });
      runners.push(runner);
      return runner;
    };
    afterEach(async () => {
      await Promise.all(runners.splice(0).map((r) => r.stop()));
    });

    it('catches up from the beginning, then follows live events', async () => {
      const store = await suite.open();
      await fill(store, 5, 12);
      const b = balances();
      const runner = run(store, [b.projection], { batchSize: 7 });
      await runner.start();
      await runner.idle();
      expect(await b.read(store, undefined, store.sql)).toEqual(await expectedBalances(store));
      await fill(store, 3, 4);
      await runner.idle();
      expect(await b.read(store, undefined, store.sql)).toEqual(await expectedBalances(store));
      expect(b.violations).toEqual([]);
      const [report] = await runner.status();
      expect(report).toMatchObject({ name: 'balances', status: 'live', eventsBehind: 0, deadLetters: 0 });
      expect(report?.position).toBe(await store.headPosition());
    });

    it('a handler failing after its write is rolled back with the batch, so nothing is applied twice', async () => {
      const store = await suite.open();
      const id = uniqueStream('acct');
      await store.append(id, [deposit(1), deposit(2), deposit(3, { flaky: true }), deposit(4), deposit(5)]);
      const b = balances({ flaky: true });
      const runner = run(store, [b.projection], { batchSize: 50 });
      await runner.start();
      await runner.idle();
      const got = await b.read(store, undefined, store.sql);
      if (store.sql) expect(got.get(id)).toBe(15); // exactly once: the failed batch left no trace
      else expect(got.get(id)).toBeGreaterThanOrEqual(15); // memory: at-least-once, the handler re-applies
      expect(await runner.deadLetters()).toEqual([]);
    });

    it('a poison event is parked in dead letters, the runner goes on, and replay after a fix works', async () => {
      const store = await suite.open();
      let broken = true;
      const b = balances({ poisoned: () => broken });
      const id = uniqueStream('acct');
      await store.append(id, [deposit(1), deposit(100, { poison: true }), deposit(2)]);
      const runner = run(store, [b.projection], { maxAttempts: 3 });
      await runner.start();
      await runner.idle();
      const letters = await runner.deadLetters({ name: 'balances' });
      expect(letters).toHaveLength(1);
      expect(letters[0]).toMatchObject({ projection: 'balances', streamId: id, type: 'Deposited', attempts: 3, status: 'parked' });
      expect(letters[0]?.error).toContain('poison event');
      expect((await b.read(store, undefined, store.sql)).get(id)).toBe(3);
      expect((await runner.status())[0]?.deadLetters).toBe(1);
      await store.append(id, [deposit(4)]);
      await runner.idle();
      expect((await b.read(store, undefined, store.sql)).get(id)).toBe(7);
      broken = false;
      // Through the admin API, as the server and CLI do: the runner picks the request up.
      await projectionAdmin(store).replay(letters[0]!.id);
      await until(async () => (await runner.deadLetters({ name: 'balances' }))[0]?.status === 'replayed', 5000, 'replay');
      expect((await b.read(store, undefined, store.sql)).get(id)).toBe(107);
    });

    it('skipping a dead letter marks it skipped', async () => {
      const store = await suite.open();
      const b = balances({ poisoned: () => true });
      await store.append(uniqueStream('acct'), [deposit(1, { poison: true })]);
      const runner = run(store, [b.projection], { maxAttempts: 1 });
      await runner.start();
      await runner.idle();
      const [letter] = await runner.deadLetters();
      await runner.skipDeadLetter(letter!.id);
      expect((await runner.deadLetters())[0]?.status).toBe('skipped');
    });

    it('pause stops progress, resume continues; lag is visible meanwhile', async () => {
      const store = await suite.open();
      const b = balances();
      const runner = run(store, [b.projection]);
      await runner.start();
      await fill(store, 2, 2);
      await runner.idle();
      await runner.pause('balances');
      await sleep(150);
      const id = uniqueStream('acct');
      await store.append(id, [deposit(5), deposit(6)]);
      await sleep(300);
      expect((await b.read(store, undefined, store.sql)).get(id)).toBeUndefined();
      const [report] = await runner.status();
      expect(report?.paused).toBe(true);
      expect(report?.eventsBehind).toBe(2);
      expect(report?.secondsBehind).toBeGreaterThan(0);
      await runner.resume('balances');
      await runner.idle();
      expect((await b.read(store, undefined, store.sql)).get(id)).toBe(11);
    });

    it('stop finishes the batch in hand; a new runner continues from the checkpoint without repeats', async () => {
      const store = await suite.open();
      const ids = await fill(store, 4, 10);
      let handled = 0;
      const slow = balances({ onEvent: () => sleep(2).then(() => void handled++) });
      const first = createProjectionRunner({ store, projections: [slow.projection], batchSize: 5, superviseMs: 100 });
      await first.start();
      await until(() => handled >= 8, 10_000, 'some progress');
      await first.stop();
      const second = run(store, [slow.projection], { batchSize: 5 });
      await second.start();
      await second.idle();
      expect(await slow.read(store, undefined, store.sql)).toEqual(await expectedBalances(store));
      expect(slow.violations).toEqual([]);
      expect(ids).toHaveLength(4);
    });

    it('rebuild without downtime: a new generation is built beside the live one and takes over', async () => {
      const store = await suite.open();
      await fill(store, 4, 6);
      const b = balances();
      const runner = run(store, [b.projection]);
      await runner.start();
      await runner.idle();
      const before = await b.read(store, undefined, store.sql);
      const generation = await runner.rebuild('balances');
      expect(generation).toBe(2);
      // Writers keep writing during the rebuild; readers keep reading the live generation.
      await fill(store, 2, 3);
      expect((await b.read(store, undefined, store.sql)).size).toBeGreaterThanOrEqual(before.size);
      await until(async () => (await runner.status()).find((r) => r.name === 'balances')?.generation === 2 && (await runner.status())[0]?.status === 'live', 15_000, 'switch');
      await runner.idle();
      expect(await b.read(store, undefined, store.sql)).toEqual(await expectedBalances(store));
      if (store.sql) {
        expect(await runner.liveTable('balances', 'balances')).toBe('balances_g2');
        // The old generation's table is gone.
        await expect(store.sql.query('SELECT * FROM balances_g1')).rejects.toThrow();
      }
      expect(b.violations).toEqual([]);
    });

    it('a new definition version is rebuilt beside the old and switched when caught up', async () => {
      const store = await suite.open();
      await fill(store, 3, 5);
      const v1 = balances();
      const r1 = run(store, [v1.projection]);
      await r1.start();
      await r1.idle();
      await r1.stop();
      const v2 = balances({ version: 2 });
      const r2 = run(store, [v2.projection]);
      await r2.start();
      await until(async () => (await r2.status()).some((r) => r.generation === 2 && r.status === 'live'), 15_000, 'v2 live');
      await r2.idle();
      expect(await v2.read(store, 2, store.sql)).toEqual(await expectedBalances(store));
    });

    it("startFrom 'now' skips history for a brand-new projection", async () => {
      const store = await suite.open();
      await fill(store, 2, 3);
      const b = balances({ startFrom: 'now' });
      const runner = run(store, [b.projection]);
      await runner.start();
      const id = uniqueStream('acct');
      await store.append(id, [deposit(9)]);
      await runner.idle();
      expect([...(await b.read(store, undefined, store.sql)).keys()]).toEqual([id]);
    });

    it('two runners of one projection: one is active; stop it and the other takes over without repeats', async () => {
      const store = await suite.open();
      await fill(store, 3, 5);
      const b = balances();
      const a = run(store, [b.projection], { nodeId: 'a' });
      await a.start();
      await a.idle();
      const c = run(store, [b.projection], { nodeId: 'c' });
      await c.start();
      await sleep(300);
      expect((await c.status())[0]?.runningHere).toEqual([]);
      expect((await a.status())[0]?.runningHere).toEqual([0]);
      await a.stop();
      await fill(store, 2, 3);
      await until(async () => ((await c.status())[0]?.runningHere.length ?? 0) === 1, 10_000, 'takeover');
      await c.idle();
      expect(await b.read(store, undefined, store.sql)).toEqual(await expectedBalances(store));
      expect(b.violations).toEqual([]);
    });

    it('partitioned: runners share the partitions, per-stream order holds, and one stopping hands its share over', async () => {
      const store = await suite.open();
      const b = balances({ partitions: 4 });
      const x = run(store, [b.projection], { nodeId: 'x' });
      const y = run(store, [b.projection], { nodeId: 'y' });
      await x.start();
      await y.start();
      await fill(store, 12, 6);
      await until(async () => {
        const [rx] = await x.status();
        const [ry] = await y.status();
        return (rx?.runningHere.length ?? 0) === 2 && (ry?.runningHere.length ?? 0) === 2;
      }, 10_000, 'an even share');
      await until(async () => (await x.status())[0]?.eventsBehind === 0, 15_000, 'caught up');
      await y.stop();
      await fill(store, 6, 3);
      await until(async () => ((await x.status())[0]?.runningHere.length ?? 0) === 4, 10_000, 'x takes all four');
      await x.idle();
      expect(await b.read(store, undefined, store.sql)).toEqual(await expectedBalances(store));
      expect(b.violations).toEqual([]);
    });

    it('a non-transactional projection may append (a process manager) without blocking the store', async () => {
      const store = await suite.open();
      const manager = defineProjection<{ type: 'Requested'; data: { n: number } }>({
        name: 'followups',
        transactional: false,
        handlers: {
          // At-least-once: the follow-up's id comes from the request's id, so a redelivery is a no-op.
          Requested: async (e, ctx) => {
            await ctx.store.append(`followup-${e.data.n}`, [{ id: await commandEventId(e.eventId, 0), type: 'Done', data: { n: e.data.n } }]);
          },
        },
      });
      const runner = run(store, [manager], { batchSize: 3 });
      await runner.start();
      for (let n = 0; n < 10; n++) await store.append(uniqueStream('req'), [{ type: 'Requested', data: { n } }]);
      await until(async () => (await store.readAll({ types: ['Done'] }).toArray()).length === 10, 10_000, 'ten follow-ups');
      await runner.idle();
      expect((await store.readAll({ types: ['Done'] }).toArray()).map((e) => (e.data as { n: number }).n).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    });

    it('inline projections update the read model in the append transaction', async () => {
      const rows: string[] = [];
      const failing = { on: false };
      const inline = defineProjection<{ type: 'Deposited'; data: { amount: number } }>({
        name: 'inline_totals',
        setup: ({ sql }) => sql?.query('CREATE TABLE IF NOT EXISTS inline_totals (account text PRIMARY KEY, cents bigint NOT NULL)'),
        handlers: {
          Deposited: async (e, { sql }) => {
            if (sql) {
              await sql.query(
                'INSERT INTO inline_totals (account, cents) VALUES ($1, $2) ON CONFLICT (account) DO UPDATE SET cents = inline_totals.cents + excluded.cents',
                [e.streamId, e.data.amount],
              );
            } else rows.push(e.streamId);
            if (failing.on) throw new Error('inline handler failed');
          },
        },
      });
      const store = await suite.open({ inline: [inline] });
      const id = uniqueStream('acct');
      await store.append(id, [deposit(5), deposit(7)]);
      if (store.sql) {
        const [row] = await store.sql.query<{ cents: number | string }>('SELECT cents FROM inline_totals WHERE account = $1', [id]);
        expect(Number(row?.cents)).toBe(12);
        failing.on = true;
        await expect(store.append(id, [deposit(100)])).rejects.toThrow('inline handler failed');
        expect((await store.streamInfo(id))?.version).toBe(2); // the append was rolled back with it
        const [after] = await store.sql.query<{ cents: number | string }>('SELECT cents FROM inline_totals WHERE account = $1', [id]);
        expect(Number(after?.cents)).toBe(12);
      } else {
        expect(rows).toEqual([id, id]);
      }
    });
  });
}
