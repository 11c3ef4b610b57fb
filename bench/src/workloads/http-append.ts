import { row } from '../result.js';
import type { Workload } from './workload.js';

/**
 * HTTP — SLOT, NOT YET MEASURED. Issue 8: appends/s and p99 through `cairn serve` with
 * concurrent clients on loopback, as a ratio to direct store calls (W2's store figure is
 * the natural denominator: same 8 writers, same streams, same payload).
 *
 * It waits for the server (`@cairn/server`, being built in parallel). When `buildServer`
 * exists, replace `run` below with, roughly:
 *
 *   const arena = await ctx.env.arena('HTTP');
 *   const server = await buildServer({ store: arena.store, … });   // listen on 127.0.0.1:0
 *   // a Subject whose appendOne is `fetch(POST /streams/:id, { events, expectedVersion })`
 *   // (409 → false), then reuse runWriters/alternate exactly as w2-concurrent-writers.ts
 *   // does, with the direct store as the other side of `alternate`, bounded in count and time.
 *
 * and add @cairn/server to bench/package.json and bench/tsconfig.json references.
 * Until then the row says "pending" and is never counted as a pass.
 */
export const httpAppend: Workload = {
  id: 'HTTP',
  title: 'appends through cairn serve',
  async run(ctx) {
    return [
      row({
        workload: 'HTTP',
        title: this.title,
        store: ctx.kind,
        unit: 'appends/s',
        target: 'ratio to direct store calls (no target in BENCH.md yet)',
        status: 'pending',
        notes: ['pending: needs `cairn serve` (@cairn/server, in progress)'],
      }),
    ];
  },
};
