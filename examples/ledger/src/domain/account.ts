import { type Decider, DomainError } from '@cairn/core';

/** Seed 000/002's bank account, as a decider. Amounts are integer cents. */
export type AccountEvent =
  | { type: 'AccountOpened'; data: { accountId: string; owner: string; currency: string } }
  | { type: 'MoneyDeposited'; data: { accountId: string; amountCents: number; note: string; transferId?: string } }
  | { type: 'MoneyWithdrawn'; data: { accountId: string; amountCents: number; note: string; transferId?: string } }
  | { type: 'AccountClosed'; data: { accountId: string; reason: string } };

export type AccountCommand =
  | { type: 'OpenAccount'; accountId: string; owner: string; currency?: string }
  | { type: 'Deposit'; amountCents: number; note?: string; transferId?: string }
  | { type: 'Withdraw'; amountCents: number; note?: string; transferId?: string }
  | { type: 'CloseAccount'; reason?: string };

export interface Account {
  status: 'none' | 'open' | 'closed';
  accountId: string;
  owner: string;
  currency: string;
  balanceCents: number;
  transactions: number;
}

export class InsufficientFunds extends DomainError {
  constructor(accountId: string, balanceCents: number, amountCents: number) {
    super('INSUFFICIENT_FUNDS', `Account ${accountId} cannot pay ${amountCents} cents: its balance is ${balanceCents} cents.`, {
      accountId,
      balanceCents,
      amountCents,
    });
  }
}

export class AccountNotOpen extends DomainError {
  constructor(accountId: string, status: Account['status']) {
    super(
      status === 'closed' ? 'ACCOUNT_CLOSED' : 'ACCOUNT_NOT_OPEN',
      status === 'closed' ? `Account ${accountId || '(unknown)'} is closed; it accepts no more commands.` : `Account ${accountId || '(unknown)'} has not been opened.`,
      { accountId, status },
    );
  }
}

export class InvalidAmount extends DomainError {
  constructor(amountCents: unknown) {
    super('INVALID_AMOUNT', `The amount must be a positive whole number of cents, got ${String(amountCents)}.`, { amountCents });
  }
}

export class AccountAlreadyOpen extends DomainError {
  constructor(accountId: string) {
    super('ACCOUNT_ALREADY_OPEN', `Account ${accountId} is already open.`, { accountId });
  }
}

function positive(amountCents: number): number {
  if (!Number.isSafeInteger(amountCents) || amountCents <= 0) throw new InvalidAmount(amountCents);
  return amountCents;
}

export const account: Decider<Account, AccountCommand, AccountEvent> = {
  initialState: () => ({ status: 'none', accountId: '', owner: '', currency: 'EUR', balanceCents: 0, transactions: 0 }),

  evolve(state, event) {
    switch (event.type) {
      case 'AccountOpened':
        return { ...state, status: 'open', accountId: event.data.accountId, owner: event.data.owner, currency: event.data.currency };
      case 'MoneyDeposited':
        return { ...state, balanceCents: state.balanceCents + event.data.amountCents, transactions: state.transactions + 1 };
      case 'MoneyWithdrawn':
        return { ...state, balanceCents: state.balanceCents - event.data.amountCents, transactions: state.transactions + 1 };
      case 'AccountClosed':
        return { ...state, status: 'closed' };
    }
  },

  decide(command, state) {
    if (command.type === 'OpenAccount') {
      if (state.status !== 'none') throw new AccountAlreadyOpen(state.accountId);
      return { type: 'AccountOpened', data: { accountId: command.accountId, owner: command.owner, currency: command.currency ?? 'EUR' } };
    }
    if (state.status !== 'open') throw new AccountNotOpen(state.accountId, state.status);
    const accountId = state.accountId;
    switch (command.type) {
      case 'Deposit':
        return {
          type: 'MoneyDeposited',
          data: { accountId, amountCents: positive(command.amountCents), note: command.note ?? '', ...(command.transferId ? { transferId: command.transferId } : {}) },
        };
      case 'Withdraw': {
        const amountCents = positive(command.amountCents);
        if (amountCents > state.balanceCents) throw new InsufficientFunds(accountId, state.balanceCents, amountCents);
        return { type: 'MoneyWithdrawn', data: { accountId, amountCents, note: command.note ?? '', ...(command.transferId ? { transferId: command.transferId } : {}) } };
      }
      case 'CloseAccount':
        return { type: 'AccountClosed', data: { accountId, reason: command.reason ?? '' } };
    }
  },
};

export const accountStream = (accountId: string): string => `account-${accountId}`;
