import { deposit, type MoneyDeposited } from '../payload.js';
import { ratioRow } from '../result.js';
import { alternate, cpuDetails, cpuNote, now, scaled, summarize, Tally } from '../stats.js';
import type { Subject } from '../subject.js';
import type { Workload } from './workload.js';

const READS = 20;
const WARM_READS = 2;
const LOAD_BATCH = 1000;
const STREAM = 'account-long';

/** W4: read one 10,000-event stream from start to end, 20 times (one read per round, alternating). */
export const w4ReadStream: Workload = {
  id: 'W4',
  title: 'read a 10,000-event stream',
  async run(ctx) {
    const length = scaled(10_000, ctx.scale, 200);
    const arena = await ctx.env.arena('W4');
    try {
      for (const subject of [arena.rawSide, arena.storeSide]) {
        for (let v = 0; v < length; v += LOAD_BATCH) {
          const batch = Array.from({ length: Math.min(LOAD_BATCH, length - v) }, (_, i) => deposit('acc-long', `w4:${v + i}`, v + i));
          await subject.appendBatch(STREAM, v, batch);
        }
      }
      // The projection a reader would run: fold every event, so the data is really touched.
      const readOnce = async (subject: Subject, tally: Tally | null): Promise<void> => {
        let sum = 0;
        let last = 0;
        const start = now();
        const read = (): Promise<number> =>
          subject.readStream(STREAM, (version: number, data: MoneyDeposited) => {
            if (version !== last + 1) throw new Error(`${subject.side}: read version ${version} after ${last}`);
            last = version;
            sum += data.amountCents;
          });
        const n = tally ? await tally.timed(read) : await read();
        if (n !== length || sum <= 0) throw new Error(`${subject.side}: read ${n} events, expected ${length}`);
        if (tally) {
          tally.latencies.push(now() - start);
          tally.ops++;
          tally.events += n;
        }
      };
      for (let i = 0; i < WARM_READS; i++) {
        await readOnce(arena.rawSide, null);
        await readOnce(arena.storeSide, null);
      }
      const store = new Tally(arena.storeSide.serverCpuMs);
      const raw = new Tally(arena.rawSide.serverCpuMs);
      ctx.log(`W4 ${ctx.kind}: ${READS} reads of a ${length}-event stream, alternating`);
      await alternate(READS, { raw: () => readOnce(arena.rawSide, raw), store: () => readOnce(arena.storeSide, store) });
      const s = summarize(store.latencies);
      const r = summarize(raw.latencies);
      return [
        ratioRow(
          { workload: 'W4', title: this.title, store: ctx.kind, unit: 'events/s' },
          { value: store.perSecond('events'), p50Ms: s.p50, p99Ms: s.p99 },
          { value: raw.perSecond('events'), p50Ms: r.p50, p99Ms: r.p99 },
          0.7,
          {
            notes: ['p50/p99: per whole-stream read', cpuNote(store, raw, 'whole-stream read')],
            details: { streamLength: length, reads: READS, cpu: { store: cpuDetails(store), raw: cpuDetails(raw) } },
          },
        ),
      ];
    } finally {
      await arena.dispose();
    }
  },
};
