import { createProjectionRunner } from '@cairn/core';
import { type ResultRow, row } from '../result.js';
import { now, scaled, summarize, Tally } from '../stats.js';
import { balancesProjection, readModelTotals } from './projection-read-model.js';
import { w2Plan } from './w2-concurrent-writers.js';
import { runWriters, type WriterPlan, WriterState } from './writers.js';
import type { Workload } from './workload.js';

const SAMPLE_MS = 250;
const BATCH_SIZE = 200;

/**
 * P2: how far an async projection (the P1 read model, batch 200) falls behind while a W2-like
 * load runs (8 writers, own streams). Lag per event: from its recordedAt to the moment the
 * handler applies it (a few ms more until its batch commits). The runner's own lag API
 * (`status()`: events and seconds behind) is sampled every 250 ms. Drain: from the last
 * append to the projection being idle. No target yet; the row passes when the read model
 * ends exact.
 */
export const p2ProjectionLag: Workload = {
  id: 'P2',
  title: 'projection lag under W2 load',
  async run(ctx) {
    const appends = scaled(20_000, ctx.scale, 160);
    const perWriter = Math.max(1, Math.round(appends / w2Plan.writers));
    const total = perWriter * w2Plan.writers;
    const arena = await ctx.env.arena('P2');
    try {
      const warmPlan: WriterPlan = { ...w2Plan, streamId: (w, k) => `warmup-w${w}-${k}` };
      await runWriters(arena.storeSide, new WriterState(warmPlan), 10, null);
      const lagMs: number[] = [];
      const runner = createProjectionRunner({
        store: arena.store,
        projections: [balancesProjection('p2_lag', (e) => lagMs.push(Date.now() - e.recordedAt.getTime()))],
        batchSize: BATCH_SIZE,
      });
      await runner.start();
      await runner.idle(60_000);
      lagMs.length = 0; // the warm-up's events do not count
      const samples: Array<{ eventsBehind: number; secondsBehind: number }> = [];
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          const [report] = await runner.status();
          if (report) samples.push({ eventsBehind: report.eventsBehind, secondsBehind: report.secondsBehind });
          await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS));
        }
      })();
      const tally = new Tally();
      ctx.log(`P2 ${ctx.kind}: ${w2Plan.writers} writers × ${perWriter} appends with the projection running`);
      await runWriters(arena.storeSide, new WriterState(w2Plan), perWriter, tally);
      const lastAppend = now();
      await runner.idle(120_000);
      const drainMs = now() - lastAppend;
      sampling = false;
      await sampler;
      await runner.stop();
      const lag = summarize(lagMs);
      const got = await readModelTotals(arena.store, 'p2_lag_g1');
      const correct = got.events === total + 10 * w2Plan.writers && lagMs.length === total;
      const maxBehind = Math.max(0, ...samples.map((s) => s.eventsBehind));
      const maxSeconds = Math.max(0, ...samples.map((s) => s.secondsBehind));
      const result: ResultRow = row({
        workload: 'P2',
        title: this.title,
        store: ctx.kind,
        unit: 'events/s',
        result: { value: tally.perSecond('events'), p50Ms: lag.p50, p99Ms: lag.p99 },
        target: 'read model exact',
        status: correct ? 'pass' : 'fail',
        notes: [
          `events/s: the writers' throughput with the projection running; p50/p99: recordedAt → applied, max ${lag.max.toFixed(0)} ms; ` +
            `status() every ${SAMPLE_MS} ms: at most ${maxBehind} events / ${maxSeconds.toFixed(2)} s behind; drained ${drainMs.toFixed(0)} ms after the last append; ` +
            `batch ${BATCH_SIZE}; read model ${correct ? 'exact' : `WRONG: ${got.events} events, ${lagMs.length}/${total} handled`}`,
        ],
        details: { appends: total, lag, drainMs, samples, readModel: got },
      });
      return [result];
    } finally {
      await arena.dispose();
    }
  },
};
