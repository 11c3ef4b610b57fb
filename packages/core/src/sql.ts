/** SQL access to the store's own database, for read models and projection bookkeeping. */
export interface SqlExecutor {
  readonly dialect: 'postgres' | 'sqlite';
  /**
   * Run one statement and return its rows. Write `$1, $2, …` placeholders on both dialects
   * (SQLite receives them as `?1, ?2, …`). PostgreSQL returns bigint columns as strings.
   */
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /** The qualified name of one of Cairn's own tables (`"cairn".projections`, `cairn_projections`). */
  table(name: string): string;
}

export interface SqlAccess extends SqlExecutor {
  /** Run `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /**
   * Try to take a named lease, held until released or until this process (its connection)
   * dies. Resolves to null when somebody else holds it.
   */
  tryLease(key: string): Promise<Lease | null>;
  /** True when leases exclude other processes (PostgreSQL); false when they only exclude this process (SQLite). */
  readonly crossProcessLeases: boolean;
}

export interface Lease {
  readonly key: string;
  /** Becomes true when the lease was lost (its connection died); stop working under it. */
  readonly lost: boolean;
  release(): Promise<void>;
}

/** Rewrite `$1`-style placeholders to SQLite's `?1`, leaving quoted text alone. */
export function toSqlitePlaceholders(sql: string): string {
  return sql.replace(/('(?:[^']|'')*')|\$(\d+)/g, (match, quoted: string | undefined, n: string | undefined) => (quoted ? match : `?${n}`));
}
