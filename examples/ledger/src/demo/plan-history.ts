import { DomainError, type EventMetadata, type StoredEvent } from '@cairn/core';
import { type Account, type AccountCommand, type AccountEvent, account, accountStream } from '../domain/account.js';
import { type Transfer, type TransferCommand, type TransferEvent, transfer, transferStream } from '../domain/transfer.js';
import { userStream } from '../domain/user.js';
import { FIRST_NAMES, LAST_NAMES, SHOPS } from './names.js';
import { Random } from './random.js';

export interface PlannedEvent {
  streamId: string;
  type: string;
  data: unknown;
  metadata: EventMetadata;
  recordedAt: Date;
  schemaVersion?: number;
}

export interface PlanOptions {
  /** Accounts to open. Default 200. */
  accounts?: number;
  /** Days of history, ending yesterday. Default 120. */
  days?: number;
  /** Same seed, same history. Default 42. */
  seed?: number;
  now?: Date;
}

const DAY = 86_400_000;

/**
 * Months of a bank's life, decided by the ledger's own deciders so every event is one the
 * domain would have produced: customers (the oldest stored as UserCreated v1, as the old code
 * wrote them), accounts opened with a first deposit, salaries, card payments refused when the
 * money is not there, transfers — completed, rejected for lack of funds, or failed against a
 * closed account and compensated with a refund — email changes and two closed accounts.
 * Returned in time order, with the times the events "happened".
 */
