import { performance } from 'node:perf_hooks';

/** Milliseconds with sub-millisecond resolution, monotonic. */
export const now = (): number => performance.now();

/** Nearest-rank percentile of already-sorted samples; NaN when there are none. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number;
}

export interface Summary {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = Float64Array.from(samples).sort();
  return { count: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.length ? (sorted[sorted.length - 1] as number) : Number.NaN };
}

/**
 * What one side (store or raw) did in one workload: work done, time spent measuring it
 * (summed over rounds, so time spent on the other side never counts) and latency samples.
 */
export class Tally {
  ops = 0;
  events = 0;
  ms = 0;
  readonly latencies: number[] = [];

  /** Time `fn`, adding its duration to the total. */
  async timed<T>(fn: () => Promise<T>): Promise<T> {
    const start = now();
    try {
      return await fn();
    } finally {
      this.ms += now() - start;
    }
  }

  perSecond(what: 'ops' | 'events'): number {
    return this.ms > 0 ? (this[what] * 1000) / this.ms : 0;
  }
}

/**
 * Run the two sides in alternating rounds (raw first in even rounds, store first in odd
 * ones): on a shared machine, load that comes and goes then hits both sides alike, and
 * neither always enjoys a warmer cache. This is what makes a ratio from one run trustworthy.
 */
export async function alternate(rounds: number, sides: { raw: (round: number) => Promise<void>; store: (round: number) => Promise<void> }): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    if (round % 2 === 0) {
      await sides.raw(round);
      await sides.store(round);
    } else {
      await sides.store(round);
      await sides.raw(round);
    }
  }
}

/** `n * scale`, rounded, never below `min`. */
export function scaled(n: number, scale: number, min = 1): number {
  return Math.max(min, Math.round(n * scale));
}
