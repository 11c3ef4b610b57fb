import { aggregateRepository, ConcurrencyError, createCommandHandler, loadAt, snapshotEvery, snapshotWhenLoadCosts } from '@cairn/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type BankCommand, BankAccount, bank } from './fixtures/bank.js';
import { expectCode, type Suite, sleep, uniqueStream } from './harness.js';

export function domainTests(suite: Suite, propertyRuns: number): void {
  describe('command handler', () => {
    it('decides, appends at the loaded version and returns the new state', async () => {
      const store = await suite.open();
      const accounts = createCommandHandler({ store, decider: bank });
      const id = uniqueStream('account');
      await accounts.handle(id, { type: 'Open', owner: 'Ada' });
      await accounts.handle(id, { type: 'Deposit', amount: 100 });
      const r = await accounts.handle(id, { type: 'Withdraw', amount: 30 });
      expect(r.state).toEqual({ status: 'open', balance: 70, count: 2 });
      expect(r.version).toBe(3);
      expect(r.events.map((e) => [e.type, e.version])).toEqual([['Withdrawn', 3]]);
      expect(r.position).toBe((await store.streamInfo(id))?.position);
      expect((await accounts.load(id)).state).toEqual(r.state);
    });

    it('rejects with a domain error, appends nothing and does not retry', async () => {
      const store = await suite.open();
      let decisions = 0;
      const accounts = createCommandHandler({ store, decider: { ...bank, decide: (c: BankCommand, s) => (decisions++, bank.decide(c, s)) } });
      const id = uniqueStream('account');
      await accounts.handle(id, { type: 'Open', owner: 'Ada' });
      decisions = 0;
      const error = await expectCode<{ details: unknown }>(accounts.handle(id, { type: 'Withdraw', amount: 1 }), 'OVERDRAFT');
      expect(error.details).toEqual({ balance: 0, amount: 1 });
      expect(decisions).toBe(1);
      await accounts.handle(id, { type: 'Close' });
      await expectCode(accounts.handle(id, { type: 'Deposit', amount: 5 }), 'ACCOUNT_CLOSED');
      expect((await store.streamInfo(id))?.version).toBe(2);
    });

    it('8 concurrent withdrawers and depositors never overdraw and lose no deposit', async () => {
      const store = await suite.open();
      const accounts = createCommandHandler({ store, decider: bank, retry: { attempts: 50, baseDelayMs: 1, maxDelayMs: 20 } });
      const id = uniqueStream('account');
      await accounts.handle(id, { type: 'Open', owner: 'Ada' });
      await accounts.handle(id, { type: 'Deposit', amount: 100 });
      let withdrawn = 0;
      let deposited = 100;
      let rejected = 0;
      let retried = 0;
      await Promise.all(
        Array.from({ length: 8 }, async (_, w) => {
          for (let i = 0; i < 15; i++) {
            try {
              if (w % 4 === 0) {
                const r = await accounts.handle(id, { type: 'Deposit', amount: 7 });
                deposited += 7;
                if (r.attempts > 1) retried++;
              } else {
                const r = await accounts.handle(id, { type: 'Withdraw', amount: 9 });
                withdrawn += 9;
                if (r.attempts > 1) retried++;
              }
            } catch (error) {
              if ((error as { code?: string }).code !== 'OVERDRAFT') throw error;
              rejected++;
            }
          }
        }),
      );
      const { state } = await accounts.load(id);
      expect(state.balance).toBe(deposited - withdrawn);
      expect(state.balance).toBeGreaterThanOrEqual(0);
      // Replaying the stream independently: the balance never dipped below zero at any version.
      let balance = 0;
      for await (const e of store.readStream(id)) {
        if (e.type === 'Deposited') balance += (e.data as { amount: number }).amount;
        if (e.type === 'Withdrawn') balance -= (e.data as { amount: number }).amount;
        expect(balance).toBeGreaterThanOrEqual(0);
      }
      expect(balance).toBe(state.balance);
      expect(withdrawn / 9 + rejected).toBe(6 * 15);
      expect(retried).toBeGreaterThan(0); // the race was real
    }, 60_000);

    it('gives up after the configured attempts with a ConcurrencyError that says so', async () => {
      const store = await suite.open();
      const id = uniqueStream('account');
      // A store on which somebody else always writes between the handler's load and its append.
      const racing = new Proxy(store, {
        get(target, key) {
          if (key !== 'append') {
            const value = Reflect.get(target, key) as unknown;
            return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
          }
          return async (...args: Parameters<typeof store.append>) => {
            await target.append(id, [{ type: 'Deposited', data: { amount: 1 } }]);
            return target.append(...args);
          };
        },
      });
      const hostile = createCommandHandler({ store: racing, decider: bank, retry: { attempts: 3, baseDelayMs: 0, maxDelayMs: 0 } });
      await store.append(id, [{ type: 'Opened', data: { owner: 'x' } }]);
      const error = await hostile.handle(id, { type: 'Deposit', amount: 1 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConcurrencyError);
      expect((error as Error).message).toContain('retried 3 times');
      expect((await store.streamInfo(id))?.version).toBe(1 + 3); // only the other writer's events
    });

    it('a repeated command id returns the first outcome and appends nothing', async () => {
      const store = await suite.open();
      const accounts = createCommandHandler({ store, decider: bank });
      const id = uniqueStream('account');
      await accounts.handle(id, { type: 'Open', owner: 'Ada' });
      await accounts.handle(id, { type: 'Deposit', amount: 10 });
      const commandId = `cmd-${crypto.randomUUID()}`;
      const first = await accounts.handle(id, { type: 'Withdraw', amount: 10 }, { commandId });
      // Deciding again would now fail (balance 0): the handler must not decide again.
      const again = await accounts.handle(id, { type: 'Withdraw', amount: 10 }, { commandId });
      expect(again.duplicate).toBe(true);
      expect(again.events.map((e) => e.eventId)).toEqual(first.events.map((e) => e.eventId));
      expect(again.version).toBe(first.version);
      expect(again.state).toEqual(first.state);
      expect((await store.streamInfo(id))?.version).toBe(3);
      expect(first.events[0]?.metadata.commandId).toBe(commandId);
      // Concurrent duplicates: stored once.
      const dup = `cmd-${crypto.randomUUID()}`;
      const results = await Promise.all(Array.from({ length: 6 }, () => accounts.handle(id, { type: 'Deposit', amount: 3 }, { commandId: dup })));
      expect(new Set(results.map((r) => r.version)).size).toBe(1);
      expect((await store.streamInfo(id))?.version).toBe(4);
    });

    it('expectedVersion from the caller: a stale one fails at once', async () => {
      const store = await suite.open();
      const accounts = createCommandHandler({ store, decider: bank });
      const id = uniqueStream('account');
      await accounts.handle(id, { type: 'Open', owner: 'Ada' });
      await accounts.handle(id, { type: 'Deposit', amount: 1 }, { expectedVersion: 1 });
      const error = await expectCode<ConcurrencyError>(accounts.handle(id, { type: 'Deposit', amount: 1 }, { expectedVersion: 1 }), 'CONCURRENCY');
      expect(error.actual).toBe(2);
    });
  });

  describe('snapshots', () => {
    it('every-N policy: loads start from the snapshot and give the same state', async () => {
      const store = await suite.open();
      const accounts = createCommandHandler({ store, decider: bank, snapshots: { policy: snapshotEvery(10) } });
      const plain = createCommandHandler({ store, decider: bank });
      const id = uniqueStream('account');
      await accounts.handle(id, { type: 'Open', owner: 'Ada' });
      for (let i = 1; i <= 35; i++) await accounts.handle(id, { type: 'Deposit', amount: i });
      const snapshot = await store.snapshots.load(id, 'state');
      expect(snapshot?.version).toBeGreaterThanOrEqual(30);
      const loaded = await accounts.load(id);
      expect(loaded.snapshotVersion).toBe(snapshot?.version);
      expect(loaded.eventsReplayed).toBe(36 - (snapshot?.version ?? 0));
      expect(loaded.state).toEqual((await plain.load(id)).state);
      expect(await store.snapshots.delete()).toBeGreaterThan(0);
      expect((await accounts.load(id)).state).toEqual(loaded.state);
    });

    it('a snapshot of an older state schema is ignored and replaced', async () => {
      const store = await suite.open();
      const id = uniqueStream('account');
      await store.append(id, [
        { type: 'Opened', data: { owner: 'A' } },
        { type: 'Deposited', data: { amount: 5 } },
      ]);
      await store.snapshots.save({ streamId: id, name: 'state', version: 2, schemaVersion: 1, state: { wrong: 'shape' } });
      const v2 = createCommandHandler({ store, decider: bank, snapshots: { policy: snapshotEvery(1), schemaVersion: 2 } });
      const loaded = await v2.load(id);
      expect(loaded.snapshotVersion).toBe(0);
      expect(loaded.state).toEqual({ status: 'open', balance: 5, count: 1 });
      expect(await store.snapshots.load(id, 'state')).toMatchObject({ schemaVersion: 2, version: 2, state: loaded.state });
    });

    it('load-cost policy snapshots a stream that is expensive to load', async () => {
      const store = await suite.open();
      const id = uniqueStream('account');
      await store.append(id, [{ type: 'Opened', data: { owner: 'A' } }, ...Array.from({ length: 50 }, () => ({ type: 'Deposited', data: { amount: 1 } }))]);
      const accounts = createCommandHandler({ store, decider: bank, snapshots: { policy: snapshotWhenLoadCosts({ events: 40 }) } });
      expect((await accounts.load(id)).eventsReplayed).toBe(51);
      expect((await accounts.load(id)).eventsReplayed).toBe(0);
      expect((await store.snapshots.load(id, 'state'))?.version).toBe(51);
    });

    it(`property: state with snapshots equals state without, for random histories (${propertyRuns} runs)`, async () => {
      const store = await suite.open();
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.oneof(fc.integer({ min: 1, max: 50 }).map((n) => ({ type: 'Deposit' as const, amount: n })), fc.integer({ min: 1, max: 60 }).map((n) => ({ type: 'Withdraw' as const, amount: n }))), { maxLength: 40 }),
          fc.integer({ min: 1, max: 12 }),
          fc.boolean(),
          async (commands, every, dropSnapshots) => {
            const id = uniqueStream('prop');
            const withSnapshots = createCommandHandler({ store, decider: bank, snapshots: { policy: snapshotEvery(every) } });
            const without = createCommandHandler({ store, decider: bank, name: 'none' });
            await withSnapshots.handle(id, { type: 'Open', owner: 'p' });
            for (const [i, command] of commands.entries()) {
              await (i % 2 ? without : withSnapshots).handle(id, command).catch((e: { code?: string }) => {
                if (e.code !== 'OVERDRAFT') throw e;
              });
            }
            if (dropSnapshots) await store.snapshots.delete({ streamId: id });
            const a = await withSnapshots.load(id);
            const b = await without.load(id);
            expect(a.state).toEqual(b.state);
            expect(a.version).toBe(b.version);
          },
        ),
        { numRuns: propertyRuns },
      );
    }, 120_000);
  });

  describe('time travel', () => {
    it('state as of a version or an instant', async () => {
      const store = await suite.open();
      const accounts = createCommandHandler({ store, decider: bank });
      const id = uniqueStream('account');
      await accounts.handle(id, { type: 'Open', owner: 'Ada' });
      await accounts.handle(id, { type: 'Deposit', amount: 100 });
      await sleep(20);
      const between = new Date();
      await sleep(20);
      await accounts.handle(id, { type: 'Withdraw', amount: 40 });
      expect((await accounts.loadAt(id, { version: 2 })).state.balance).toBe(100);
      expect((await loadAt(store, bank, id, { version: 3 })).state.balance).toBe(60);
      expect(await loadAt(store, bank, id, { at: between })).toEqual({ state: { status: 'open', balance: 100, count: 1 }, version: 2 });
      expect((await loadAt(store, bank, id, { version: 0 })).state).toEqual(bank.initialState());
      await expectCode(loadAt(store, bank, id, { at: new Date('x') }), 'INVALID_ARGUMENT');
    });
  });

  describe('aggregates', () => {
    it('load, save at the loaded version, handle with retries, snapshots', async () => {
      const store = await suite.open();
      const repo = aggregateRepository({ store, factory: () => new BankAccount(), snapshots: { policy: snapshotEvery(5) } });
      const id = uniqueStream('account');
      const fresh = await repo.load(id);
      fresh.deposit(50);
      expect(await repo.save(id, fresh)).toMatchObject({ version: 1 });
      expect(fresh.version).toBe(1);
      expect(fresh.pendingEvents).toEqual([]);
      const a = await repo.load(id);
      const b = await repo.load(id);
      a.withdraw(10);
      b.withdraw(20);
      await repo.save(id, a);
      await expectCode(repo.save(id, b), 'CONCURRENCY');
      for (let i = 0; i < 8; i++) await repo.handle(id, (acc) => acc.deposit(1));
      const r = await repo.handle(id, (acc) => acc.withdraw(3));
      expect(r.state.balance).toBe(50 - 10 + 8 - 3);
      expect(r.state.version).toBe(11);
      expect((await repo.load(id)).balance).toBe(45);
      expect((await store.snapshots.load(id, 'aggregate'))?.version).toBeGreaterThanOrEqual(5);
      await store.snapshots.delete();
      expect((await repo.load(id)).balance).toBe(45);
      expect((await repo.loadAt(id, { version: 2 })).balance).toBe(40);
      await expectCode(repo.handle(id, (acc) => acc.withdraw(1000)), 'OVERDRAFT');
    });
  });
}
