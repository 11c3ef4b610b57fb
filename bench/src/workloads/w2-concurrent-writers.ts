import { ratioRow } from '../result.js';
import { alternate, cpuDetails, cpuNote, scaled, summarize, Tally } from '../stats.js';
import { runWriters, type WriterPlan, WriterState } from './writers.js';
import type { Workload } from './workload.js';

const ROUNDS = 4;
const WRITERS = 8;
const STREAMS_PER_WRITER = 64;
const STRETCH = 1.2;

export const w2Plan: WriterPlan = { writers: WRITERS, streamsPerWriter: STREAMS_PER_WRITER, streamId: (w, k) => `account-w${w}-${k}` };

/**
 * W2: 8 concurrent writers, each on its own 64 streams, 20,000 single-event appends in all.
 * Target ≥ 0.8; the stretch (≥ 1.2) needs group commit, where concurrent appends share a
 * transaction, which the raw ceiling (one autocommit INSERT each) cannot do.
 */
export const w2ConcurrentWriters: Workload = {
  id: 'W2',
  title: '8 writers, own streams',
  async run(ctx) {
    const appends = scaled(20_000, ctx.scale, 160);
    const perWriterPerRound = Math.max(1, Math.round(appends / WRITERS / ROUNDS));
    const arena = await ctx.env.arena('W2');
    try {
      const warmPlan: WriterPlan = { ...w2Plan, streamId: (w, k) => `warmup-w${w}-${k}` };
      const warm = Math.min(50, perWriterPerRound);
      await runWriters(arena.rawSide, new WriterState(warmPlan), warm, null);
      await runWriters(arena.storeSide, new WriterState(warmPlan), warm, null);
      const store = { state: new WriterState(w2Plan), tally: new Tally(arena.storeSide.serverCpuMs) };
      const raw = { state: new WriterState(w2Plan), tally: new Tally(arena.rawSide.serverCpuMs) };
      ctx.log(`W2 ${ctx.kind}: ${WRITERS} writers × ${perWriterPerRound * ROUNDS} appends, ${ROUNDS} alternating rounds`);
      await alternate(ROUNDS, {
        raw: () => runWriters(arena.rawSide, raw.state, perWriterPerRound, raw.tally),
        store: () => runWriters(arena.storeSide, store.state, perWriterPerRound, store.tally),
      });
      const s = summarize(store.tally.latencies);
      const r = summarize(raw.tally.latencies);
      const result = ratioRow(
        { workload: 'W2', title: this.title, store: ctx.kind, unit: 'events/s' },
        { value: store.tally.perSecond('events'), p50Ms: s.p50, p99Ms: s.p99 },
        { value: raw.tally.perSecond('events'), p50Ms: r.p50, p99Ms: r.p99 },
        0.8,
        {
          notes: [cpuNote(store.tally, raw.tally, 'append')],
          details: {
            appends: store.tally.events,
            writers: WRITERS,
            streamsPerWriter: STREAMS_PER_WRITER,
            rounds: ROUNDS,
            cpu: { store: cpuDetails(store.tally), raw: cpuDetails(raw.tally) },
          },
        },
      );
      result.target = `≥ 0.8 (stretch ≥ ${STRETCH})`;
      result.notes.push(`stretch ≥ ${STRETCH} (group commit): ${(result.ratio ?? 0) >= STRETCH ? 'met' : 'not met'}`);
      return [result];
    } finally {
      await arena.dispose();
    }
  },
};
