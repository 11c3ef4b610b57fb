import type { EventStore } from '@cairn/core';
import { type MoneyDeposited, noteKey } from '../payload.js';
import { row, type ResultRow } from '../result.js';
import { now, scaled, summarize, Tally } from '../stats.js';
import { w2Plan } from './w2-concurrent-writers.js';
import { runWriters, type WriterPlan, WriterState } from './writers.js';
import type { Workload } from './workload.js';

const DRAIN_TIMEOUT_MS = 30_000;
const LONG_XACT_MS = 100;
const LIMIT_MS = { postgres: 50, sqlite: 10 } as const;

interface Delivery {
  label: string;
  /** When each keyed event reached the subscriber. */
  at: Map<string, number>;
  positionsInOrder: boolean;
  repeats: number;
  done: Promise<void>;
  stop(): void;
}

/** Subscribe from `after` and note when each event arrives, until `total` have arrived or `stop()`. */
function follow(store: EventStore, label: string, after: bigint, total: number): Delivery {
  const stop = new AbortController();
  const d: Delivery = { label, at: new Map(), positionsInOrder: true, repeats: 0, done: Promise.resolve(), stop: () => stop.abort() };
  d.done = (async () => {
    let last = after;
    for await (const e of store.subscribe<{ type: string; data: MoneyDeposited }>({ after, signal: stop.signal })) {
      const t = now();
      if (e.position <= last) d.positionsInOrder = false;
      last = e.position;
      const key = noteKey(e.data);
      if (d.at.has(key)) d.repeats++;
      else d.at.set(key, t);
      if (d.at.size >= total) break;
    }
  })();
  return d;
}

/**
 * W7: append-to-subscriber latency while a W2-like load runs (8 writers, own streams).
 * Two subscribers follow the log: one on the writers' own store instance (woken in-process),
 * one on a second instance, as another process would be (woken by LISTEN/NOTIFY on
 * PostgreSQL, by PRAGMA data_version polling on SQLite). Latency runs from the moment the
 * append is issued to the moment the subscriber holds the event; the time from the append's
 * acknowledgement is in the notes. There is no raw ceiling: the target is absolute.
 */
export const w7LiveDelivery: Workload = {
  id: 'W7',
  title: 'live delivery under W2 load',
  async run(ctx) {
    const appends = scaled(20_000, ctx.scale, 160);
    const perWriter = Math.max(1, Math.round(appends / w2Plan.writers));
    const total = perWriter * w2Plan.writers;
    const arena = await ctx.env.arena('W7');
    try {
      const second = arena.openSecondStore();
      const warmPlan: WriterPlan = { ...w2Plan, streamId: (w, k) => `warmup-w${w}-${k}` };
      await runWriters(arena.storeSide, new WriterState(warmPlan), 10, null);
      const head = await arena.store.headPosition();
      const followers = [follow(arena.store, 'same instance', head, total), follow(second, 'second instance', head, total)];
      // Let both subscriptions reach their live wait (and the second one its LISTEN) before the load starts.
      await new Promise((resolve) => setTimeout(resolve, 300));
      // On PostgreSQL, a reader bounded by the oldest running transaction id waits for any long transaction in the cluster; note them.
      const watcher = ctx.env.watchLongTransactions?.(LONG_XACT_MS);
      const issued = new Map<string, number>();
      const acked = new Map<string, number>();
      const tally = new Tally();
      ctx.log(`W7 ${ctx.kind}: ${w2Plan.writers} writers × ${perWriter} appends with 2 live subscribers`);
      await runWriters(arena.storeSide, new WriterState(w2Plan), perWriter, tally, {
        issued: (key, at) => issued.set(key, at),
        acked: (key, at) => acked.set(key, at),
      });
      const drained = await Promise.race([
        Promise.all(followers.map((f) => f.done)).then(() => true),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), DRAIN_TIMEOUT_MS).unref()),
      ]);
      for (const f of followers) f.stop();
      const longTransactions = (await watcher?.stop()) ?? [];
      const appendLatency = summarize(tally.latencies);
      const limit = LIMIT_MS[ctx.kind];
      return followers.map((f): ResultRow => {
        const fromIssue: number[] = [];
        const fromAck: number[] = [];
        for (const [key, at] of f.at) {
          const i = issued.get(key);
          const a = acked.get(key);
          if (i !== undefined) fromIssue.push(at - i);
          // Delivery may beat the writer's own continuation to the event loop; that counts as 0.
          if (a !== undefined) fromAck.push(Math.max(0, at - a));
        }
        const s = summarize(fromIssue);
        const ack = summarize(fromAck);
        const missing = total - f.at.size;
        const correct = drained && missing === 0 && f.repeats === 0 && f.positionsInOrder;
        const result = row({
          workload: 'W7',
          title: `live delivery, subscriber on ${f.label}`,
          store: ctx.kind,
          unit: 'events/s',
          result: { value: tally.perSecond('events'), p50Ms: s.p50, p99Ms: s.p99 },
          target: `p99 < ${limit} ms`,
          status: correct && s.p99 < limit ? 'pass' : 'fail',
          notes: [
            `events/s: the writers' throughput during W7; p50/p99: issue → delivered; ack → delivered p50 ${ack.p50.toFixed(2)} / p99 ${ack.p99.toFixed(2)} ms; ` +
              `append p99 ${appendLatency.p99.toFixed(2)} ms; delivered ${f.at.size}/${total}, repeated ${f.repeats}, in order ${f.positionsInOrder ? 'yes' : 'NO'}`,
          ],
          details: { appends: total, issueToDelivery: s, ackToDelivery: ack, appendLatency, missing, repeats: f.repeats, inOrder: f.positionsInOrder, longTransactions },
        });
        if (longTransactions.length > 0) {
          const longest = Math.max(...longTransactions.map((t) => t.ms));
          result.notes.push(
            `${longTransactions.length} transaction(s) elsewhere in the cluster held a transaction id for more than ${LONG_XACT_MS} ms during the run, ` +
              `the longest ${Math.round(longest)} ms (a reader bounded by pg_snapshot_xmin would have waited for them)`,
          );
        }
        return result;
      });
    } finally {
      await arena.dispose();
    }
  },
};
