import { deposit, type MoneyDeposited } from '../payload.js';
import { ratioRow } from '../result.js';
import { alternate, cpuDetails, cpuNote, now, scaled, summarize, Tally } from '../stats.js';
import type { Subject } from '../subject.js';
import type { Workload } from './workload.js';

const ROUNDS = 10;
const BATCH = 100;

/** W3: 100,000 events appended in batches of 100 over 1,000 streams, one writer, exact expectedVersion. */
export const w3BatchAppend: Workload = {
  id: 'W3',
  title: 'batches of 100 events',
  async run(ctx) {
    const batches = Math.ceil(scaled(100_000, ctx.scale, 2000) / BATCH);
    const streams = scaled(1000, ctx.scale, 10);
    const perRound = Math.ceil(batches / ROUNDS);
    const arena = await ctx.env.arena('W3');
    try {
      // The payloads are built before timing starts, so both sides time only the append.
      const payloads = (b: number): MoneyDeposited[] => Array.from({ length: BATCH }, (_, i) => deposit(`acc-${b % streams}`, `w3:${b}:${i}`, b * BATCH + i));
      const side = (subject: Subject) => {
        const versions = new Map<string, number>();
        const tally = new Tally(subject.serverCpuMs);
        let next = 0;
        return {
          tally,
          async round(count: number, measure: boolean, prefix = 'account-'): Promise<void> {
            const work = Array.from({ length: count }, (_, i) => payloads(next + i));
            const loop = async (): Promise<void> => {
              for (const batch of work) {
                const streamId = `${prefix}${next % streams}`;
                const expected = versions.get(streamId) ?? 0;
                const t0 = now();
                await subject.appendBatch(streamId, expected, batch);
                if (measure) tally.latencies.push(now() - t0);
                versions.set(streamId, expected + batch.length);
                next++;
              }
            };
            if (!measure) return loop();
            await tally.timed(loop);
            tally.ops += count;
            tally.events += count * BATCH;
          },
        };
      };
      const store = side(arena.storeSide);
      const raw = side(arena.rawSide);
      const warmStore = side(arena.storeSide);
      const warmRaw = side(arena.rawSide);
      await warmRaw.round(Math.min(20, perRound), false, 'warmup-');
      await warmStore.round(Math.min(20, perRound), false, 'warmup-');
      ctx.log(`W3 ${ctx.kind}: ${batches} batches of ${BATCH} over ${streams} streams, ${ROUNDS} alternating rounds`);
      await alternate(ROUNDS, { raw: () => raw.round(perRound, true), store: () => store.round(perRound, true) });
      const s = summarize(store.tally.latencies);
      const r = summarize(raw.tally.latencies);
      return [
        ratioRow(
          { workload: 'W3', title: this.title, store: ctx.kind, unit: 'events/s' },
          { value: store.tally.perSecond('events'), p50Ms: s.p50, p99Ms: s.p99 },
          { value: raw.tally.perSecond('events'), p50Ms: r.p50, p99Ms: r.p99 },
          0.7,
          {
            notes: ['p50/p99: per batch of 100', cpuNote(store.tally, raw.tally, 'batch')],
            details: { events: store.tally.events, batchSize: BATCH, streams, rounds: ROUNDS, cpu: { store: cpuDetails(store.tally), raw: cpuDetails(raw.tally) } },
          },
        ),
      ];
    } finally {
      await arena.dispose();
    }
  },
};
