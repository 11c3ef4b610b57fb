import { ConcurrencyError, DEFAULT_STORE_URL, openStore } from '@cairn/core';
import { type BankAccount, type BankAccountEvent, emptyAccount, evolve } from './bank-account.js';

/**
 * The demo `npm start` runs until the full ledger lands: seed 000's BankAccount, appended to
 * embedded SQLite at ./data/cairn.db, read back and printed. Run it twice: the second run
 * finds the account already open and adds to its history.
 */
const url = process.env.CAIRN_DB ?? DEFAULT_STORE_URL;
const store = await openStore(url);
const streamId = 'account-42';

try {
  const info = await store.streamInfo(streamId);
  if (info === null) {
    await store.append<BankAccountEvent>(
      streamId,
      [{ type: 'AccountOpened', data: { accountId: '42', owner: 'Ada Lovelace', currency: 'EUR' } }],
      { expectedVersion: 'no-stream' },
    );
  }
  let state = emptyAccount;
  for await (const e of store.readStream<BankAccountEvent>(streamId)) state = evolve(state, e);
  const version = (await store.streamInfo(streamId))?.version ?? 0;
  // Each run deposits 200.00 and withdraws 50.00, appended atomically at the version just read.
  await store.append<BankAccountEvent>(
    streamId,
    [
      { type: 'MoneyDeposited', data: { amountCents: 20_000, note: 'salary' } },
      { type: 'MoneyWithdrawn', data: { amountCents: 5_000, note: 'groceries' } },
    ],
    { expectedVersion: version },
  );

  console.log(`Cairn demo — store ${url}\n`);
  console.log(`Stream ${streamId}:`);
  let balance: BankAccount = emptyAccount;
  for await (const e of store.readStream<BankAccountEvent>(streamId)) {
    balance = evolve(balance, e);
    const amount = 'amountCents' in e.data ? ` ${(e.data.amountCents / 100).toFixed(2)}` : ` owner=${e.data.owner}`;
    console.log(
      `  v${String(e.version).padStart(3)}  pos ${String(e.position).padStart(5)}  ${e.recordedAt.toISOString()}  ${e.type.padEnd(15)}${amount}`,
    );
  }
  console.log(`\nBalance: ${(balance.balanceCents / 100).toFixed(2)} EUR after ${balance.transactions} transactions (was ${(state.balanceCents / 100).toFixed(2)}).`);
} catch (error) {
  if (error instanceof ConcurrencyError) console.error(`Someone else wrote to ${streamId} meanwhile; run again.`);
  throw error;
} finally {
  await store.close();
}
