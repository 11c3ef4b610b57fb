import { createEventStore, type EventStore, type EventStoreOptions, InvalidArgumentError } from '@cairn/core';
import { SqliteBackend } from './sqlite-backend.js';

export interface SqliteStoreOptions extends EventStoreOptions {
  /** A file path (its directory is created) or ':memory:'. */
  path: string;
  /**
   * 'full' (default): every acknowledged append is fsynced and survives power loss.
   * 'normal': faster; survives a crash of the process, but a power cut may lose the last commits.
   */
  synchronous?: 'full' | 'normal';
  /** How long a write waits for another process holding the file's write lock. Default 5,000 ms. */
  busyTimeoutMs?: number;
  /** Fold appends made in the same event-loop turn into one transaction (one fsync). Default true. */
  groupCommit?: boolean;
}

/**
 * The embedded event store: one SQLite file in WAL mode, no server to run.
 * One process should own the file for writing (others may read, and may write with waits).
 *
 * @example
 * const store = createSqliteStore({ path: './data/cairn.db' });
 * await store.append('account-42', [{ type: 'AccountOpened', data: { owner: 'Ada' } }], { expectedVersion: 'no-stream' });
 */
export function createSqliteStore(options: SqliteStoreOptions): EventStore {
  if (typeof options?.path !== 'string' || options.path.length === 0) {
    throw new InvalidArgumentError('path', "expected a file path or ':memory:'");
  }
  const synchronous = options.synchronous ?? 'full';
  if (synchronous !== 'full' && synchronous !== 'normal') throw new InvalidArgumentError('synchronous', "expected 'full' or 'normal'");
  const backend = new SqliteBackend({
    path: options.path,
    synchronous,
    busyTimeoutMs: options.busyTimeoutMs ?? 5000,
    groupCommit: options.groupCommit ?? true,
  });
  return createEventStore(backend, options);
}
