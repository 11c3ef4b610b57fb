import type { StoreBackend } from '../backend.js';
import { InvalidArgumentError } from '../errors.js';
import type { EventStore } from '../event-store.js';
import type { StoredEvent } from '../types.js';
import { dispatch, projectionTypes, wants } from './dispatch.js';
import type { Projection } from './types.js';

/**
 * Wire inline projections into a store: their handlers run inside the append's transaction
 * (a throw rolls the append back), with the events as stored. Inline read models have no
 * generations: `table(base)` is `base` itself. Rebuild one by replaying the log into it.
 */
export function installInlineProjections(
  store: EventStore,
  backend: StoreBackend,
  projections: readonly Projection[],
  decode: <T extends StoredEvent>(event: T) => Promise<T>,
): void {
  if (!backend.setInlineHandler) throw new InvalidArgumentError('inline', `the ${backend.kind} store cannot run inline projections`);
  const ctxFor = (sql: Parameters<Parameters<NonNullable<StoreBackend['setInlineHandler']>>[0]>[1]) => ({
    sql,
    generation: 0,
    table: (base: string) => base,
    store,
  });
  const typed = projections.map((p) => ({ p, types: projectionTypes(p) }));
  backend.setInlineHandler(async (events, tx) => {
    const ctx = ctxFor(tx);
    for (const stored of events) {
      const event = await decode(stored);
      for (const { p, types } of typed) if (wants(p, types, event)) await dispatch(p, event, ctx);
    }
  });
}

/** Create inline read models (their `setup`) once the store's schema is ready. */
export async function setupInline(projections: readonly Projection[], sql: Parameters<NonNullable<Projection['setup']>>[0]['sql']): Promise<void> {
  for (const p of projections) await p.setup?.({ sql, generation: 0, table: (base) => base });
}
