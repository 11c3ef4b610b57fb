import type { EventStore } from '@cairn/core';
import { createPostgresStore } from '@cairn/postgres';
import { createSqliteStore } from '@cairn/sqlite';
import { loadPg } from '../drivers/pg-driver.js';
import type { Location } from '../env/arena.js';
import { openRawSqlite } from '../env/sqlite-env.js';
import type { MoneyDeposited } from '../payload.js';
import { rawPostgresCatchUp } from '../raw/postgres-raw.js';
import { rawSqliteCatchUp } from '../raw/sqlite-raw.js';
import { now } from '../stats.js';

export const RAW_PAGE_SIZE = 1000;
const WARM_EVENTS = 10_000;
const SAMPLE_EVERY = 1000;

export interface CatchUpJob {
  location: Location;
  side: 'store' | 'raw';
  /** Events in the log; the read stops when it has seen them all. */
  expected: number;
  /** Stop reading after this many ms (the run must fit its time budget); the measurement then says `complete: false`. */
  budgetMs?: number;
}

export interface CatchUpMeasurement {
  side: 'store' | 'raw';
  events: number;
  ms: number;
  rssBaselineMb: number;
  rssPeakMb: number;
  heapPeakMb: number;
  /** False when the read hit its time budget before reading every event. */
  complete: boolean;
}

/** A counting projection: what a catch-up subscriber at its simplest does with each event. */
class Counter {
  count = 0;
  sum = 0;
  rssPeak = 0;
  heapPeak = 0;
  /** performance.now() after which the reader stops; checked every 1,000 events. */
  deadline = Number.POSITIVE_INFINITY;
  stopped = false;

  apply(data: MoneyDeposited): void {
    this.count++;
    this.sum += data.amountCents;
    if (this.count % SAMPLE_EVERY === 0) {
      this.sample();
      if (now() > this.deadline) this.stopped = true;
    }
  }

  sample(): void {
    const m = process.memoryUsage();
    if (m.rss > this.rssPeak) this.rssPeak = m.rss;
    if (m.heapUsed > this.heapPeak) this.heapPeak = m.heapUsed;
  }
}

/** Read the whole log from position 0 through the store's catch-up subscription, stopping at `limit`. */
async function viaSubscription(store: EventStore, limit: number, counter: Counter): Promise<void> {
  const stop = new AbortController();
  for await (const e of store.subscribe<{ type: string; data: MoneyDeposited }>({ after: 0n, signal: stop.signal })) {
    counter.apply(e.data);
    if (counter.count >= limit || counter.stopped) break;
  }
  stop.abort();
}

/**
 * W6 in one process: open the side, warm it up on the first pages, take the RSS baseline
 * (after a GC when `--expose-gc` is on), then read everything, sampling RSS every 1,000
 * events and every 25 ms. The peak over the baseline is the growth BENCH.md bounds.
 */
export async function catchUp(job: CatchUpJob): Promise<CatchUpMeasurement> {
  const { location, side, expected } = job;
  let read: (limit: number, counter: Counter) => Promise<void>;
  let close: () => Promise<void>;
  if (side === 'store') {
    const store =
      location.kind === 'postgres'
        ? createPostgresStore({ connectionString: location.url, schema: location.storeSchema })
        : createSqliteStore({ path: location.storePath, synchronous: location.synchronous });
    read = (limit, counter) => viaSubscription(store, limit, counter);
    close = () => store.close();
  } else if (location.kind === 'postgres') {
    const { Pool } = loadPg();
    const pool = new Pool({ connectionString: location.url, max: 1, application_name: 'cairn-bench-w6' });
    read = async (limit, counter) => {
      await rawPostgresCatchUp(pool, location.rawSchema, RAW_PAGE_SIZE, (d) => counter.apply(d), limit, () => counter.stopped);
    };
    close = () => pool.end();
  } else {
    const db = openRawSqlite(location.rawPath, location.synchronous);
    read = async (limit, counter) => {
      await rawSqliteCatchUp(db, RAW_PAGE_SIZE, (d) => counter.apply(d), limit, () => counter.stopped);
    };
    close = async () => db.close();
  }
  try {
    await read(Math.min(WARM_EVENTS, expected), new Counter());
    (globalThis as { gc?: () => void }).gc?.();
    const baseline = process.memoryUsage();
    const counter = new Counter();
    counter.rssPeak = baseline.rss;
    counter.heapPeak = baseline.heapUsed;
    const timer = setInterval(() => counter.sample(), 25);
    const start = now();
    if (job.budgetMs !== undefined) counter.deadline = start + job.budgetMs;
    try {
      await read(expected, counter);
    } finally {
      clearInterval(timer);
    }
    const ms = now() - start;
    counter.sample();
    if (counter.count !== expected && !counter.stopped) throw new Error(`W6 ${side}: read ${counter.count} events, expected ${expected}`);
    const mb = (bytes: number): number => bytes / 1024 / 1024;
    return {
      side,
      events: counter.count,
      ms,
      rssBaselineMb: mb(baseline.rss),
      rssPeakMb: mb(counter.rssPeak),
      heapPeakMb: mb(counter.heapPeak),
      complete: counter.count === expected,
    };
  } finally {
    await close();
  }
}
