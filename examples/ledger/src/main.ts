import { createCommandHandler, DEFAULT_STORE_URL, loadAt, openStore } from '@cairn/core';
import { account, accountStream } from './domain/account.js';

/**
 * The demo `npm start` runs until the full ledger lands: seed 000's bank account on embedded
 * SQLite at ./data/cairn.db — commands through the command handler, the stream read back,
 * and the balance at an earlier version. Run it twice: the second run adds to the history.
 */
const url = process.env.CAIRN_DB ?? DEFAULT_STORE_URL;
const store = await openStore(url);
const accounts = createCommandHandler({ store, decider: account });
const id = '42';
const streamId = accountStream(id);

try {
  if ((await store.streamInfo(streamId)) === null) {
    await accounts.handle(streamId, { type: 'OpenAccount', accountId: id, owner: 'Ada Lovelace' });
  }
  const before = (await accounts.load(streamId)).state;
  await accounts.handle(streamId, { type: 'Deposit', amountCents: 20_000, note: 'salary' });
  const after = await accounts.handle(streamId, { type: 'Withdraw', amountCents: 5_000, note: 'groceries' });
  try {
    await accounts.handle(streamId, { type: 'Withdraw', amountCents: 100_000_000, note: 'a yacht' });
  } catch (error) {
    console.log(`Refused: ${(error as Error).message}\n`);
  }

  console.log(`Cairn demo — store ${url}\n\nStream ${streamId}:`);
  for await (const e of store.readStream(streamId)) {
    const d = e.data as { amountCents?: number; owner?: string };
    const what = d.amountCents !== undefined ? (d.amountCents / 100).toFixed(2) : `owner=${d.owner}`;
    console.log(`  v${String(e.version).padStart(3)}  pos ${String(e.position).padStart(5)}  ${e.recordedAt.toISOString()}  ${e.type.padEnd(15)} ${what}`);
  }
  const first = await loadAt(store, account, streamId, { version: 2 });
  const eur = (cents: number): string => `${(cents / 100).toFixed(2)} EUR`;
  console.log(`\nBalance: ${eur(after.state.balanceCents)} after ${after.state.transactions} transactions (was ${eur(before.balanceCents)} before this run).`);
  console.log(`Time travel: at version 2 the balance was ${eur(first.state.balanceCents)}.`);
} finally {
  await store.close();
}
