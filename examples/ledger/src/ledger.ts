import {
  aggregateRepository,
  type CommandHandler,
  createCommandHandler,
  DomainError,
  defineProjection,
  type EventMetadata,
  type EventStore,
  InvalidArgumentError,
  loadAt,
  type Projection,
  snapshotEvery,
} from '@cairn/core';
import { type Account, type AccountCommand, type AccountEvent, AccountNotOpen, account, accountStream } from './domain/account.js';
import { type Transfer, type TransferCommand, type TransferEvent, transfer, transferStream } from './domain/transfer.js';
import { User, type UserEvent, userStream } from './domain/user.js';
import { ACCOUNT_SUMMARIES, type AccountSummary, accountSummaries, type SummaryRow, toSummary } from './read-models/account-summaries.js';
import { DAILY_BALANCES, dailyBalances, dayOf } from './read-models/daily-balances.js';

export interface BalanceOn {
  accountId: string;
  /** The end of the day asked for. */
  at: Date;
  /** From the account's stream, replayed up to `at` (time travel). */
  balanceCents: number;
  version: number;
  /** The same answer from the daily_balances read model (null when the account did not move before then). */
  fromReadModel: number | null;
}

/**
 * The bank ledger: accounts (a decider), customers (an aggregate), transfers (a process with a
 * compensating step), and the read models. Runs on SQLite and PostgreSQL stores.
 */
export class Ledger {
  readonly accounts: CommandHandler<Account, AccountCommand, AccountEvent>;
  readonly transfers: CommandHandler<Transfer, TransferCommand, TransferEvent>;
  readonly users;
  /** Async projections: run them with `createProjectionRunner({ store, projections: ledger.projections })`. */
  readonly projections: Projection[];

  constructor(readonly store: EventStore) {
    if (store.sql === undefined) throw new InvalidArgumentError('store', 'the ledger keeps its read models in SQL: use a SQLite or PostgreSQL store');
    this.accounts = createCommandHandler({ store, decider: account, snapshots: { policy: snapshotEvery(200) } });
    this.transfers = createCommandHandler({ store, decider: transfer });
    this.users = aggregateRepository<User, UserEvent>({ store, factory: () => new User() });
    this.projections = [accountSummaries, dailyBalances, transferProcess(this)];
  }

  openAccount(input: { accountId: string; owner: string; currency?: string }, meta: { commandId?: string; metadata?: EventMetadata } = {}) {
    return this.handleAccount(input.accountId, { type: 'OpenAccount', ...input }, meta);
  }

  deposit(accountId: string, amountCents: number, note = '', meta: { commandId?: string; metadata?: EventMetadata } = {}) {
    return this.handleAccount(accountId, { type: 'Deposit', amountCents, note }, meta);
  }

  withdraw(accountId: string, amountCents: number, note = '', meta: { commandId?: string; metadata?: EventMetadata } = {}) {
    return this.handleAccount(accountId, { type: 'Withdraw', amountCents, note }, meta);
  }

  closeAccount(accountId: string, reason = '', meta: { commandId?: string; metadata?: EventMetadata } = {}) {
    return this.handleAccount(accountId, { type: 'CloseAccount', reason }, meta);
  }

  /** Runs an account command; an account never opened has no id in its state, so the error is named here. */
  private async handleAccount(accountId: string, command: AccountCommand, meta: { commandId?: string; metadata?: EventMetadata }) {
    try {
      return await this.accounts.handle(accountStream(accountId), command, meta);
    } catch (error) {
      if (error instanceof AccountNotOpen && error.details['accountId'] === '') throw new AccountNotOpen(accountId, 'none');
      throw error;
    }
  }

  /** Ask for a transfer. The `transfer_process` projection carries it out; `waitForTransfer` waits for the outcome. */
  async requestTransfer(input: { transferId?: string; from: string; to: string; amountCents: number; note?: string }, metadata?: EventMetadata) {
    const transferId = input.transferId ?? crypto.randomUUID();
    await this.transfers.handle(transferStream(transferId), { type: 'RequestTransfer', transferId, from: input.from, to: input.to, amountCents: input.amountCents, note: input.note ?? '' }, {
      commandId: `transfer:${transferId}:request`,
      ...(metadata ? { metadata } : {}),
    });
    return transferId;
  }

