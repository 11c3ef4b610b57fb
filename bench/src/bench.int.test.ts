import { describe, expect, inject, it } from 'vitest';
import { runBench } from './index.js';

const url = inject('databaseUrl');

/**
 * Keeps `npm run bench` from rotting: a 2% run of every workload on both stores must
 * complete, W5 must have lost and duplicated nothing, W8's loads must give the appended
 * state, every append acknowledged through `cairn serve` must be stored (the HTTP workload
 * starts the built CLI, so `npx tsc -b` first) and no condition on a new tag may fail.
 * Timings are not asserted here (DESIGN.md: every number comes from `npm run bench`, never
 * from a timed test). About 20 s on 2 cores.
 */
describe('npm run bench --scale 0.02', () => {
  it('completes on SQLite and PostgreSQL with every correctness check holding', async () => {
    const report = await runBench({ scale: 0.02, store: 'all', databaseUrl: url });

    const errors = report.rows.filter((r) => r.status === 'error');
    expect(errors.map((r) => `${r.workload} ${r.store}: ${r.notes.join('; ')}`)).toEqual([]);
    expect(report.databases.map((d) => d.kind)).toEqual(['sqlite', 'postgres']);

    for (const store of ['sqlite', 'postgres'] as const) {
      const w5 = report.rows.find((r) => r.workload === 'W5' && r.store === store);
      const outcome = w5?.details.store as { successes: number; finalVersion: number; lost: number; duplicated: number; phantom: number };
      expect(outcome.successes).toBeGreaterThanOrEqual(40);
      expect(outcome.finalVersion).toBe(outcome.successes);
      expect({ lost: outcome.lost, duplicated: outcome.duplicated, phantom: outcome.phantom }).toEqual({ lost: 0, duplicated: 0, phantom: 0 });
      expect(w5?.status).toBe('pass');
      // W8: three sizes with snapshots and without; every load's state was checked.
      const w8 = report.rows.filter((r) => r.store === store && r.workload === 'W8');
      expect(w8.map((r) => r.details.mode)).toEqual(['with', 'with', 'with', 'without', 'without', 'without']);
      expect(w8.every((r) => (r.result?.value ?? 0) > 0)).toBe(true);
      // HTTP: appends through a `cairn serve` child process, every acknowledged one stored.
      const http = report.rows.filter((r) => r.store === store && r.workload === 'HTTP');
      expect(http.map((r) => r.status)).toEqual(['pass']);
      expect(http[0]?.details).toMatchObject({ missingStreams: 0, appends: { http: expect.any(Number), direct: expect.any(Number) } });
      expect(http[0]?.ratio).toBeGreaterThan(0);
      // DCB: conditional appends on new tags never fail, and a stale condition is refused.
      const dcb = report.rows.filter((r) => r.store === store && r.workload === 'DCB');
      expect(dcb.map((r) => [r.details.writers, r.status])).toEqual([
        [1, 'pass'],
        [8, 'pass'],
      ]);
      expect(dcb.map((r) => r.details.conflicts)).toEqual([
        { conditional: 0, plain: 0 },
        { conditional: 0, plain: 0 },
      ]);
    }
  }, 60_000);
});
