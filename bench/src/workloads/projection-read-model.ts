import { defineProjection, type EventStore, type Projection, type StoredEvent } from '@cairn/core';
import { EVENT_TYPE, type MoneyDeposited } from '../payload.js';

/**
 * The read model P1 and P2 project into: one row per account with its balance and event
 * count, one upsert per event — the simplest SQL read model, the same SQL on both stores.
 * `onEvent` sees each event as it is handled (before its batch commits).
 */
export function balancesProjection(name: string, onEvent?: (e: StoredEvent) => void): Projection {
  return defineProjection<{ type: typeof EVENT_TYPE; data: MoneyDeposited }>({
    name,
    tables: [name],
    setup: ({ sql, table }) => sql?.query(`CREATE TABLE IF NOT EXISTS ${table(name)} (account text PRIMARY KEY, cents bigint NOT NULL, events bigint NOT NULL)`),
    handlers: {
      [EVENT_TYPE]: async (e, { sql, table }) => {
        const t = table(name);
        await sql?.query(
          `INSERT INTO ${t} (account, cents, events) VALUES ($1, $2, 1)
           ON CONFLICT (account) DO UPDATE SET cents = ${t}.cents + excluded.cents, events = ${t}.events + 1`,
          [e.data.accountId, e.data.amountCents],
        );
        onEvent?.(e);
      },
    },
  });
}

/** Events and cents the read model holds, to check it against what was appended. */
export async function readModelTotals(store: EventStore, table: string): Promise<{ events: number; cents: number }> {
  const [row] = (await store.sql?.query<{ events: unknown; cents: unknown }>(`SELECT coalesce(sum(events), 0) AS events, coalesce(sum(cents), 0) AS cents FROM ${table}`)) ?? [];
  return { events: Number(row?.events ?? 0), cents: Number(row?.cents ?? 0) };
}
