import { defineProjection, type ProjectionContext, type SqlExecutor, type StoredEvent } from '@cairn/core';
import type { AccountEvent } from '../domain/account.js';

/**
 * `daily_balances` (seed 002's balance projection, by day): each account's closing balance
 * for every day it moved. "Balance on date D" is then one indexed lookup — the latest day at
 * or before D — and the ledger checks it against time travel over the account's stream.
 */
export const DAILY_BALANCES = 'daily_balances';

export function dayOf(date: Date): string {
  return date.toISOString().slice(0, 10);
}

async function move(e: StoredEvent<AccountEvent>, delta: number, { sql, table }: ProjectionContext): Promise<void> {
  const db = sql as SqlExecutor;
  const t = table(DAILY_BALANCES);
  const accountId = (e.data as { accountId: string }).accountId;
  const [last] = await db.query<{ balance_cents: number | string }>(`SELECT balance_cents FROM ${t} WHERE account_id = $1 ORDER BY day DESC LIMIT 1`, [accountId]);
  const balance = Number(last?.balance_cents ?? 0) + delta;
  await db.query(
    `INSERT INTO ${t} (account_id, day, balance_cents, version) VALUES ($1, $2, $3, $4)
     ON CONFLICT (account_id, day) DO UPDATE SET balance_cents = excluded.balance_cents, version = excluded.version`,
    [accountId, dayOf(e.recordedAt), balance, e.version],
  );
}

export const dailyBalances = defineProjection<AccountEvent>({
  name: DAILY_BALANCES,
  tables: [DAILY_BALANCES],
  categories: ['account'],
  setup: ({ sql, table }) =>
    sql?.query(
      `CREATE TABLE IF NOT EXISTS ${table(DAILY_BALANCES)} (
         account_id text NOT NULL, day text NOT NULL, balance_cents bigint NOT NULL, version bigint NOT NULL,
         PRIMARY KEY (account_id, day))`,
    ),
  handlers: {
    MoneyDeposited: (e, ctx) => move(e, e.data.amountCents, ctx),
    MoneyWithdrawn: (e, ctx) => move(e, -e.data.amountCents, ctx),
  },
});
