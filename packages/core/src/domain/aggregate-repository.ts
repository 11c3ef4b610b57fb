import type { EventStore } from '../event-store.js';
import type { AppendResult, EventMetadata, EventShape } from '../types.js';
import type { Aggregate } from './aggregate.js';
import { type CommandHandler, createCommandHandler, type HandleOptions, type HandleResult } from './command-handler.js';
import type { Decider } from './decider.js';
import type { SnapshotPolicy } from './snapshot-policy.js';
import type { TimePoint } from './load-state.js';
import type { RetryOptions } from './retry.js';

/** A command on an aggregate: call its methods; the events it raises are stored. */
export type AggregateCommand<A> = (aggregate: A) => void;

/** View an aggregate class as a decider, so it gets the command handler's retries, snapshots and idempotency. */
export function aggregateDecider<A extends Aggregate<E>, E extends EventShape>(factory: () => A): Decider<A, AggregateCommand<A>, E> {
  return {
    initialState: factory,
    evolve(aggregate, event) {
      aggregate.replayEvent(event);
      return aggregate;
    },
    decide(command, aggregate) {
      command(aggregate);
      return [...aggregate.pendingEvents];
    },
  };
}

export interface AggregateRepositoryOptions<A> {
  store: EventStore;
  /** A new, empty aggregate. */
  factory: () => A;
  /** Snapshot name. Default 'aggregate'. */
  name?: string;
  snapshots?: { policy: SnapshotPolicy; schemaVersion?: number };
  retry?: RetryOptions;
}

export interface AggregateRepository<A, E extends EventShape> {
  /** Rebuild the aggregate from its stream (snapshot + tail). */
  load(streamId: string): Promise<A>;
  /** Store its pending events at the version it was loaded at; ConcurrencyError when somebody else wrote first. */
  save(streamId: string, aggregate: A, metadata?: EventMetadata): Promise<AppendResult | null>;
  /** Load, run the command, save; on a conflict reload and run it again. */
  handle(streamId: string, command: AggregateCommand<A>, options?: HandleOptions): Promise<HandleResult<A, E>>;
  /** The aggregate as of a version or an instant. */
  loadAt(streamId: string, point: TimePoint): Promise<A>;
}

/**
 * Load and save aggregates, with the command handler's guarantees.
 *
 * @example
 * const accounts = aggregateRepository({ store, factory: () => new BankAccount() });
 * await accounts.handle('account-42', (a) => a.withdraw(500));
 */
export function aggregateRepository<A extends Aggregate<E>, E extends EventShape>(options: AggregateRepositoryOptions<A>): AggregateRepository<A, E> {
  const { store, factory } = options;
  const handler: CommandHandler<A, AggregateCommand<A>, E> = createCommandHandler({
    store,
    decider: aggregateDecider<A, E>(factory),
    name: options.name ?? 'aggregate',
    ...(options.retry ? { retry: options.retry } : {}),
    ...(options.snapshots
      ? {
          snapshots: {
            ...options.snapshots,
            toSnapshot: (a: A) => a.toSnapshot(),
            fromSnapshot: (data: unknown, version: number) => {
              const a = factory();
              a.restoreSnapshot(data, version);
              return a;
            },
          },
        }
      : {}),
  });
  return {
    load: async (streamId) => (await handler.load(streamId)).state,
    async save(streamId, aggregate, metadata) {
      const pending = aggregate.pendingEvents;
      if (pending.length === 0) return null;
      const expectedVersion = aggregate.version === 0 ? 'no-stream' : aggregate.version;
      const result = await store.append(streamId, pending.map((e) => (metadata ? { ...e, metadata } : e)), { expectedVersion });
      aggregate.markSaved(result.version);
      return result;
    },
    handle: (streamId, command, handleOptions) => handler.handle(streamId, command, handleOptions),
    loadAt: async (streamId, point) => (await handler.loadAt(streamId, point)).state,
  };
}
