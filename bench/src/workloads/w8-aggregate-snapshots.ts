import { type CommandHandler, createCommandHandler, type EventStore, snapshotEvery } from '@cairn/core';
import { deposit, EVENT_TYPE } from '../payload.js';
import { type ResultRow, row } from '../result.js';
import { now, scaled, summarize, type Summary, Tally } from '../stats.js';
import { type AccountState, accountDecider, type DepositEvent } from './aggregate-account.js';
import type { Workload } from './workload.js';

const SNAPSHOT_EVERY = 100;
/**
 * Events after the last snapshot. `snapshotEvery(100)` leaves a tail of 0–99 events behind
 * the snapshot (a new one is saved once 100 have accumulated); 50 is the average, and below
 * 100 no timed load saves a snapshot.
 */
const TAIL = 50;
const LOAD_BATCH = 1000;
const ROUNDS = 10;
const WARM_LOADS = 3;
const TARGET = 1.5;

interface Size {
  /** BENCH.md's size (1,000 / 10,000 / 100,000), the label at full scale. */
  nominal: number;
  events: number;
  /** Loads with snapshots, and plain folds of the whole stream (these cost ~events, so fewer). */
  loadsWith: number;
  loadsWithout: number;
}

type Mode = 'with' | 'without';
type Handler = CommandHandler<AccountState, never, DepositEvent>;

/**
 * W8: load an aggregate of 1,000 / 10,000 / 100,000 events with `snapshotEvery(100)` through
 * the command handler (`handler.load`: the snapshot, then the events after it), and the same
 * loads without snapshots (a plain fold of the whole stream) so the speed-up shows. Setup:
 * each stream gets all but its last 50 events, one load saves the snapshot there, then the
 * last 50 are appended. Timed loads alternate sizes and modes in 10 rounds after a warm-up.
 * Target: load(100,000) / load(1,000) ≤ 1.5 with snapshots, on the median ms per load.
 * Every load's state must equal what was appended (balance and count).
 */
export const w8AggregateSnapshots: Workload = {
  id: 'W8',
  title: 'aggregate load',
  async run(ctx) {
    const sizes: Size[] = [
      { nominal: 1_000, events: scaled(1_000, ctx.scale, 200), loadsWith: scaled(200, ctx.scale, 20), loadsWithout: scaled(40, ctx.scale, 5) },
      { nominal: 10_000, events: scaled(10_000, ctx.scale, 400), loadsWith: scaled(200, ctx.scale, 20), loadsWithout: scaled(20, ctx.scale, 5) },
      { nominal: 100_000, events: scaled(100_000, ctx.scale, 1000), loadsWith: scaled(200, ctx.scale, 20), loadsWithout: scaled(10, ctx.scale, 3) },
    ];
    const arena = await ctx.env.arena('W8');
    try {
      const handlers: Record<Mode, Handler> = {
        with: createCommandHandler({ store: arena.store, decider: accountDecider, snapshots: { policy: snapshotEvery(SNAPSHOT_EVERY) } }),
        without: createCommandHandler({ store: arena.store, decider: accountDecider }),
      };
      const expected: AccountState[] = [];
      for (const [i, size] of sizes.entries()) {
        ctx.log(`W8 ${ctx.kind}: loading a ${size.events}-event stream (setup, not timed)`);
        expected.push(await buildStream(arena.store, streamOf(i), size.events, handlers.with));
      }
      const tallies = sizes.map(() => ({ with: new Tally(arena.storeSide.serverCpuMs), without: new Tally(arena.storeSide.serverCpuMs) }));
      const loadOnce = async (i: number, mode: Mode, tally: Tally | null): Promise<void> => {
        const start = now();
        const loaded = await handlers[mode].load(streamOf(i));
        const ms = now() - start;
        const want = expected[i] as AccountState;
        if (loaded.state.balanceCents !== want.balanceCents || loaded.state.deposits !== want.deposits) {
          throw new Error(`${mode} snapshots: ${streamOf(i)} loaded ${JSON.stringify(loaded.state)}, expected ${JSON.stringify(want)}`);
        }
        const replayed = mode === 'with' ? TAIL : want.deposits;
        if (loaded.eventsReplayed !== replayed) throw new Error(`${mode} snapshots: ${streamOf(i)} replayed ${loaded.eventsReplayed} events, expected ${replayed}`);
        if (tally) {
          tally.latencies.push(ms);
          tally.ops++;
          tally.events += loaded.eventsReplayed;
        }
      };
      for (let w = 0; w < WARM_LOADS; w++) {
        for (const i of sizes.keys()) for (const mode of ['with', 'without'] as const) await loadOnce(i, mode, null);
      }
      ctx.log(`W8 ${ctx.kind}: ${sizes.map((s) => `${s.events} events × ${s.loadsWith} + ${s.loadsWithout} loads`).join(', ')}; ${ROUNDS} rounds`);
      for (let round = 0; round < ROUNDS; round++) {
        // Alternate which mode goes first, and walk the sizes up in even rounds and down in odd ones.
        const modes: Mode[] = round % 2 === 0 ? ['with', 'without'] : ['without', 'with'];
        const order = round % 2 === 0 ? [...sizes.keys()] : [...sizes.keys()].reverse();
        for (const mode of modes) {
          for (const i of order) {
            const size = sizes[i] as Size;
            const total = mode === 'with' ? size.loadsWith : size.loadsWithout;
            const n = Math.floor(total / ROUNDS) + (round < total % ROUNDS ? 1 : 0);
            const tally = tallies[i]?.[mode] as Tally;
            // `timed` adds the batch's wall and CPU time; `loadOnce` records each load's latency.
            await tally.timed(async () => {
              for (let k = 0; k < n; k++) await loadOnce(i, mode, tally);
            });
          }
        }
      }
      return rowsFor(ctx.kind, sizes, tallies);
    } finally {
      await arena.dispose();
    }
  },
};

