import { ConcurrencyError, type EventStore, type Position } from '@cairn/core';
import { deposit, EVENT_TYPE } from '../payload.js';
import { type ResultRow, row } from '../result.js';
import { alternate, cpuDetails, cpuNote, now, scaled, summarize, Tally } from '../stats.js';
import type { Workload } from './workload.js';

const ROUNDS = 4;
const TAG = 'username';
/** Writers → appends per side at scale 1. */
const SHAPES = [
  { writers: 1, appends: 2000 },
  { writers: 8, appends: 8000 },
] as const;

type Kind = 'plain' | 'conditional';

interface Side {
  kind: Kind;
  tally: Tally;
  /** Appends made so far per writer: names the next stream and tag. */
  made: number[];
  /** ConcurrencyErrors: none may happen (every tag and stream is new). */
  conflicts: number;
}

/**
 * DCB (issue 10): conditional appends — `append(stream, [e], { condition: { failIfEventsMatch:
 * [{ types: [MoneyDeposited], tags: ['username:…'] }], after } })`, the unique-username check —
 * against plain appends of the same events, on the same store, 1 and 8 writers, alternating
 * rounds. Every append registers a new name: a new stream and a new tag, so no condition can
 * fail and neither side ever waits for the other writers' tags. The plain side guards the same
 * stream the stream way (`expectedVersion: 0`); the conditional side gives only the condition,
 * as `createDecisionHandler` does, with `after` = the head read before the round (what a
 * `read({ query })` of a new tag returns). No BENCH.md target: the ratio conditional / plain is
 * reported; the row passes when no condition failed, each name is stored once, and a condition
 * that should fail does.
 */
export const dcbConditionalAppend: Workload = {
  id: 'DCB',
  title: 'conditional appends on distinct tags',
  async run(ctx) {
    const arena = await ctx.env.arena('DCB');
    try {
      const rows: ResultRow[] = [];
      for (const shape of SHAPES) {
        const appends = scaled(shape.appends, ctx.scale, 20 * shape.writers);
        const perWriterPerRound = Math.max(1, Math.round(appends / shape.writers / ROUNDS));
        const prefix = `w${shape.writers}`;
        const side = (kind: Kind): Side => ({ kind, tally: new Tally(arena.storeSide.serverCpuMs), made: new Array<number>(shape.writers).fill(0), conflicts: 0 });
        const warm = { plain: side('plain'), conditional: side('conditional') };
        const plain = side('plain');
        const conditional = side('conditional');
        await runSide(arena.store, `${prefix}-warm`, warm.plain, shape.writers, Math.min(50, perWriterPerRound), false);
        await runSide(arena.store, `${prefix}-warm`, warm.conditional, shape.writers, Math.min(50, perWriterPerRound), false);
        ctx.log(`DCB ${ctx.kind}: ${shape.writers} writer(s) × ${perWriterPerRound * ROUNDS} conditional and plain appends, ${ROUNDS} alternating rounds`);
        await alternate(ROUNDS, {
          raw: () => runSide(arena.store, prefix, plain, shape.writers, perWriterPerRound, true),
          store: () => runSide(arena.store, prefix, conditional, shape.writers, perWriterPerRound, true),
        });
        const check = await checkOutcome(arena.store, prefix, conditional, plain);
        const c = summarize(conditional.tally.latencies);
        const p = summarize(plain.tally.latencies);
        const cRate = conditional.tally.perSecond('events');
        const pRate = plain.tally.perSecond('events');
        const ok = conditional.conflicts === 0 && plain.conflicts === 0 && check.problems.length === 0;
        rows.push(
          row({
            workload: 'DCB',
            title: `${this.title}, ${shape.writers} writer${shape.writers === 1 ? '' : 's'}`,
            store: ctx.kind,
            unit: 'events/s',
            result: { value: cRate, p50Ms: c.p50, p99Ms: c.p99 },
            raw: { value: pRate, p50Ms: p.p50, p99Ms: p.p99 },
            ratio: pRate > 0 ? cRate / pRate : 0,
            target: 'ratio to plain appends (no target); conditions exact',
            status: ok ? 'pass' : 'fail',
            notes: [
              `"raw ceiling" here: plain appends of the same events to new streams (expectedVersion 0) on the same store; ratio: conditional / plain`,
              cpuNote(conditional.tally, plain.tally, 'append', ['conditional', 'plain']),
              `${conditional.tally.events} conditional / ${plain.tally.events} plain appends; conflicts ${conditional.conflicts} / ${plain.conflicts} (must be 0); ` +
                (check.problems.length === 0 ? 'every name stored once; a stale condition was refused' : `WRONG: ${check.problems.join('; ')}`),
            ],
            details: {
              writers: shape.writers,
              appends: { conditional: conditional.tally.events, plain: plain.tally.events },
              conflicts: { conditional: conditional.conflicts, plain: plain.conflicts },
              problems: check.problems,
              rounds: ROUNDS,
              cpu: { conditional: cpuDetails(conditional.tally), plain: cpuDetails(plain.tally) },
            },
          }),
        );
      }
      return rows;
    } finally {
      await arena.dispose();
    }
  },
};

