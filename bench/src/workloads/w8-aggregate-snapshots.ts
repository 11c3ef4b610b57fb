import { row } from '../result.js';
import type { Workload } from './workload.js';

/**
 * W8 — SLOT, NOT YET MEASURED. BENCH.md: load an aggregate of 1,000 / 10,000 / 100,000
 * events with a snapshot every 100; target load(100,000) / load(1,000) ≤ 1.5.
 *
 * It waits for the domain kit's snapshots (issue 4), which are being built elsewhere. When
 * they land, replace `run` below with, roughly:
 *
 *   const arena = await ctx.env.arena('W8');           // fresh store, cleaned up by dispose()
 *   for (const n of [1_000, 10_000, 100_000].map((n) => scaled(n, ctx.scale, 100))) {
 *     // append n MoneyDeposited to `account-w8-${n}` in batches (setup, see w4-read-stream.ts),
 *     // snapshot every 100 with the kit's snapshot policy, then time ~20 loads
 *     // (alternating the three sizes, after a warm-up) with the kit's aggregate loader.
 *   }
 *   return [row({ workload: 'W8', unit: 'ms per load', result: { value: ms100k, p50Ms, p99Ms },
 *                 raw: { value: ms1k }, ratio: ms100k / ms1k, target: '≤ 1.5', status: … })];
 *
 * and add the snapshot package to bench/package.json and bench/tsconfig.json references.
 * Until then the row says "pending" and is never counted as a pass.
 */
export const w8AggregateSnapshots: Workload = {
  id: 'W8',
  title: 'aggregate load with snapshots',
  async run(ctx) {
    return [
      row({
        workload: 'W8',
        title: this.title,
        store: ctx.kind,
        unit: 'ms per load',
        target: 'load(100k) / load(1k) ≤ 1.5',
        status: 'pending',
        notes: ['pending: needs snapshots (issue 4)'],
      }),
    ];
  },
};
