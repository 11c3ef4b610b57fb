import { createRequire } from 'node:module';

/** The slice of `pg` this store calls, typed here so no @types package is needed. */
export interface QueryConfig {
  text: string;
  values?: unknown[];
  /** Server-side prepared statement name, reused per connection. */
  name?: string;
  /** 'array': rows as arrays of column values (cheaper than objects). */
  rowMode?: 'array';
  /** Per-query type parsers. */
  types?: { getTypeParser(oid: number, format?: string): (value: string) => unknown };
}

export interface QueryResult<Row> {
  rows: Row[];
  rowCount: number | null;
}

export interface Queryable {
  query<Row = Record<string, unknown>>(config: QueryConfig | string, values?: unknown[]): Promise<QueryResult<Row>>;
}

export interface PoolClient extends Queryable {
  release(error?: Error | boolean): void;
}

export interface Pool extends Queryable {
  connect(): Promise<PoolClient>;
  end(): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): this;
  readonly totalCount: number;
  readonly idleCount: number;
  readonly waitingCount: number;
}

export interface Notification {
  channel: string;
  payload?: string;
}

export interface Client extends Queryable {
  connect(): Promise<void>;
  end(): Promise<void>;
  on(event: 'notification', listener: (n: Notification) => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  on(event: 'end', listener: () => void): this;
}

export interface PoolConfig {
  connectionString?: string;
  max?: number;
  idleTimeoutMillis?: number;
  connectionTimeoutMillis?: number;
  application_name?: string;
  /** Server settings for every connection, e.g. `-c search_path=…`. */
  options?: string;
}

interface PgModule {
  Pool: new (config: PoolConfig) => Pool;
  Client: new (config: PoolConfig) => Client;
  types: { getTypeParser(oid: number, format?: string): unknown };
}

const require = createRequire(import.meta.url);

export function loadPg(): PgModule {
  return require('pg') as PgModule;
}