function names(prefix: string, kind: Kind, w: number, n: number): { streamId: string; tag: string } {
  const id = `${prefix}-${kind === 'plain' ? 'p' : 'c'}-${w}-${n}`;
  return { streamId: `user-${id}`, tag: `${TAG}:${id}` };
}

/** One round: every writer makes `perWriter` appends, each registering a new name. */
async function runSide(store: EventStore, prefix: string, side: Side, writers: number, perWriter: number, timed: boolean): Promise<void> {
  const after: Position = side.kind === 'conditional' ? await store.headPosition() : 0n;
  const one = async (w: number): Promise<void> => {
    for (let i = 0; i < perWriter; i++) {
      const n = side.made[w] ?? 0;
      side.made[w] = n + 1;
      const { streamId, tag } = names(prefix, side.kind, w, n);
      const event = { type: EVENT_TYPE, data: deposit(streamId, `dcb:${w}:${n}`, n), tags: [tag] };
      const start = now();
      try {
        if (side.kind === 'plain') await store.append(streamId, [event], { expectedVersion: 0 });
        else await store.append(streamId, [event], { condition: { failIfEventsMatch: [{ types: [EVENT_TYPE], tags: [tag] }], after } });
      } catch (error) {
        if (!(error instanceof ConcurrencyError)) throw error;
        side.conflicts++;
        continue;
      }
      if (timed) {
        side.tally.latencies.push(now() - start);
        side.tally.ops++;
        side.tally.events++;
      }
    }
  };
  const all = (): Promise<void[]> => Promise.all(Array.from({ length: writers }, (_, w) => one(w)));
  if (timed) await side.tally.timed(all);
  else await all();
}

/** Sampled names are stored exactly once, and a condition that must fail does. */
async function checkOutcome(store: EventStore, prefix: string, ...sides: Side[]): Promise<{ problems: string[] }> {
  const problems: string[] = [];
  for (const side of sides) {
    for (const [w, made] of side.made.entries()) {
      for (const n of new Set([0, Math.floor(made / 2), made - 1])) {
        if (n < 0) continue;
        const { tag } = names(prefix, side.kind, w, n);
        const { events } = await store.read({ query: [{ types: [EVENT_TYPE], tags: [tag] }] });
        if (events.length !== 1) problems.push(`${tag}: ${events.length} events`);
      }
    }
  }
  // A second registration of a taken name, on the position before the first: must be refused.
  const { streamId, tag } = names(prefix, 'conditional', 0, 0);
  try {
    await store.append(`${streamId}-again`, [{ type: EVENT_TYPE, data: deposit(streamId, 'dcb:again', 0), tags: [tag] }], {
      condition: { failIfEventsMatch: [{ types: [EVENT_TYPE], tags: [tag] }], after: 0n },
    });
    problems.push(`a second ${tag} was accepted`);
  } catch (error) {
    if (!(error instanceof ConcurrencyError)) throw error;
  }
  return { problems };
}
