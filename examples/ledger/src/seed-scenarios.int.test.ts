import { aggregateRepository, createCommandHandler, loadAt } from '@cairn/core';
import { describe, expect, it } from 'vitest';
import { forEachStore } from '../../../test/stores.js';
import { account, accountStream } from './domain/account.js';
import { User, userCreatedV1ToV2, userStream } from './domain/user.js';

forEachStore('seed scenarios', ({ name, open, rawQuery }) => {
  describe('BankAccount', () => {
    it('open, deposit, withdraw, close; overdraft and closed-account commands are refused', async () => {
      const store = await open();
      const accounts = createCommandHandler({ store, decider: account });
      const id = accountStream('1');
      await accounts.handle(id, { type: 'OpenAccount', accountId: '1', owner: 'Ada' });
      await accounts.handle(id, { type: 'Deposit', amountCents: 20_000 });
      await accounts.handle(id, { type: 'Withdraw', amountCents: 5_000 });
      await expect(accounts.handle(id, { type: 'Withdraw', amountCents: 15_001 })).rejects.toMatchObject({ code: 'INSUFFICIENT_FUNDS' });
      const closed = await accounts.handle(id, { type: 'CloseAccount', reason: 'moving' });
      expect(closed.state).toMatchObject({ status: 'closed', balanceCents: 15_000, transactions: 2 });
      await expect(accounts.handle(id, { type: 'Deposit', amountCents: 1 })).rejects.toMatchObject({ code: 'ACCOUNT_CLOSED' });
      expect((await store.readStream(id).toArray()).map((e) => e.type)).toEqual(['AccountOpened', 'MoneyDeposited', 'MoneyWithdrawn', 'AccountClosed']);
    });

    it('8 concurrent withdrawers never overdraw the account and no deposit is lost', async () => {
      const store = await open();
      const accounts = createCommandHandler({ store, decider: account, retry: { attempts: 100, baseDelayMs: 1, maxDelayMs: 25 } });
      const id = accountStream('hot');
      await accounts.handle(id, { type: 'OpenAccount', accountId: 'hot', owner: 'Many' });
      await accounts.handle(id, { type: 'Deposit', amountCents: 1_000 });
      let deposits = 1;
      let withdrawals = 0;
      const withdrawers = Array.from({ length: 8 }, async () => {
        for (let i = 0; i < 12; i++) {
          try {
            await accounts.handle(id, { type: 'Withdraw', amountCents: 30 });
            withdrawals++;
          } catch (error) {
            if ((error as { code?: string }).code !== 'INSUFFICIENT_FUNDS') throw error;
          }
        }
      });
      const depositor = (async () => {
        for (let i = 0; i < 20; i++) {
          await accounts.handle(id, { type: 'Deposit', amountCents: 10 });
          deposits++;
        }
      })();
      await Promise.all([...withdrawers, depositor]);
      const events = await store.readStream(id).toArray();
      expect(events.filter((e) => e.type === 'MoneyDeposited')).toHaveLength(deposits);
      expect(events.filter((e) => e.type === 'MoneyWithdrawn')).toHaveLength(withdrawals);
      let balance = 0;
      for (const e of events) {
        const amount = (e.data as { amountCents?: number }).amountCents ?? 0;
        balance += e.type === 'MoneyDeposited' ? amount : e.type === 'MoneyWithdrawn' ? -amount : 0;
        expect(balance, `balance after version ${e.version}`).toBeGreaterThanOrEqual(0);
      }
      expect((await accounts.load(id)).state.balanceCents).toBe(1_000 + 20 * 10 - withdrawals * 30);
    }, 60_000);

    it('"what was the balance on 15 January?" from history', async () => {
      const store = await open();
      const id = accountStream('jan');
      const at = (day: number, hour = 10) => new Date(Date.UTC(2026, 0, day, hour));
      // January's statement, imported with the times the transactions happened.
      await store.append(
        id,
        [
          { type: 'AccountOpened', data: { accountId: 'jan', owner: 'Ada', currency: 'EUR' }, recordedAt: at(2) },
          { type: 'MoneyDeposited', data: { accountId: 'jan', amountCents: 250_000, note: 'salary' }, recordedAt: at(3) },
          { type: 'MoneyWithdrawn', data: { accountId: 'jan', amountCents: 90_000, note: 'rent' }, recordedAt: at(5) },
          { type: 'MoneyWithdrawn', data: { accountId: 'jan', amountCents: 4_500, note: 'groceries' }, recordedAt: at(15, 18) },
          { type: 'MoneyWithdrawn', data: { accountId: 'jan', amountCents: 12_000, note: 'train' }, recordedAt: at(16, 9) },
          { type: 'MoneyDeposited', data: { accountId: 'jan', amountCents: 3_000, note: 'refund' }, recordedAt: at(28) },
        ],
        { expectedVersion: 'no-stream' },
      );
      const endOf15th = new Date(Date.UTC(2026, 0, 15, 23, 59, 59));
      const jan15 = await loadAt(store, account, id, { at: endOf15th });
      expect(jan15.state.balanceCents).toBe(250_000 - 90_000 - 4_500);
      expect(jan15.version).toBe(4);
      expect((await loadAt(store, account, id, { at: at(31) })).state.balanceCents).toBe(250_000 - 90_000 - 4_500 - 12_000 + 3_000);
      expect((await loadAt(store, account, id, { at: at(1) })).state.status).toBe('none');
    });
  });

  describe('UserAggregate with an upcast UserCreated', () => {
    it('old v1 events load as v2, keep an email history, and stay stored as v1', async () => {
      const id = userStream('7');
      const upcasting = await open({ upcasters: [userCreatedV1ToV2] });
      // Written by the old code, before the schema changed: UserCreated v1 { email, name }.
      await upcasting.append(id, [{ type: 'UserCreated', schemaVersion: 1, data: { email: 'ada@old.example', name: 'Ada' } }]);
      const repo = aggregateRepository({ store: upcasting, factory: () => new User() });
      await repo.handle(id, (u) => u.changeEmail('ada@new.example'));
      const user = await repo.load(id);
      expect(user.email).toBe('ada@new.example');
      expect(user.emailHistory).toEqual(['ada@old.example', 'ada@new.example']);
      const [first] = await upcasting.readStream(id).toArray();
      expect(first).toMatchObject({ type: 'UserCreated', schemaVersion: 2, data: { contactEmail: 'ada@old.example', name: 'Ada' } });
      if (rawQuery) {
        const rows = await rawQuery(
          name === 'sqlite'
            ? "SELECT schema_version, data FROM cairn_events WHERE type = 'UserCreated' ORDER BY position DESC LIMIT 1"
            : "SELECT schema_version, data::text AS data FROM events WHERE type = 'UserCreated' ORDER BY position DESC LIMIT 1",
        );
        expect(rows[0]?.schema_version).toBe(1);
        expect(JSON.parse(rows[0]?.data as string)).toEqual({ email: 'ada@old.example', name: 'Ada' });
      }
    });
  });
});
