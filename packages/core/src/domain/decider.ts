import type { EventShape, StoredEvent } from '../types.js';

/**
 * A decider is the functional way to write business logic: how state evolves from events,
 * and which events a command produces from the current state. Pure functions, so they are
 * trivial to test (see `given` in @cairn/testing) and to run anywhere.
 *
 * @example
 * const account: Decider<Account, AccountCommand, AccountEvent> = {
 *   initialState: () => ({ status: 'none', balance: 0 }),
 *   evolve: (s, e) => (e.type === 'MoneyDeposited' ? { ...s, balance: s.balance + e.data.amount } : s),
 *   decide: (c, s) => {
 *     if (s.balance < c.amount) throw new InsufficientFunds(s.balance, c.amount);
 *     return [{ type: 'MoneyWithdrawn', data: { amount: c.amount } }];
 *   },
 * };
 */
export interface Decider<State, Command, Event extends EventShape> {
  /** A fresh initial state. A function, so a mutable state is never shared between loads. */
  initialState(): State;
  evolve(state: State, event: StoredEvent<Event>): State;
  /** The events the command produces; throw a `DomainError` to reject it. */
  decide(command: Command, state: State): Event | readonly Event[];
}

/** Fold events into a state with a decider's evolve. */
export function fold<State, Event extends EventShape>(decider: Pick<Decider<State, never, Event>, 'evolve'>, state: State, events: Iterable<StoredEvent<Event>>): State {
  let current = state;
  for (const event of events) current = decider.evolve(current, event);
  return current;
}
