import { parseArgs } from 'node:util';
import type { StoreKind } from './env/arena.js';
import { WORKLOAD_IDS } from './workloads/registry.js';

export const DEFAULT_DATABASE_URL = 'postgres://root@127.0.0.1:5432/test';

/** Options of `runBench`; every field has a default, so `runBench({})` is the full run. */
export interface BenchOptions {
  /** 1 (default) = BENCH.md's sizes; e.g. 0.02 for a smoke run. */
  scale?: number;
  /** Default 'all'. */
  store?: StoreKind | 'all';
  /** Workload ids to run, e.g. ['W1', 'W4']; default all. */
  only?: readonly string[];
  /** Default: env DATABASE_URL, else postgres://root@127.0.0.1:5432/test. */
  databaseUrl?: string;
  /** The store's and the raw ceiling's `synchronous`; default 'full' (the store's default). */
  sqliteSynchronous?: 'full' | 'normal';
  /** Where SQLite files go; default the OS temp directory. */
  tmpDir?: string;
  /** Progress lines; default none. */
  log?: (line: string) => void;
}

export interface ResolvedOptions {
  scale: number;
  stores: StoreKind[];
  only: string[];
  databaseUrl: string;
  sqliteSynchronous: 'full' | 'normal';
  tmpDir: string | undefined;
  log: (line: string) => void;
}

export class BenchUsageError extends Error {
  override name = 'BenchUsageError';
}

export function resolveOptions(options: BenchOptions): ResolvedOptions {
  const scale = options.scale ?? 1;
  if (typeof scale !== 'number' || !Number.isFinite(scale) || scale <= 0 || scale > 10) {
    throw new BenchUsageError(`--scale must be a number above 0 and at most 10, got ${String(options.scale)}`);
  }
  const store = options.store ?? 'all';
  if (store !== 'all' && store !== 'sqlite' && store !== 'postgres') throw new BenchUsageError(`--store must be sqlite, postgres or all, got ${String(store)}`);
  const only = (options.only ?? WORKLOAD_IDS).map((id) => id.trim().toUpperCase()).filter((id) => id.length > 0);
  const unknown = only.filter((id) => !WORKLOAD_IDS.includes(id));
  if (unknown.length > 0) throw new BenchUsageError(`--only: unknown workload ${unknown.join(', ')}; known: ${WORKLOAD_IDS.join(', ')}`);
  const sqliteSynchronous = options.sqliteSynchronous ?? 'full';
  if (sqliteSynchronous !== 'full' && sqliteSynchronous !== 'normal') {
    throw new BenchUsageError(`--sqlite-synchronous must be full or normal, got ${String(sqliteSynchronous)}`);
  }
  return {
    scale,
    stores: store === 'all' ? ['sqlite', 'postgres'] : [store],
    only,
    databaseUrl: options.databaseUrl ?? process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL,
    sqliteSynchronous,
    tmpDir: options.tmpDir,
    log: options.log ?? (() => undefined),
  };
}

export const USAGE = `Usage: npm run bench -- [options]

  --scale <f>                    fraction of BENCH.md's sizes (default 1; 0.02 = smoke run)
  --store sqlite|postgres|all    which stores to measure (default all)
  --only W1,W4                   run only these workloads (${WORKLOAD_IDS.join(', ')})
  --db <postgres url>            default $DATABASE_URL or ${DEFAULT_DATABASE_URL}
  --sqlite-synchronous full|normal   SQLite durability for store and raw alike (default full)
  --json                         print the JSON report instead of the Markdown table
  --results <dir>                where the JSON files go (default bench/results; "none" to skip)
  -h, --help`;

export interface CommandLine {
  options: BenchOptions;
  json: boolean;
  help: boolean;
  resultsDir: string | undefined;
}

export function parseCommandLine(argv: readonly string[]): CommandLine {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        scale: { type: 'string' },
        store: { type: 'string' },
        only: { type: 'string' },
        db: { type: 'string' },
        'sqlite-synchronous': { type: 'string' },
        json: { type: 'boolean' },
        results: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new BenchUsageError((error as Error).message);
  }
  const options: BenchOptions = {};
  if (parsed.scale !== undefined) {
    const scale = Number(parsed.scale);
    if (!Number.isFinite(scale)) throw new BenchUsageError(`--scale must be a number, got ${parsed.scale}`);
    options.scale = scale;
  }
  if (parsed.store !== undefined) options.store = parsed.store as BenchOptions['store'];
  if (parsed.only !== undefined) options.only = parsed.only.split(',');
  if (parsed.db !== undefined) options.databaseUrl = parsed.db;
  if (parsed['sqlite-synchronous'] !== undefined) options.sqliteSynchronous = parsed['sqlite-synchronous'] as 'full' | 'normal';
  resolveOptions(options); // fail on bad flags before anything starts
  return { options, json: parsed.json === true, help: parsed.help === true, resultsDir: parsed.results };
}
