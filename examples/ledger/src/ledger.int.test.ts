import { createProjectionRunner, type ProjectionRunner } from '@cairn/core';
import { afterEach, describe, expect, it } from 'vitest';
import { forEachStore } from '../../../test/stores.js';
import { accountStream } from './domain/account.js';
import { transferStream } from './domain/transfer.js';
import { Ledger } from './ledger.js';

forEachStore(
  'ledger',
  ({ open }) => {
    const runners: ProjectionRunner[] = [];
    afterEach(async () => {
      await Promise.all(runners.splice(0).map((r) => r.stop()));
    });
    const start = async () => {
      const store = await open();
      const ledger = new Ledger(store);
      const runner = createProjectionRunner({ store, projections: ledger.projections, superviseMs: 100, pollIntervalMs: 200 });
      runners.push(runner);
      await runner.start();
      return { store, ledger, runner };
    };

    describe('accounts and read models', () => {
      it('account_summaries follow the accounts', async () => {
        const { ledger, runner } = await start();
        await ledger.openAccount({ accountId: 'a1', owner: 'Ada Lovelace' });
        await ledger.openAccount({ accountId: 'a2', owner: 'Charles Babbage', currency: 'GBP' });
        await ledger.deposit('a1', 10_000);
        await ledger.withdraw('a1', 2_500);
        await ledger.deposit('a2', 700);
        await ledger.closeAccount('a2');
        await runner.idle();
        expect(await ledger.summary('a1')).toMatchObject({ owner: 'Ada Lovelace', status: 'open', balanceCents: 7_500, transactions: 2, version: 3 });
        expect(await ledger.summary('a2')).toMatchObject({ currency: 'GBP', status: 'closed', balanceCents: 700, transactions: 1 });
        expect((await ledger.summaries({ search: 'ada' })).map((s) => s.accountId)).toEqual(['a1']);
        expect((await ledger.summaries({ after: 'a1' })).map((s) => s.accountId)).toEqual(['a2']);
      });

      it('balance on a date: time travel and the daily_balances read model agree', async () => {
        const { store, ledger, runner } = await start();
        const day = (d: number, h = 12) => new Date(Date.UTC(2026, 0, d, h));
        await store.append(
          accountStream('jan'),
          [
            { type: 'AccountOpened', data: { accountId: 'jan', owner: 'Ada', currency: 'EUR' }, recordedAt: day(2) },
            { type: 'MoneyDeposited', data: { accountId: 'jan', amountCents: 250_000, note: 'salary' }, recordedAt: day(3) },
            { type: 'MoneyWithdrawn', data: { accountId: 'jan', amountCents: 90_000, note: 'rent' }, recordedAt: day(5) },
            { type: 'MoneyWithdrawn', data: { accountId: 'jan', amountCents: 4_500, note: 'food' }, recordedAt: day(15, 9) },
            { type: 'MoneyWithdrawn', data: { accountId: 'jan', amountCents: 500, note: 'coffee' }, recordedAt: day(15, 17) },
            { type: 'MoneyWithdrawn', data: { accountId: 'jan', amountCents: 12_000, note: 'train' }, recordedAt: day(16) },
          ],
          { expectedVersion: 'no-stream' },
        );
        await runner.idle();
        for (const [d, expected] of [
          [1, 0],
          [3, 250_000],
          [10, 160_000],
          [15, 155_000],
          [20, 143_000],
        ] as const) {
          const answer = await ledger.balanceOn('jan', day(d));
          expect(answer.balanceCents, `day ${d}`).toBe(expected);
          expect(answer.fromReadModel ?? 0, `read model, day ${d}`).toBe(expected);
        }
        expect((await ledger.dailyBalances('jan')).map((r) => r.day)).toEqual(['2026-01-03', '2026-01-05', '2026-01-15', '2026-01-16']);
      });
    });

    describe('transfers', () => {
      it('complete, rejected for lack of funds, and failed with a compensating refund', async () => {
        const { store, ledger, runner } = await start();
        await ledger.openAccount({ accountId: 'from', owner: 'A' });
        await ledger.openAccount({ accountId: 'to', owner: 'B' });
        await ledger.openAccount({ accountId: 'gone', owner: 'C' });
        await ledger.closeAccount('gone');
        await ledger.deposit('from', 1_000);

        const ok = await ledger.requestTransfer({ from: 'from', to: 'to', amountCents: 300 });
        expect((await ledger.waitForTransfer(ok)).status).toBe('completed');
        const poor = await ledger.requestTransfer({ from: 'from', to: 'to', amountCents: 5_000 });
        expect(await ledger.waitForTransfer(poor)).toMatchObject({ status: 'rejected' });
        const closed = await ledger.requestTransfer({ from: 'from', to: 'gone', amountCents: 200 });
        const failed = await ledger.waitForTransfer(closed);
        expect(failed.status).toBe('failed');
        expect(failed.reason).toContain('closed');

        await runner.idle();
        expect((await ledger.summary('from'))?.balanceCents).toBe(700);
        expect((await ledger.summary('to'))?.balanceCents).toBe(300);
        // History is never edited: the failed transfer shows the debit and its refund.
        const fromEvents = (await store.readStream(accountStream('from')).toArray()).map((e) => `${e.type} ${(e.data as { amountCents?: number }).amountCents ?? ''}`.trim());
        expect(fromEvents).toEqual(['AccountOpened', 'MoneyDeposited 1000', 'MoneyWithdrawn 300', 'MoneyWithdrawn 200', 'MoneyDeposited 200']);
        expect((await store.readStream(transferStream(closed)).toArray()).map((e) => e.type)).toEqual(['TransferRequested', 'TransferDebited', 'TransferFailed']);
      });

      it('driving a transfer again repeats nothing', async () => {
        const { store, ledger } = await start();
        await ledger.openAccount({ accountId: 'x', owner: 'X' });
        await ledger.openAccount({ accountId: 'y', owner: 'Y' });
        await ledger.deposit('x', 100);
        const id = await ledger.requestTransfer({ from: 'x', to: 'y', amountCents: 40 });
        await ledger.waitForTransfer(id);
        const before = await store.headPosition();
        await Promise.all([ledger.driveTransfer(id), ledger.driveTransfer(id)]);
        expect(await store.headPosition()).toBe(before);
        expect((await ledger.accounts.load(accountStream('y'))).state.balanceCents).toBe(40);
      });
    });
  },
  ['sqlite', 'postgres'],
);
