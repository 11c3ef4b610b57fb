import type { BenchEnv, StoreDescription, StoreKind } from './env/arena.js';
import { openPostgresEnv, redact } from './env/postgres-env.js';
import { openSqliteEnv } from './env/sqlite-env.js';
import { describeMachine, type Machine } from './machine.js';
import { type BenchOptions, resolveOptions, type ResolvedOptions } from './options.js';
import { describeCode, type Provenance } from './provenance.js';
import { type ResultRow, row } from './result.js';
import { WORKLOADS } from './workloads/registry.js';

export interface BenchReport {
  startedAt: string;
  durationMs: number;
  scale: number;
  settings: { stores: StoreKind[]; only: string[]; databaseUrl: string; sqliteSynchronous: 'full' | 'normal' };
  machine: Machine;
  /** The code measured: commit and uncommitted store files. */
  code: Provenance | undefined;
  /** The databases measured, with their versions and durability settings. */
  databases: StoreDescription[];
  rows: ResultRow[];
}

function openEnv(kind: StoreKind, o: ResolvedOptions): Promise<BenchEnv> {
  return kind === 'postgres' ? openPostgresEnv(o.databaseUrl) : openSqliteEnv(o.sqliteSynchronous, o.tmpDir);
}

/**
 * Run the selected workloads of BENCH.md against the selected stores, each beside its raw
 * ceiling in the same run, and return the results. A workload that throws becomes an
 * `error` row and the run goes on; nothing is printed or written here (see `formatMarkdown`
 * and `writeResults`), so `cairn bench` can call this too.
 *
 * @example
 * const report = await runBench({ scale: 0.02, store: 'sqlite', only: ['W1', 'W5'] });
 * console.log(formatMarkdown(report));
 */
export async function runBench(options: BenchOptions = {}): Promise<BenchReport> {
  const o = resolveOptions(options);
  const started = Date.now();
  const report: BenchReport = {
    startedAt: new Date(started).toISOString(),
    durationMs: 0,
    scale: o.scale,
    settings: { stores: o.stores, only: o.only, databaseUrl: redact(o.databaseUrl), sqliteSynchronous: o.sqliteSynchronous },
    machine: describeMachine(),
    code: describeCode(),
    databases: [],
    rows: [],
  };
  const selected = WORKLOADS.filter((w) => o.only.includes(w.id));
  for (const kind of o.stores) {
    let env: BenchEnv;
    try {
      env = await openEnv(kind, o);
    } catch (error) {
      o.log(`${kind}: ${(error as Error).message}`);
      for (const w of selected) report.rows.push(errorRow(w.id, w.title, kind, error));
      continue;
    }
    try {
      report.databases.push(await env.describe());
      for (const workload of selected) {
        const t0 = Date.now();
        try {
          report.rows.push(...(await workload.run({ env, kind, scale: o.scale, log: o.log })));
        } catch (error) {
          o.log(`${workload.id} ${kind} failed: ${(error as Error).stack ?? String(error)}`);
          report.rows.push(errorRow(workload.id, workload.title, kind, error));
        }
        o.log(`${workload.id} ${kind} done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      }
    } finally {
      await env.close();
    }
  }
  report.durationMs = Date.now() - started;
  return report;
}

function errorRow(workload: string, title: string, store: StoreKind, error: unknown): ResultRow {
  return row({ workload, title, store, unit: '', target: '', status: 'error', notes: [`error: ${(error as Error).message ?? String(error)}`] });
}