  /** The transfer's state once it has finished (completed, rejected or failed), or as it is after `timeoutMs`. */
  async waitForTransfer(transferId: string, timeoutMs = 10_000): Promise<Transfer> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { state } = await this.transfers.load(transferStream(transferId));
      if (['completed', 'rejected', 'failed'].includes(state.status) || Date.now() > deadline) return state;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /**
   * Drive one transfer to its end. Every step is a command with an id derived from the
   * transfer's, so running it again after a crash repeats nothing; the projection that calls
   * this has one active runner at a time, so steps never race each other.
   */
  async driveTransfer(transferId: string): Promise<Transfer> {
    const stream = transferStream(transferId);
    for (;;) {
      const { state } = await this.transfers.load(stream);
      const step = (command: TransferCommand, id: string) => this.transfers.handle(stream, command, { commandId: `transfer:${transferId}:${id}` });
      const money = (accountId: string, command: AccountCommand, id: string) =>
        this.handleAccount(accountId, command, { commandId: `transfer:${transferId}:${id}`, metadata: { causationId: transferId } });
      if (state.status === 'requested') {
        try {
          await money(state.from, { type: 'Withdraw', amountCents: state.amountCents, note: `transfer to ${state.to}`, transferId }, 'debit');
          await step({ type: 'MarkDebited' }, 'debited');
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
          await step({ type: 'Reject', reason: error.message }, 'reject');
        }
      } else if (state.status === 'debited') {
        try {
          await money(state.to, { type: 'Deposit', amountCents: state.amountCents, note: `transfer from ${state.from}`, transferId }, 'credit');
          await step({ type: 'Complete' }, 'complete');
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
          // The compensating event: give the money back, and record why.
          await money(state.from, { type: 'Deposit', amountCents: state.amountCents, note: `refund: transfer to ${state.to} failed`, transferId }, 'refund');
          await step({ type: 'Fail', reason: error.message, refunded: true }, 'fail');
        }
      } else {
        return state;
      }
    }
  }

  /** "What was the balance of account X on date D?" — by time travel, checked against the read model. */
  async balanceOn(accountId: string, date: Date): Promise<BalanceOn> {
    const at = new Date(`${dayOf(date)}T23:59:59.999Z`);
    const { state, version } = await loadAt(this.store, account, accountStream(accountId), { at });
    const [row] = await this.#sql().query<{ balance_cents: number | string }>(
      `SELECT balance_cents FROM ${DAILY_BALANCES} WHERE account_id = $1 AND day <= $2 ORDER BY day DESC LIMIT 1`,
      [accountId, dayOf(date)],
    );
    return { accountId, at, balanceCents: state.balanceCents, version, fromReadModel: row ? Number(row.balance_cents) : null };
  }

  async summary(accountId: string): Promise<AccountSummary | null> {
    const [row] = await this.#sql().query<SummaryRow>(`SELECT * FROM ${ACCOUNT_SUMMARIES} WHERE account_id = $1`, [accountId]);
    return row ? toSummary(row) : null;
  }

  /** Summaries by owner or id prefix, in id order, keyset-paged. */
  async summaries(options: { search?: string; after?: string; limit?: number } = {}): Promise<AccountSummary[]> {
    const limit = Math.min(Math.max(options.limit ?? 50, 1), 500);
    const search = options.search?.toLowerCase() ?? '';
    const rows = await this.#sql().query<SummaryRow>(
      `SELECT * FROM ${ACCOUNT_SUMMARIES}
       WHERE ($1 = '' OR lower(owner) LIKE '%' || $1 || '%' OR account_id LIKE $1 || '%') AND account_id > $2
       ORDER BY account_id LIMIT $3`,
      [search, options.after ?? '', limit],
    );
    return rows.map(toSummary);
  }

  /** Daily closing balances of one account, oldest first. */
  async dailyBalances(accountId: string): Promise<Array<{ day: string; balanceCents: number }>> {
    const rows = await this.#sql().query<{ day: string; balance_cents: number | string }>(`SELECT day, balance_cents FROM ${DAILY_BALANCES} WHERE account_id = $1 ORDER BY day`, [
      accountId,
    ]);
    return rows.map((r) => ({ day: r.day, balanceCents: Number(r.balance_cents) }));
  }

  async user(userId: string): Promise<User> {
    return this.users.load(userStream(userId));
  }

  #sql() {
    return this.store.sql as NonNullable<EventStore['sql']>;
  }
}

/** The process manager: carries out every requested transfer (at-least-once; steps are idempotent). */
function transferProcess(ledger: Ledger): Projection {
  return defineProjection<TransferEvent>({
    name: 'transfer_process',
    categories: ['transfer'],
    transactional: false,
    handlers: {
      TransferRequested: async (e) => {
        await ledger.driveTransfer(e.data.transferId);
      },
    },
  });
}
