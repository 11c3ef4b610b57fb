import { createRequire } from 'node:module';

/**
 * The slice of `pg` the bench calls, typed here the way the stores type it, so the bench
 * depends on nothing the stores do not already install.
 */
export interface PgQueryConfig {
  text: string;
  values?: unknown[];
  /** A server-side prepared statement name: the raw ceilings prepare, as a careful user would. */
  name?: string;
}

export interface PgResult<Row> {
  rows: Row[];
  rowCount: number | null;
}

export interface PgQueryable {
  query<Row = Record<string, unknown>>(config: PgQueryConfig | string, values?: unknown[]): Promise<PgResult<Row>>;
}

export interface PgPool extends PgQueryable {
  end(): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): this;
}

export interface PgClient extends PgQueryable {
  connect(): Promise<void>;
  end(): Promise<void>;
}

interface PgModule {
  Pool: new (config: { connectionString: string; max?: number; application_name?: string; idleTimeoutMillis?: number }) => PgPool;
  Client: new (config: { connectionString: string; application_name?: string }) => PgClient;
}

const require = createRequire(import.meta.url);

export function loadPg(): PgModule {
  return require('pg') as PgModule;
}

/** SQLSTATE of a pg error, e.g. 23505 for a unique violation. */
export function pgCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
