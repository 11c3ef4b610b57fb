import { type Aggregate, aggregateDecider, type Decider, type EventInput, type EventShape, type StoredEvent } from '@cairn/core';
import { expect } from 'vitest';

type ErrorMatcher = (new (...args: never[]) => Error) | string | ((error: unknown) => void);

/** The event as a decider or aggregate produced it, without store fields, for readable diffs. */
function domainOnly(e: EventShape & { metadata?: unknown; tags?: unknown; schemaVersion?: unknown }): EventShape {
  return { type: e.type, data: e.data };
}

/** Make stored-looking events out of domain events, numbered as one stream's history. */
export function asHistory<E extends EventShape>(events: readonly EventInput<E>[], streamId = 'given-1'): StoredEvent<E>[] {
  const at = new Date('2026-01-01T00:00:00Z').getTime();
  return events.map(
    (e, i) =>
      ({
        ...e,
        streamId,
        version: i + 1,
        position: BigInt(i + 1),
        eventId: e.id ?? `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`,
        schemaVersion: e.schemaVersion ?? 1,
        metadata: e.metadata ?? {},
        tags: e.tags ?? [],
        recordedAt: new Date(at + i * 1000),
      }) as unknown as StoredEvent<E>,
  );
}

export interface When<State, Event extends EventShape> {
  /** The command produced exactly these events (type and data; diffs show what differs). */
  then(expected: readonly EventShape[] | EventShape): void;
  /** The command produced no event. */
  thenNothing(): void;
  /** The command was rejected: by error class, error `code`, or a function asserting on the error. */
  thenThrows(matcher: ErrorMatcher): void;
  /** The state after applying the produced events. */
  thenState(expected: State | ((state: State) => void)): void;
}

export interface Given<State, Command, Event extends EventShape> {
  when(command: Command): When<State, Event>;
}

/**
 * Given past events, when a command, then events (or an error). For deciders.
 *
 * @example
 * given(account, [opened, deposited(100)]).when({ type: 'Withdraw', amount: 500 }).thenThrows('INSUFFICIENT_FUNDS');
 * given(account, [opened]).when({ type: 'Deposit', amount: 5 }).then([{ type: 'MoneyDeposited', data: { amount: 5 } }]);
 */
export function given<State, Command, Event extends EventShape>(
  decider: Decider<State, Command, Event>,
  history: readonly EventInput<Event>[] = [],
): Given<State, Command, Event> {
  return {
    when(command) {
      const run = (): { state: State; produced: Event[]; error?: unknown } => {
        let state = decider.initialState();
        for (const e of asHistory(history)) state = decider.evolve(state, e);
        try {
          const out = decider.decide(command, state);
          const produced = (Array.isArray(out) ? out : [out]) as Event[];
          let after = state;
          for (const e of asHistory(produced, 'given-1').map((e, i) => ({ ...e, version: history.length + i + 1 }))) after = decider.evolve(after, e);
          return { state: after, produced };
        } catch (error) {
          return { state, produced: [], error };
        }
      };
      const succeeded = (): { state: State; produced: Event[] } => {
        const r = run();
        if (r.error !== undefined) throw new Error(`expected events, but the command threw: ${(r.error as Error)?.message ?? String(r.error)}`, { cause: r.error });
        return r;
      };
      return {
        then(expected) {
          const list = Array.isArray(expected) ? expected : [expected];
          expect(succeeded().produced.map(domainOnly)).toEqual(list.map(domainOnly));
        },
        thenNothing() {
          expect(succeeded().produced.map(domainOnly)).toEqual([]);
        },
        thenThrows(matcher) {
          const r = run();
          if (r.error === undefined) {
            throw new Error(`expected the command to be rejected, but it produced ${JSON.stringify(r.produced.map(domainOnly))}`);
          }
          if (typeof matcher === 'string') expect((r.error as { code?: string }).code, (r.error as Error).message).toBe(matcher);
          else if (matcher.prototype instanceof Error || matcher === Error) expect(r.error).toBeInstanceOf(matcher);
          else (matcher as (error: unknown) => void)(r.error);
        },
        thenState(expected) {
          const { state } = succeeded();
          if (typeof expected === 'function') (expected as (s: State) => void)(state);
          else expect(state).toEqual(expected);
        },
      };
    },
  };
}

/**
 * The same for aggregate classes: given past events, when a method call, then events.
 *
 * @example
 * givenAggregate(() => new BankAccount(), [opened]).when((a) => a.deposit(5)).then({ type: 'MoneyDeposited', data: { amount: 5 } });
 */
type EventOf<A> = A extends Aggregate<infer E> ? E : never;

export function givenAggregate<A extends Aggregate<EventOf<A>>>(
  factory: () => A,
  history: readonly EventInput<EventOf<A>>[] = [],
): Given<A, (aggregate: A) => void, EventOf<A>> {
  return given(aggregateDecider<A, EventOf<A>>(factory), history);
}
