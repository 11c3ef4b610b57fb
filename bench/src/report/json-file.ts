import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchReport } from '../run-bench.js';

/** JSON has no NaN; a missing percentile is written as null. */
export function toJson(report: BenchReport): string {
  return JSON.stringify(report, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? null : value), 2);
}

/** Write `<dir>/<date>-<store>.json`, one file per store measured; returns the paths. */
export function writeResults(report: BenchReport, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const date = report.startedAt.slice(0, 10);
  return report.settings.stores.map((store) => {
    const path = join(dir, `${date}-${store}.json`);
    const mine: BenchReport = { ...report, databases: report.databases.filter((d) => d.kind === store), rows: report.rows.filter((r) => r.store === store) };
    writeFileSync(path, `${toJson(mine)}\n`);
    return path;
  });
}
