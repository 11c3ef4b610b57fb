import { deposit, type MoneyDeposited, noteKey } from '../payload.js';
import { row } from '../result.js';
import { alternate, cpuDetails, cpuNote, now, scaled, summarize, Tally } from '../stats.js';
import type { Subject } from '../subject.js';
import type { Workload } from './workload.js';

const WRITERS = 8;
const ROUNDS = 2;

export interface ContentionOutcome {
  successes: number;
  conflicts: number;
  finalVersion: number;
  read: number;
  /** Acknowledged appends whose event is not in the stream. */
  lost: number;
  /** Events that appear more than once. */
  duplicated: number;
  /** Events in the stream whose append was reported as a conflict. */
  phantom: number;
  /** Versions read out of order or with a gap. */
  outOfOrder: number;
}

/**
 * Eight writers race on one stream: reload the version, append at exactly that version,
 * and on a conflict reload and retry, until `target` appends have succeeded (a few more
 * may land: writers already in flight finish their attempt). Then the stream is read back
 * and every acknowledged append must be there exactly once, and nothing else.
 */
async function contend(subject: Subject, streamId: string, target: number, tally: Tally): Promise<ContentionOutcome> {
  const acked = new Set<string>();
  const refused = new Set<string>();
  let successes = 0;
  let conflicts = 0;
  const writer = async (w: number): Promise<void> => {
    let attempt = 0;
    while (successes < target) {
      const key = `w5:${streamId}:${w}:${attempt}`;
      const t0 = now();
      const expected = await subject.version(streamId);
      const ok = await subject.appendOne(streamId, expected, deposit('acc-hot', key, attempt++));
      tally.latencies.push(now() - t0);
      tally.ops++;
      if (ok) {
        successes++;
        acked.add(key);
      } else {
        conflicts++;
        refused.add(key);
      }
    }
  };
  await tally.timed(() => Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w))));
  tally.events += successes;

  const seen = new Map<string, number>();
  let last = 0;
  let outOfOrder = 0;
  const read = await subject.readStream(streamId, (version: number, data: MoneyDeposited) => {
    if (version !== last + 1) outOfOrder++;
    last = version;
    const key = noteKey(data);
    seen.set(key, (seen.get(key) ?? 0) + 1);
  });
  let lost = 0;
  for (const key of acked) if (!seen.has(key)) lost++;
  let duplicated = 0;
  let phantom = 0;
  for (const [key, count] of seen) {
    if (count > 1) duplicated += count - 1;
    if (refused.has(key)) phantom++;
  }
  return { successes, conflicts, finalVersion: await subject.version(streamId), read, lost, duplicated, phantom, outOfOrder };
}

function add(a: ContentionOutcome, b: ContentionOutcome): ContentionOutcome {
  const out = { ...a };
  for (const k of Object.keys(b) as Array<keyof ContentionOutcome>) out[k] += b[k];
  return out;
}

const EMPTY: ContentionOutcome = { successes: 0, conflicts: 0, finalVersion: 0, read: 0, lost: 0, duplicated: 0, phantom: 0, outOfOrder: 0 };

export function isCorrect(o: ContentionOutcome): boolean {
  return o.lost === 0 && o.duplicated === 0 && o.phantom === 0 && o.outOfOrder === 0 && o.finalVersion === o.successes && o.read === o.successes;
}

/** W5: 8 writers on the same stream with reload-and-retry until 2,000 succeed; nothing may be lost or duplicated. */
export const w5ContendedStream: Workload = {
  id: 'W5',
  title: '8 writers, one stream, retry on conflict',
  async run(ctx) {
    const target = scaled(2000, ctx.scale, 40);
    const perRound = Math.ceil(target / ROUNDS);
    const arena = await ctx.env.arena('W5');
    try {
      const store = { tally: new Tally(arena.storeSide.serverCpuMs), outcome: EMPTY };
      const raw = { tally: new Tally(arena.rawSide.serverCpuMs), outcome: EMPTY };
      await contend(arena.rawSide, 'warmup-hot', 20, new Tally());
      await contend(arena.storeSide, 'warmup-hot', 20, new Tally());
      ctx.log(`W5 ${ctx.kind}: ${WRITERS} writers on one stream until ${target} succeed, ${ROUNDS} alternating rounds`);
      await alternate(ROUNDS, {
        raw: async (r) => {
          raw.outcome = add(raw.outcome, await contend(arena.rawSide, `account-hot${r}`, perRound, raw.tally));
        },
        store: async (r) => {
          store.outcome = add(store.outcome, await contend(arena.storeSide, `account-hot${r}`, perRound, store.tally));
        },
      });
      const o = store.outcome;
      const s = summarize(store.tally.latencies);
      const r = summarize(raw.tally.latencies);
      const ok = isCorrect(o);
      const rawValue = raw.tally.perSecond('events');
      return [
        row({
          workload: 'W5',
          title: this.title,
          store: ctx.kind,
          unit: 'successes/s',
          result: { value: store.tally.perSecond('events'), p50Ms: s.p50, p99Ms: s.p99 },
          raw: { value: rawValue, p50Ms: r.p50, p99Ms: r.p99 },
          ratio: rawValue > 0 ? store.tally.perSecond('events') / rawValue : null,
          target: 'none lost or duplicated',
          status: ok ? 'pass' : 'fail',
          notes: [
            `${o.successes} successes, ${o.conflicts} conflicts (raw: ${raw.outcome.successes}, ${raw.outcome.conflicts}); ` +
              `final version ${o.finalVersion} ${o.finalVersion === o.successes ? '=' : '≠'} successes; lost ${o.lost}, duplicated ${o.duplicated}, ` +
              `written-despite-conflict ${o.phantom}, out of order ${o.outOfOrder}`,
            'p50/p99: one reload + append attempt',
            cpuNote(store.tally, raw.tally, 'attempt'),
          ],
          details: { store: o, raw: raw.outcome, rawCorrect: isCorrect(raw.outcome), writers: WRITERS, rounds: ROUNDS, cpu: { store: cpuDetails(store.tally), raw: cpuDetails(raw.tally) } },
        }),
      ];
    } finally {
      await arena.dispose();
    }
  },
};
