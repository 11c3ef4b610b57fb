import { describe, expect, inject, it } from 'vitest';
import { runBench } from './index.js';

const url = inject('databaseUrl');

/**
 * Keeps `npm run bench` from rotting: a 2% run of every workload on both stores must
 * complete, and W5 must have lost and duplicated nothing. Timings are not asserted here
 * (DESIGN.md: every number comes from `npm run bench`, never from a timed test).
 */
describe('npm run bench --scale 0.02', () => {
  it('completes on SQLite and PostgreSQL, and W5 loses and duplicates nothing', async () => {
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
      // The slot that waits on other work is reported, never as a pass.
      expect(report.rows.filter((r) => r.store === store && r.workload === 'HTTP').map((r) => r.status)).toEqual(['pending']);
    }
  }, 60_000);
});
