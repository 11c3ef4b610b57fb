import type { EventStore } from '../event-store.js';
import type { EventShape, Position, StoredEvent } from '../types.js';

export interface ReplayOptions {
  types?: readonly string[];
  categories?: readonly string[];
  /** Stop after this position (inclusive): the read model as it was then. */
  to?: Position;
  /** Stop at events recorded after this instant. */
  until?: Date;
}

/**
 * Replay the whole history into a new, empty read model: the simplest way to build a view
 * that did not exist when the events were written. For read models kept up to date with
 * checkpoints, use projections.
 *
 * @example
 * const balances = await replayInto(store, new Map<string, number>(), (m, e) => m.set(e.streamId, (m.get(e.streamId) ?? 0) + amount(e)));
 */
export async function replayInto<Model, Event extends EventShape = EventShape>(
  store: EventStore,
  model: Model,
  apply: (model: Model, event: StoredEvent<Event>) => Model | void | Promise<Model | void>,
  options: ReplayOptions = {},
): Promise<Model> {
  let current = model;
  const read = store.readAll<Event>({ ...(options.types ? { types: options.types } : {}), ...(options.categories ? { categories: options.categories } : {}) });
  for await (const event of read) {
    if (options.to !== undefined && event.position > options.to) break;
    if (options.until !== undefined && event.recordedAt > options.until) continue;
    const next = await apply(current, event);
    if (next !== undefined) current = next as Model;
  }
  return current;
}
