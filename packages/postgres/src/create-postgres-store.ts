import { createEventStore, type EventStore, type EventStoreOptions, InvalidArgumentError } from '@cairn/core';
import { PostgresBackend } from './postgres-backend.js';

export interface PostgresStoreOptions extends EventStoreOptions {
  /** e.g. postgres://user@127.0.0.1:5432/app */
  connectionString: string;
  /** The schema Cairn owns. Default 'cairn'. */
  schema?: string;
  /** Connections in the pool. Default 10. */
  poolSize?: number;
  /** Send NOTIFY after appends so subscribers in other processes wake at once. Default true. */
  notify?: boolean;
  /**
   * Send appends made in the same event-loop turn to the server together: one transaction and
   * one commit for all, each keeping its own outcome. Default true.
   */
  groupCommit?: boolean;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,50}$/;

/**
 * The PostgreSQL event store: its own schema, versioned migrations, one round trip per
 * append, and a global order that never lets a reader pass a commit still in flight.
 *
 * @example
 * const store = createPostgresStore({ connectionString: process.env.DATABASE_URL! });
 * await store.append('account-42', [{ type: 'AccountOpened', data: { owner: 'Ada' } }], { expectedVersion: 'no-stream' });
 */
export function createPostgresStore(options: PostgresStoreOptions): EventStore {
  if (typeof options?.connectionString !== 'string' || options.connectionString.length === 0) {
    throw new InvalidArgumentError('connectionString', 'expected a PostgreSQL URL such as postgres://user@127.0.0.1:5432/app');
  }
  const schema = options.schema ?? 'cairn';
  if (!SCHEMA_NAME.test(schema)) {
    throw new InvalidArgumentError('schema', `"${schema}" is not a plain lower-case identifier (letters, digits, _; at most 51 characters)`);
  }
  const poolSize = options.poolSize ?? 10;
  if (!Number.isInteger(poolSize) || poolSize < 1) throw new InvalidArgumentError('poolSize', 'expected a positive integer');
  const backend = new PostgresBackend({ connectionString: options.connectionString, schema, poolSize, notify: options.notify ?? true, groupCommit: options.groupCommit ?? true });
  return createEventStore(backend, options);
}
