/** The one payload of every workload (BENCH.md): `MoneyDeposited { accountId, amountCents, note: 64 chars }`. */
export interface MoneyDeposited {
  accountId: string;
  amountCents: number;
  note: string;
}

export const EVENT_TYPE = 'MoneyDeposited';
export const NOTE_LENGTH = 64;

/**
 * A deposit whose note starts with `key`, padded to exactly 64 characters. Workloads that
 * must recognise an event after the round trip (W5's lost/duplicated check, W7's latency
 * lookup) put a unique key there, so the same check works for the store and the raw table,
 * which has no event-id column.
 */
export function deposit(accountId: string, key: string, seq: number): MoneyDeposited {
  const note = `${key}|`.padEnd(NOTE_LENGTH, 'abcdefghijklmnopqrstuvwxyz0123456789'.charAt(seq % 36));
  return { accountId, amountCents: 100 + ((seq * 7919) % 100_000), note: note.slice(0, NOTE_LENGTH) };
}

/** The key a workload put in front of the note. */
export function noteKey(data: MoneyDeposited): string {
  const bar = data.note.indexOf('|');
  return bar === -1 ? data.note : data.note.slice(0, bar);
}
