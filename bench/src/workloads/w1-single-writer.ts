import { ratioRow } from '../result.js';
import { alternate, cpuDetails, cpuNote, scaled, summarize, Tally } from '../stats.js';
import { runWriters, WriterState } from './writers.js';
import type { Workload } from './workload.js';

const ROUNDS = 10;

/** W1: one writer, 5,000 appends of one event, round-robin over 500 streams, exact expectedVersion. */
export const w1SingleWriter: Workload = {
  id: 'W1',
  title: 'one writer, 1-event appends',
  async run(ctx) {
    const appends = scaled(5000, ctx.scale, 50);
    const streams = scaled(500, ctx.scale, 5);
    const arena = await ctx.env.arena('W1');
    try {
      const plan = { writers: 1, streamsPerWriter: streams, streamId: (_w: number, k: number) => `account-${k}` };
      const warmPlan = { writers: 1, streamsPerWriter: 10, streamId: (_w: number, k: number) => `warmup-${k}` };
      const store = { state: new WriterState(plan), tally: new Tally(arena.storeSide.serverCpuMs) };
      const raw = { state: new WriterState(plan), tally: new Tally(arena.rawSide.serverCpuMs) };
      const warm = Math.min(200, Math.ceil(appends / 10));
      await runWriters(arena.rawSide, new WriterState(warmPlan), warm, null);
      await runWriters(arena.storeSide, new WriterState(warmPlan), warm, null);
      const perRound = Math.ceil(appends / ROUNDS);
      ctx.log(`W1 ${ctx.kind}: ${appends} appends over ${streams} streams, ${ROUNDS} alternating rounds`);
      await alternate(ROUNDS, {
        raw: () => runWriters(arena.rawSide, raw.state, perRound, raw.tally),
        store: () => runWriters(arena.storeSide, store.state, perRound, store.tally),
      });
      const s = summarize(store.tally.latencies);
      const r = summarize(raw.tally.latencies);
      return [
        ratioRow(
          { workload: 'W1', title: this.title, store: ctx.kind, unit: 'events/s' },
          { value: store.tally.perSecond('events'), p50Ms: s.p50, p99Ms: s.p99 },
          { value: raw.tally.perSecond('events'), p50Ms: r.p50, p99Ms: r.p99 },
          0.8,
          {
            notes: [cpuNote(store.tally, raw.tally, 'append')],
            details: { appends: store.tally.events, streams, rounds: ROUNDS, cpu: { store: cpuDetails(store.tally), raw: cpuDetails(raw.tally) } },
          },
        ),
      ];
    } finally {
      await arena.dispose();
    }
  },
};
