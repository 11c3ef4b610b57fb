import { createProjectionRunner } from '@cairn/core';
import { deposit } from '../payload.js';
import { type ResultRow, row } from '../result.js';
import { scaled, Tally } from '../stats.js';
import { balancesProjection, readModelTotals } from './projection-read-model.js';
import type { Workload } from './workload.js';

const STREAMS = 1000;
const LOAD_BATCH = 1000;
const BATCH_SIZES = [200, 1000] as const;

/**
 * P1: an async projection catches up from position 0 over 100,000 events into a SQL read
 * model (one upsert per event, each page in one transaction with its checkpoint), at batch
 * sizes 200 (the default) and 1,000. Each batch size builds its own projection from scratch
 * on the same log. No raw ceiling (BENCH.md has no target for it yet): the figure is
 * reported, and the row passes when the read model holds exactly what was appended.
 */
export const p1ProjectionCatchUp: Workload = {
  id: 'P1',
  title: 'projection catch-up into a SQL read model',
  async run(ctx) {
    const events = scaled(100_000, ctx.scale, 2000);
    const arena = await ctx.env.arena('P1');
    try {
      ctx.log(`P1 ${ctx.kind}: loading ${events} events (setup, not timed)`);
      let cents = 0;
      const versions = new Map<string, number>();
      for (let b = 0; b * LOAD_BATCH < events; b++) {
        const size = Math.min(LOAD_BATCH, events - b * LOAD_BATCH);
        const batch = Array.from({ length: size }, (_, i) => deposit(`acc-${(b * LOAD_BATCH + i) % STREAMS}`, `p1:${b}:${i}`, b * LOAD_BATCH + i));
        cents += batch.reduce((n, d) => n + d.amountCents, 0);
        const streamId = `account-${b % STREAMS}`;
        await arena.storeSide.appendBatch(streamId, versions.get(streamId) ?? 0, batch);
        versions.set(streamId, (versions.get(streamId) ?? 0) + size);
      }
      const rows: ResultRow[] = [];
      for (const batchSize of BATCH_SIZES) {
        const name = `p1_b${batchSize}`;
        const runner = createProjectionRunner({ store: arena.store, projections: [balancesProjection(name)], batchSize, superviseMs: 100 });
        const tally = new Tally();
        ctx.log(`P1 ${ctx.kind}: catching up ${events} events, batch ${batchSize}`);
        await tally.timed(async () => {
          await runner.start();
          await runner.idle(600_000);
        });
        await runner.stop();
        tally.events = events;
        tally.ops = Math.ceil(events / batchSize);
        const got = await readModelTotals(arena.store, `${name}_g1`);
        const correct = got.events === events && got.cents === cents;
        rows.push(
          row({
            workload: 'P1',
            title: `${this.title}, batch ${batchSize}`,
            store: ctx.kind,
            unit: 'events/s',
            result: { value: tally.perSecond('events') },
            target: 'read model exact',
            status: correct ? 'pass' : 'fail',
            notes: [
              `${events} events over ${STREAMS} accounts from position 0; ${(tally.ms / 1000).toFixed(2)} s from start() to idle(); ` +
                `client CPU ${(tally.cpuMs / 1000).toFixed(2)} s; read model ${correct ? 'exact' : `WRONG: ${got.events} events, ${got.cents} cents`}`,
            ],
            details: { events, batchSize, ms: tally.ms, clientCpuMs: tally.cpuMs, readModel: got, expectedCents: cents },
          }),
        );
      }
      return rows;
    } finally {
      await arena.dispose();
    }
  },
};
