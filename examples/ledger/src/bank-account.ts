import type { StoredEvent } from '@cairn/core';

/** The BankAccount of seed 000, as events. */
export type BankAccountEvent =
  | { type: 'AccountOpened'; data: { accountId: string; owner: string; currency: string } }
  | { type: 'MoneyDeposited'; data: { amountCents: number; note?: string } }
  | { type: 'MoneyWithdrawn'; data: { amountCents: number; note?: string } };

export interface BankAccount {
  accountId: string | null;
  owner: string | null;
  balanceCents: number;
  transactions: number;
}

export const emptyAccount: BankAccount = { accountId: null, owner: null, balanceCents: 0, transactions: 0 };

/** Current state is a fold over the stream's events. */
export function evolve(state: BankAccount, event: StoredEvent<BankAccountEvent>): BankAccount {
  switch (event.type) {
    case 'AccountOpened':
      return { ...state, accountId: event.data.accountId, owner: event.data.owner };
    case 'MoneyDeposited':
      return { ...state, balanceCents: state.balanceCents + event.data.amountCents, transactions: state.transactions + 1 };
    case 'MoneyWithdrawn':
      return { ...state, balanceCents: state.balanceCents - event.data.amountCents, transactions: state.transactions + 1 };
  }
}
