import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createProjectionRunner } from '@cairn/core';
import { createSqliteStore } from '@cairn/sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { userCreatedV1ToV2, userPersonalData } from '../domain/user.js';
import { Ledger } from '../ledger.js';
import { planDemoHistory } from './plan-history.js';
import { seedDemoData, seedState } from './seed.js';

describe('demo data', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-seed-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('plans months of a bank: 20,000+ events, failed transfers refunded, closed accounts, old-schema customers', () => {
    const now = new Date('2026-06-15T10:00:00Z');
    const events = planDemoHistory({ now });
    expect(events.length).toBeGreaterThan(20_000);
    const count = (type: string) => events.filter((e) => e.type === type).length;
    expect(count('AccountOpened')).toBe(200);
    expect(count('AccountClosed')).toBe(2);
    expect(count('TransferFailed')).toBeGreaterThanOrEqual(3);
    expect(count('TransferRejected')).toBeGreaterThan(0);
    expect(count('UserEmailChanged')).toBeGreaterThan(10);
    expect(events.some((e) => e.type === 'UserCreated' && e.schemaVersion === 1)).toBe(true);
    const refunds = events.filter((e) => e.type === 'MoneyDeposited' && String((e.data as { note: string }).note).startsWith('refund: '));
    expect(refunds).toHaveLength(count('TransferFailed'));
    const times = events.map((e) => e.recordedAt.getTime());
    expect(Math.min(...times)).toBeGreaterThanOrEqual(Date.parse('2026-02-15T00:00:00Z'));
    expect(Math.max(...times)).toBeLessThan(Date.parse('2026-06-15T00:00:00Z'));
    expect(planDemoHistory({ now }).map((e) => e.type)).toEqual(events.map((e) => e.type)); // same seed, same history
  });

  it('seeds a store with the original times; the read models agree with time travel on every sampled day', async () => {
    const store = createSqliteStore({ path: join(dir, 'seed.db'), personalData: userPersonalData, upcasters: [userCreatedV1ToV2] });
    try {
      expect(await seedState(store)).toBe('empty');
      const progress: number[] = [];
      const report = await seedDemoData(store, { accounts: 30, days: 60, onProgress: (done) => progress.push(done) });
      expect(progress.at(-1)).toBe(report.events);
      expect(await seedState(store)).toBe('seeded');
      const ledger = new Ledger(store);
      const runner = createProjectionRunner({ store, projections: ledger.projections, pollIntervalMs: 100 });
      await runner.start();
      await runner.idle(60_000);
      await runner.stop();
      const opened = await store.readStream('account-1005').toArray();
      expect(opened[0]?.recordedAt.getTime()).toBeLessThan(Date.now() - 20 * 86_400_000);
      for (const accountId of ['1001', '1005', '1008', '1020']) {
        const live = (await ledger.accounts.load(`account-${accountId}`)).state;
        expect((await ledger.summary(accountId))?.balanceCents).toBe(live.balanceCents);
        for (let daysAgo = 0; daysAgo <= 62; daysAgo += 7) {
          const answer = await ledger.balanceOn(accountId, new Date(Date.now() - daysAgo * 86_400_000));
          expect(answer.fromReadModel ?? 0, `${accountId}, ${daysAgo} days ago`).toBe(answer.balanceCents);
        }
      }
      // Old customers were stored as UserCreated v1 and read as v2.
      const user = (await store.readStream('user-c0001').toArray())[0];
      expect(user?.data).toEqual({ contactEmail: expect.stringContaining('@example.com'), name: expect.any(String) });
    } finally {
      await store.close();
    }
  });
});
