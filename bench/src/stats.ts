import { performance } from 'node:perf_hooks';
import { cpuBetween } from './env/backend-cpu.js';

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
  /** CPU time of this Node process (user + system) while the side ran: the client's share of the work. */
  cpuMs = 0;
  /** CPU time of the database processes serving this side, when they can be observed (PostgreSQL on this machine). */
  serverCpuMs = 0;
  readonly latencies: number[] = [];

  /** `serverCpu` reads the cumulative CPU of the side's database backends; sampled outside the timed window. */
  constructor(private readonly serverCpu?: () => Promise<ReadonlyMap<number, number> | undefined>) {}

  /** Time `fn`, adding its duration and this process's CPU time to the totals. */
  async timed<T>(fn: () => Promise<T>): Promise<T> {
    const serverBefore = await this.serverCpu?.();
    const start = now();
    const cpu = process.cpuUsage();
    try {
      return await fn();
    } finally {
      this.ms += now() - start;
      const used = process.cpuUsage(cpu);
      this.cpuMs += (used.user + used.system) / 1000;
      const serverAfter = await this.serverCpu?.();
      if (serverBefore !== undefined && serverAfter !== undefined) this.serverCpuMs += cpuBetween(serverBefore, serverAfter);
    }
  }

  /** Client CPU per operation in microseconds, the evidence for "where does the time go" on a 2-core machine. */
  cpuPerOpUs(): number {
    return this.ops > 0 ? (this.cpuMs * 1000) / this.ops : Number.NaN;
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

/**
 * "CPU per append: client store 41 / raw 14 µs; server store 90 / raw 45 µs". On a 2-core
 * machine the client (this Node process) and the database share the cores, so CPU per
 * operation, not only latency, decides throughput under concurrency.
 */
export function cpuNote(store: Tally, raw: Tally, per: string, names: readonly [string, string] = ['store', 'raw']): string {
  const us = (ms: number, t: Tally): string => (t.ops > 0 ? ((ms * 1000) / t.ops).toFixed(0) : '?');
  const [a, b] = names;
  let note = `CPU per ${per}: client ${a} ${us(store.cpuMs, store)} / ${b} ${us(raw.cpuMs, raw)} µs`;
  if (store.serverCpuMs > 0 || raw.serverCpuMs > 0) note += `; server ${a} ${us(store.serverCpuMs, store)} / ${b} ${us(raw.serverCpuMs, raw)} µs`;
  return note;
}

/** The CPU figures of a side for the JSON details. */
export function cpuDetails(t: Tally): { clientUsPerOp: number; serverUsPerOp: number | null } {
  return { clientUsPerOp: t.cpuPerOpUs(), serverUsPerOp: t.ops > 0 && t.serverCpuMs > 0 ? (t.serverCpuMs * 1000) / t.ops : null };
}
