import type { Decider } from '@cairn/core';
import { EVENT_TYPE, type MoneyDeposited } from '../payload.js';

/** W8's aggregate: an account whose state is its balance and the number of deposits folded. */
export interface AccountState {
  balanceCents: number;
  deposits: number;
}

export interface DepositEvent {
  type: typeof EVENT_TYPE;
  data: MoneyDeposited;
}

/** Only loaded, never commanded: `decide` is never called by W8. */
export const accountDecider: Decider<AccountState, never, DepositEvent> = {
  initialState: () => ({ balanceCents: 0, deposits: 0 }),
  evolve: (state, event) => ({ balanceCents: state.balanceCents + event.data.amountCents, deposits: state.deposits + 1 }),
  decide: () => [],
};
