import { ConcurrencyError } from '../errors.js';
import type { EventStore } from '../event-store.js';
import type { AppendResult, EventInput, EventMetadata, EventShape, Position, Query, StoredEvent } from '../types.js';
import { type Decider, fold } from './decider.js';
import { type RetryOptions, retryPolicy, sleep } from './retry.js';

export interface DecisionHandlerOptions<State, Command, Event extends EventShape> {
  store: EventStore;
  /** Its state is folded from the events matching `query`, across streams. */
  decider: Decider<State, Command, Event>;
  /** The events a decision depends on: the consistency boundary of this command. */
  query: (command: Command) => Query;
  /** Where the new events go. Default: the stream of the first event's first tag (`course:c1` → `course-c1`). */
  streamId?: (command: Command) => string;
  retry?: RetryOptions;
}

export interface DecisionResult<State, Event extends EventShape> {
  state: State;
  /** What the decider returned (empty when it decided nothing). */
  events: EventInput<Event>[];
  /** The append's result, or null when nothing was appended. */
  appended: AppendResult | null;
  /** The query position the successful decision was based on. */
  position: Position;
  attempts: number;
}

export interface DecisionHandler<State, Command, Event extends EventShape> {
  handle(command: Command, options?: { metadata?: EventMetadata }): Promise<DecisionResult<State, Event>>;
}

/**
 * The command handler for rules that span streams (Dynamic Consistency Boundaries): read
 * the events matching the command's query, decide, append on the condition that nothing
 * matching was committed since the read; when somebody else got there first, read again
 * and decide again. Domain errors are never retried.
 *
 * @example
 * const register = createDecisionHandler({
 *   store, decider: uniqueUsername,
 *   query: (c) => [{ types: ['UserRegistered', 'UsernameReleased'], tags: [`username:${c.username}`] }],
 *   streamId: (c) => `user-${c.userId}`,
 * });
 */
export function createDecisionHandler<State, Command, Event extends EventShape>(
  options: DecisionHandlerOptions<State, Command, Event>,
): DecisionHandler<State, Command, Event> {
  const { store, decider } = options;
  const retry = retryPolicy(options.retry);
  return {
    async handle(command, handleOptions = {}) {
      const query = options.query(command);
      for (let attempt = 1; ; attempt++) {
        const read = await store.read<Event>({ query });
        const state = fold(decider, decider.initialState(), read.events as StoredEvent<Event>[]);
        const decided = decider.decide(command, state);
        const events = (Array.isArray(decided) ? decided : [decided]) as EventInput<Event>[];
        if (events.length === 0) return { state, events, appended: null, position: read.position, attempts: attempt };
        const withMetadata = handleOptions.metadata ? events.map((e) => ({ ...e, metadata: { ...handleOptions.metadata, ...e.metadata } })) : events;
        const condition = { failIfEventsMatch: query, after: read.position };
        try {
          const appended = options.streamId
            ? await store.append(options.streamId(command), withMetadata, { condition })
            : await store.append(withMetadata, { condition });
          return { state, events, appended, position: read.position, attempts: attempt };
        } catch (error) {
          if (!(error instanceof ConcurrencyError) || attempt >= retry.attempts) throw error;
          await sleep(retry.delay(attempt));
        }
      }
    },
  };
}