function streamOf(i: number): string {
  return `account-w8-${i}`;
}

/** Append `events` deposits, save a snapshot `TAIL` events before the end with one load, append the tail. */
async function buildStream(store: EventStore, streamId: string, events: number, withSnapshots: Handler): Promise<AccountState> {
  const state: AccountState = { balanceCents: 0, deposits: 0 };
  const appendUpTo = async (end: number): Promise<void> => {
    while (state.deposits < end) {
      const size = Math.min(LOAD_BATCH, end - state.deposits);
      const batch = Array.from({ length: size }, (_, k) => deposit(streamId, `w8:${state.deposits + k}`, state.deposits + k));
      await store.append(streamId, batch.map((data) => ({ type: EVENT_TYPE, data })), { expectedVersion: state.deposits });
      state.balanceCents += batch.reduce((sum, d) => sum + d.amountCents, 0);
      state.deposits += size;
    }
  };
  await appendUpTo(events - TAIL);
  const first = await withSnapshots.load(streamId);
  if (first.version !== events - TAIL) throw new Error(`setup: ${streamId} loaded at version ${first.version}, expected ${events - TAIL}`);
  const snapshot = await store.snapshots.load(streamId, 'state');
  if (snapshot?.version !== events - TAIL) throw new Error(`setup: no snapshot of ${streamId} at version ${events - TAIL} (found ${snapshot?.version ?? 'none'})`);
  await appendUpTo(events);
  return { ...state };
}

function rowsFor(kind: ResultRow['store'], sizes: readonly Size[], tallies: ReadonlyArray<Record<Mode, Tally>>): ResultRow[] {
  const summaries = tallies.map((t) => ({ with: summarize(t.with.latencies), without: summarize(t.without.latencies) }));
  const base = summaries[0] as Record<Mode, Summary>;
  const last = sizes.length - 1;
  const largest = sizes[last] as Size;
  const smallest = sizes[0] as Size;
  const rows: ResultRow[] = [];
  for (const mode of ['with', 'without'] as const) {
    for (const [i, size] of sizes.entries()) {
      const s = (summaries[i] as Record<Mode, Summary>)[mode];
      const tally = (tallies[i] as Record<Mode, Tally>)[mode];
      const ratio = s.p50 / base[mode].p50;
      const judged = mode === 'with' && i === last;
      const label = `${size.events.toLocaleString('en-US')} events`;
      const notes: string[] = [];
      if (i === 0) {
        notes.push(
          mode === 'with'
            ? `handler.load with snapshotEvery(${SNAPSHOT_EVERY}): the snapshot, then the ${TAIL} events after it; result and p50: median ms per load; ratio: load(n) / load(${smallest.events.toLocaleString('en-US')}), medians`
            : 'handler.load without snapshots: a fold of the whole stream; ratio: load(n) / load of the smallest stream, medians',
        );
      }
      if (i === last) {
        const other = (summaries[i] as Record<Mode, Summary>)[mode === 'with' ? 'without' : 'with'];
        const speedUp = (mode === 'with' ? other.p50 / s.p50 : s.p50 / other.p50).toFixed(0);
        notes.push(`${label}: ${speedUp}× faster with snapshots (median ${fmt(summaries[i]?.with.p50)} ms vs ${fmt(summaries[i]?.without.p50)} ms without)`);
      }
      notes.push(`${s.count} loads; CPU per load: client ${(tally.cpuPerOpUs() / 1000).toFixed(2)} ms${tally.serverCpuMs > 0 ? `, server ${(tally.serverCpuMs / tally.ops).toFixed(2)} ms` : ''}`);
      rows.push(
        row({
          workload: 'W8',
          title: `aggregate load, ${label}, ${mode === 'with' ? `snapshot every ${SNAPSHOT_EVERY}` : 'no snapshots'}`,
          store: kind,
          unit: 'ms per load',
          result: { value: s.p50, p50Ms: s.p50, p99Ms: s.p99 },
          ratio: i === 0 ? null : ratio,
          target: judged ? `load(${shortCount(largest.nominal)}) / load(${shortCount(smallest.nominal)}) ≤ ${TARGET}; state exact` : 'state exact',
          // Every load checked its state (a wrong one throws, making the whole workload an error row).
          status: judged ? (ratio <= TARGET ? 'pass' : 'fail') : 'pass',
          notes,
          details: {
            mode,
            events: size.events,
            nominalEvents: size.nominal,
            snapshotEvery: mode === 'with' ? SNAPSHOT_EVERY : null,
            eventsReplayedPerLoad: mode === 'with' ? TAIL : size.events,
            loads: s.count,
            msPerLoad: { mean: tally.ops > 0 ? tally.ms / tally.ops : null, p50: s.p50, p99: s.p99, max: s.max },
            ...(i === last ? { speedUpWithSnapshots: (summaries[i]?.without.p50 ?? NaN) / (summaries[i]?.with.p50 ?? NaN) } : {}),
            cpu: { clientUsPerLoad: tally.cpuPerOpUs(), serverUsPerLoad: tally.ops > 0 && tally.serverCpuMs > 0 ? (tally.serverCpuMs * 1000) / tally.ops : null },
          },
        }),
      );
    }
  }
  return rows;
}

function fmt(ms: number | undefined): string {
  return ms === undefined ? '?' : ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2);
}

function shortCount(n: number): string {
  return n >= 1000 ? `${n / 1000}k` : String(n);
}