export function planDemoHistory(options: PlanOptions = {}): PlannedEvent[] {
  const accounts = options.accounts ?? 200;
  const days = options.days ?? 120;
  const rnd = new Random(options.seed ?? 42);
  const today = Math.floor((options.now ?? new Date()).getTime() / DAY) * DAY;
  const start = today - days * DAY;
  const out: PlannedEvent[] = [];
  const meta: EventMetadata = { actor: 'demo-seed' };

  const customerCount = Math.max(1, Math.ceil(accounts * 0.8));
  const customers = Array.from({ length: customerCount }, (_, i) => {
    const first = FIRST_NAMES[i % FIRST_NAMES.length] as string;
    const last = LAST_NAMES[Math.floor(i / FIRST_NAMES.length + i) % LAST_NAMES.length] as string;
    const id = `c${String(i + 1).padStart(4, '0')}`;
    return { id, name: `${first} ${last}`, email: `${first}.${last}`.toLowerCase().replace(/[^a-z.]/g, '') + `${i + 1}@example.com`, created: false, emails: 0 };
  });
  const ids = Array.from({ length: accounts }, (_, i) => String(1001 + i));
  const states = new Map<string, Account>(ids.map((id) => [id, account.initialState()]));
  const openDay = (i: number) => Math.floor((i * Math.min(30, days)) / accounts);
  const closing = new Map<string, number>(accounts >= 20 ? [[ids[7] as string, Math.floor(days * 0.65)], [ids[13] as string, Math.floor(days * 0.8)]] : []);
  const forcedFailures = new Set<number>([Math.floor(days * 0.85), Math.floor(days * 0.9), Math.floor(days * 0.95)]);

  const emit = (streamId: string, e: { type: string; data: unknown }, at: number, metadata = meta, schemaVersion?: number) => {
    out.push({ streamId, type: e.type, data: e.data, metadata, recordedAt: new Date(at), ...(schemaVersion ? { schemaVersion } : {}) });
  };
  /** Run an account command through the decider; false when the domain refuses it. */
  const onAccount = (id: string, command: AccountCommand, at: number, metadata = meta): boolean => {
    const state = states.get(id) as Account;
    let events: AccountEvent[];
    try {
      const decided = account.decide(command, state);
      events = Array.isArray(decided) ? decided : [decided];
    } catch (error) {
      if (error instanceof DomainError) return false;
      throw error;
    }
    let next = state;
    for (const e of events) {
      next = account.evolve(next, asStored(e, at));
      emit(accountStream(id), e, at, metadata);
    }
    states.set(id, next);
    return true;
  };
  const onTransfer = (state: Transfer, command: TransferCommand, at: number, metadata: EventMetadata): Transfer => {
    const decided = transfer.decide(command, state);
    let next = state;
    for (const e of (Array.isArray(decided) ? decided : [decided]) as TransferEvent[]) {
      next = transfer.evolve(next, asStored(e, at));
      emit(transferStream(next.transferId), e, at, metadata);
    }
    return next;
  };
  /** The transfer process of the ledger, step by step, with its compensating refund. */
  const runTransfer = (from: string, to: string, amountCents: number, at: number) => {
    const transferId = `t${String(out.length).padStart(6, '0')}${String(rnd.int(100, 999))}`;
    const m: EventMetadata = { ...meta, correlationId: transferId };
    const money: EventMetadata = { ...m, causationId: transferId };
    let t = onTransfer(transfer.initialState(), { type: 'RequestTransfer', transferId, from, to, amountCents, note: rnd.pick(['rent share', 'dinner', 'birthday present', 'loan', 'holiday']) }, at, m);
    if (!onAccount(from, { type: 'Withdraw', amountCents, note: `transfer to ${to}`, transferId }, at + 1000, money)) {
      const balance = (states.get(from) as Account).balanceCents;
      const reason = (states.get(from) as Account).status === 'open' ? `Account ${from} cannot pay ${amountCents} cents: its balance is ${balance} cents.` : `Account ${from} is closed; it accepts no more commands.`;
      onTransfer(t, { type: 'Reject', reason }, at + 1000, m);
      return;
    }
    t = onTransfer(t, { type: 'MarkDebited' }, at + 1500, m);
    if (onAccount(to, { type: 'Deposit', amountCents, note: `transfer from ${from}`, transferId }, at + 2000, money)) {
      onTransfer(t, { type: 'Complete' }, at + 2500, m);
    } else {
      onAccount(from, { type: 'Deposit', amountCents, note: `refund: transfer to ${to} failed`, transferId }, at + 2500, money);
      onTransfer(t, { type: 'Fail', reason: `Account ${to} is closed; it accepts no more commands.`, refunded: true }, at + 3000, m);
    }
  };

  for (let d = 0; d < days; d++) {
    const dayStart = start + d * DAY;
    // Everything a day holds, at random times between 07:00 and 22:00, then played in time order.
    const todo: Array<{ at: number; run: (at: number) => void }> = [];
    const at = () => dayStart + rnd.int(7 * 3600, 22 * 3600) * 1000;
    ids.forEach((id, i) => {
      const customer = customers[i % customerCount] as (typeof customers)[number];
      const state = () => states.get(id) as Account;
      if (d === openDay(i)) {
        const t = at();
        todo.push({
          at: t,
          run: (t) => {
            if (!customer.created) {
              customer.created = true;
              // The first customers were stored by the old code: UserCreated v1 { email, name }.
              const v1 = d < Math.min(10, days / 4);
              emit(userStream(customer.id), { type: 'UserCreated', data: v1 ? { email: customer.email, name: customer.name } : { contactEmail: customer.email, name: customer.name } }, t - 60_000, meta, v1 ? 1 : 2);
            }
            onAccount(id, { type: 'OpenAccount', accountId: id, owner: customer.name, currency: 'EUR' }, t);
            onAccount(id, { type: 'Deposit', amountCents: rnd.int(50, 3000) * 100, note: 'first deposit' }, t + 30_000);
          },
        });
        return;
      }
      if (d < openDay(i)) return;
      if ((d + i) % 30 === 0) todo.push({ at: dayStart + 8 * 3600_000 + i * 1000, run: (t) => void onAccount(id, { type: 'Deposit', amountCents: rnd.int(1800, 4200) * 100, note: 'salary' }, t) });
      if ((d + i) % 30 === 3) todo.push({ at: dayStart + 9 * 3600_000 + i * 1000, run: (t) => void onAccount(id, { type: 'Withdraw', amountCents: rnd.int(500, 1200) * 100, note: 'rent' }, t) });
      if (rnd.chance(0.04)) todo.push({ at: at(), run: (t) => void onAccount(id, { type: 'Deposit', amountCents: rnd.int(500, 20_000), note: rnd.pick(['cash deposit', 'refund from shop', 'sold a bike']) }, t) });
      if (rnd.chance(0.64)) todo.push({ at: at(), run: (t) => void onAccount(id, { type: 'Withdraw', amountCents: rnd.int(150, 8000), note: rnd.pick(SHOPS) }, t) });
      if (rnd.chance(0.06)) {
        const to = rnd.pick(ids);
        if (to !== id && d >= openDay(ids.indexOf(to))) todo.push({ at: at(), run: (t) => runTransfer(id, to, rnd.int(10, 400) * 100, t) });
      }
      if (customer.created && customer.emails < 2 && rnd.chance(0.0035)) {
        todo.push({
          at: at(),
          run: (t) => {
            const newEmail = customer.email.replace('@', `+${++customer.emails}@`).replace('example.com', rnd.pick(['example.org', 'example.net']));
            emit(userStream(customer.id), { type: 'UserEmailChanged', data: { oldEmail: customer.email, newEmail } }, t);
            customer.email = newEmail;
          },
        });
      }
      if (closing.get(id) === d && state().status === 'open') {
        todo.push({
          at: dayStart + 16 * 3600_000,
          run: (t) => {
            const balance = state().balanceCents;
            if (balance > 0) onAccount(id, { type: 'Withdraw', amountCents: balance, note: 'closing payout' }, t);
            onAccount(id, { type: 'CloseAccount', reason: 'customer moved abroad' }, t + 60_000);
          },
        });
      }
    });
    // A few transfers to a closed account: debited, refused on the credit side, refunded.
    const closed = [...closing.keys()].filter((id) => states.get(id)?.status === 'closed');
    if (forcedFailures.has(d) && closed.length > 0) {
      todo.push({ at: dayStart + 12 * 3600_000, run: (t) => runTransfer(ids[ids.length - 1 - d % 10] as string, rnd.pick(closed), 2_500, t) });
    }
    todo.sort((a, b) => a.at - b.at);
    for (const item of todo) item.run(item.at);
  }
  // Appends need times that never go backwards along a stream.
  return out.sort((a, b) => a.recordedAt.getTime() - b.recordedAt.getTime());
}

/** The deciders fold stored events; the plan has not stored them yet, so it fills in what evolve does not read. */
function asStored<E extends { type: string; data: unknown }>(e: E, at: number): StoredEvent<E> {
  return { ...e, streamId: '', version: 0, position: 0n, eventId: '', schemaVersion: 1, metadata: {}, tags: [], recordedAt: new Date(at) } as unknown as StoredEvent<E>;
}
