import { ConcurrencyError, InvalidArgumentError } from '../errors.js';
import type { EventStore } from '../event-store.js';
import type { EventInput, EventMetadata, EventShape, Position, StoredEvent } from '../types.js';
import { commandEventId } from './command-id.js';
import { type Decider, fold } from './decider.js';
import { type Loaded, loadState, type SnapshotOptions, stateAt, type TimePoint } from './load-state.js';
import { type RetryOptions, retryPolicy, sleep } from './retry.js';

export interface CommandHandlerOptions<State, Command, Event extends EventShape> {
  store: EventStore;
  decider: Decider<State, Command, Event>;
  /** Names this model's snapshots, so several models over one stream keep their own. Default 'state'. */
  name?: string;
  snapshots?: SnapshotOptions<State>;
  /** Reload-and-retry on ConcurrencyError. Default: 10 attempts, full-jitter backoff from 5 ms to 500 ms. */
  retry?: RetryOptions;
}

export interface HandleOptions {
  /**
   * Makes the command idempotent: its events get ids derived from this id, and a command
   * id seen before returns the first outcome without deciding or appending again.
   */
  commandId?: string;
  /** Merged into every event's metadata (commandId is added when given). */
  metadata?: EventMetadata;
  /** The version the caller acted on (e.g. from an ETag). A mismatch throws ConcurrencyError at once, without retrying. */
  expectedVersion?: number;
}

export interface HandleResult<State, Event extends EventShape> {
  streamId: string;
  /** State after the command. Events appended now carry this process's clock as recordedAt; a reload gives the stored times. */
  state: State;
  /** The events this command produced (empty when it decided nothing). */
  events: StoredEvent<Event>[];
  version: number;
  /** Position of the last event, or null when nothing was appended. */
  position: Position | null;
  /** How many attempts it took (1 without a conflict). */
  attempts: number;
  /** True when the command id had been handled before and this is its first outcome again. */
  duplicate: boolean;
}

export interface CommandHandler<State, Command, Event extends EventShape> {
  /** Load, decide, append at the loaded version; on a conflict reload and retry. */
  handle(streamId: string, command: Command, options?: HandleOptions): Promise<HandleResult<State, Event>>;
  /** The current state (snapshot + tail when snapshots are on; saves a new snapshot when the policy says so). */
  load(streamId: string): Promise<Loaded<State>>;
  /** Time travel: the state as of a stream version or an instant. */
  loadAt(streamId: string, point: TimePoint): Promise<{ state: State; version: number }>;
}

/**
 * The command handler: the one place that turns commands into stored events, safely under
 * concurrency. Domain errors (anything but ConcurrencyError) are never retried.
 *
 * @example
 * const accounts = createCommandHandler({ store, decider: account, snapshots: { policy: snapshotEvery(100) } });
 * await accounts.handle('account-42', { type: 'Withdraw', amountCents: 500 }, { commandId: requestId });
 */
export function createCommandHandler<State, Command, Event extends EventShape>(
  options: CommandHandlerOptions<State, Command, Event>,
): CommandHandler<State, Command, Event> {
  const { store, decider } = options;
  const name = options.name ?? 'state';
  const retry = retryPolicy(options.retry);
  const snapshots = options.snapshots;
  if (snapshots !== undefined && typeof snapshots.policy !== 'function') {
    throw new InvalidArgumentError('snapshots.policy', 'expected a policy such as snapshotEvery(100)');
  }

  const load = (streamId: string): Promise<Loaded<State>> => loadState(store, decider, streamId, name, snapshots);

  async function previousOutcome(streamId: string, commandId: string): Promise<HandleResult<State, Event> | null> {
    const first = await store.readEvent<Event>(await commandEventId(commandId, 0));
    if (first === null) return null;
    const events: StoredEvent<Event>[] = [];
    for await (const e of store.readStream<Event>(first.streamId, { from: first.version })) {
      if (e.metadata.commandId !== commandId) break;
      events.push(e);
    }
    const last = events.at(-1) as StoredEvent<Event>;
    const { state } = await stateAt(store, decider, first.streamId, { version: last.version });
    return { streamId: first.streamId === streamId ? streamId : first.streamId, state, events, version: last.version, position: last.position, attempts: 0, duplicate: true };
  }

  async function handle(streamId: string, command: Command, handleOptions: HandleOptions = {}): Promise<HandleResult<State, Event>> {
    const { commandId, expectedVersion } = handleOptions;
    for (let attempt = 1; ; attempt++) {
      if (commandId !== undefined) {
        const previous = await previousOutcome(streamId, commandId);
        if (previous) return previous;
      }
      const loaded = await load(streamId);
      if (expectedVersion !== undefined && loaded.version !== expectedVersion) {
        throw new ConcurrencyError(streamId, expectedVersion, loaded.version);
      }
      const decided = decider.decide(command, loaded.state);
      const list = (Array.isArray(decided) ? decided : [decided]) as ReadonlyArray<EventInput<Event>>;
      if (list.length === 0) {
        return { streamId, state: loaded.state, events: [], version: loaded.version, position: null, attempts: attempt, duplicate: false };
      }
      const ids = commandId === undefined ? list.map(() => crypto.randomUUID()) : await Promise.all(list.map((_, i) => commandEventId(commandId, i)));
      const inputs = list.map((e, i) => ({
        ...e,
        id: ids[i] as string,
        metadata: { ...handleOptions.metadata, ...e.metadata, ...(commandId === undefined ? {} : { commandId }) },
      }));
      let result;
      try {
        result = await store.append(streamId, inputs, { expectedVersion: loaded.version === 0 ? 'no-stream' : loaded.version });
      } catch (error) {
        if (!(error instanceof ConcurrencyError) || expectedVersion !== undefined) throw error;
        if (loaded.snapshotVersion > 0 && error.actual < loaded.version) {
          // The snapshot claims more than the stream holds (the store was restored?): drop it.
          await store.snapshots.delete({ streamId, name });
        }
        if (attempt >= retry.attempts) {
          throw new ConcurrencyError(
            streamId,
            error.expected,
            error.actual,
            `Stream "${streamId}" kept changing: the command was retried ${attempt} times and every attempt lost the race ` +
              `(last seen version ${error.actual}). Retry later or raise retry.attempts.`,
          );
        }
        await sleep(retry.delay(attempt));
        continue;
      }
      const recordedAt = new Date();
      const first = result.version - inputs.length + 1;
      const firstPosition = result.position - BigInt(inputs.length - 1);
      const events = inputs.map((e, i) => ({
        ...e,
        streamId,
        version: first + i,
        position: firstPosition + BigInt(i),
        eventId: e.id,
        schemaVersion: e.schemaVersion ?? 1,
        metadata: e.metadata,
        tags: e.tags ?? [],
        recordedAt,
      })) as unknown as StoredEvent<Event>[];
      const state = fold(decider, loaded.state, events);
      return { streamId, state, events, version: result.version, position: result.position, attempts: attempt, duplicate: false };
    }
  }

  return {
    handle,
    load,
    loadAt: (streamId, point) => stateAt(store, decider, streamId, point),
  };
}
