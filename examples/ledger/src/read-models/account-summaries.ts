import { defineProjection, type ProjectionContext, type SqlExecutor, type StoredEvent } from '@cairn/core';
import type { AccountEvent } from '../domain/account.js';

/**
 * `account_summaries` (seed 000): one row per account with its owner, status, balance,
 * number of transactions and the time of the last one. The same SQL runs on SQLite and
 * PostgreSQL; times are epoch milliseconds so both dialects store them alike.
 */
export interface AccountSummary {
  accountId: string;
  owner: string;
  currency: string;
  status: 'open' | 'closed';
  balanceCents: number;
  transactions: number;
  openedAt: Date;
  lastTransactionAt: Date | null;
  version: number;
}

export const ACCOUNT_SUMMARIES = 'account_summaries';

async function money(e: StoredEvent<AccountEvent>, delta: number, { sql, table }: ProjectionContext): Promise<void> {
  await (sql as SqlExecutor).query(
    `UPDATE ${table(ACCOUNT_SUMMARIES)} SET balance_cents = balance_cents + $2, transactions = transactions + 1, last_transaction_at = $3, version = $4
     WHERE account_id = $1`,
    [(e.data as { accountId: string }).accountId, delta, e.recordedAt.getTime(), e.version],
  );
}

export const accountSummaries = defineProjection<AccountEvent>({
  name: ACCOUNT_SUMMARIES,
  tables: [ACCOUNT_SUMMARIES],
  categories: ['account'],
  setup: async ({ sql, table }) => {
    await sql?.query(
      `CREATE TABLE IF NOT EXISTS ${table(ACCOUNT_SUMMARIES)} (
         account_id text PRIMARY KEY, owner text NOT NULL, currency text NOT NULL, status text NOT NULL,
         balance_cents bigint NOT NULL, transactions bigint NOT NULL, opened_at bigint NOT NULL,
         last_transaction_at bigint, version bigint NOT NULL)`,
    );
    await sql?.query(`CREATE INDEX IF NOT EXISTS ${table(ACCOUNT_SUMMARIES)}_owner ON ${table(ACCOUNT_SUMMARIES)} (owner)`);
  },
  handlers: {
    AccountOpened: async (e, { sql, table }) => {
      await (sql as SqlExecutor).query(
        `INSERT INTO ${table(ACCOUNT_SUMMARIES)} (account_id, owner, currency, status, balance_cents, transactions, opened_at, last_transaction_at, version)
         VALUES ($1, $2, $3, 'open', 0, 0, $4, NULL, $5) ON CONFLICT (account_id) DO NOTHING`,
        [e.data.accountId, e.data.owner, e.data.currency, e.recordedAt.getTime(), e.version],
      );
    },
    MoneyDeposited: (e, ctx) => money(e, e.data.amountCents, ctx),
    MoneyWithdrawn: (e, ctx) => money(e, -e.data.amountCents, ctx),
    AccountClosed: async (e, { sql, table }) => {
      await (sql as SqlExecutor).query(`UPDATE ${table(ACCOUNT_SUMMARIES)} SET status = 'closed', version = $2 WHERE account_id = $1`, [e.data.accountId, e.version]);
    },
  },
});

interface Row {
  account_id: string;
  owner: string;
  currency: string;
  status: 'open' | 'closed';
  balance_cents: number | string;
  transactions: number | string;
  opened_at: number | string;
  last_transaction_at: number | string | null;
  version: number | string;
}

export function toSummary(r: Row): AccountSummary {
  return {
    accountId: r.account_id,
    owner: r.owner,
    currency: r.currency,
    status: r.status,
    balanceCents: Number(r.balance_cents),
    transactions: Number(r.transactions),
    openedAt: new Date(Number(r.opened_at)),
    lastTransactionAt: r.last_transaction_at === null ? null : new Date(Number(r.last_transaction_at)),
    version: Number(r.version),
  };
}

export type SummaryRow = Row;
