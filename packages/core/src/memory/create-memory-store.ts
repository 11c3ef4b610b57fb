import { createEventStore, type EventStoreOptions } from '../create-event-store.js';
import type { EventStore } from '../event-store.js';
import { MemoryBackend } from './memory-backend.js';

export type MemoryStoreOptions = EventStoreOptions;

/**
 * An event store held in memory, with the same semantics as the SQLite and PostgreSQL
 * stores (it passes the same conformance suite). For tests and prototypes: nothing survives
 * the process.
 *
 * @example
 * const store = createMemoryStore();
 * await store.append('account-1', [{ type: 'AccountOpened', data: { owner: 'Ada' } }]);
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): EventStore {
  return createEventStore(new MemoryBackend(), options);
}
