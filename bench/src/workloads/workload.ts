import type { BenchEnv, StoreKind } from '../env/arena.js';
import type { ResultRow } from '../result.js';

export interface WorkloadContext {
  readonly env: BenchEnv;
  readonly kind: StoreKind;
  /** 1 = the sizes of BENCH.md; 0.02 = a smoke run. */
  readonly scale: number;
  /** Progress for humans, on stderr: stdout carries only the table or the JSON. */
  log(line: string): void;
}

/**
 * One row of BENCH.md. `run` measures the store and its raw ceiling in the same call
 * (alternating rounds, after a warm-up) and returns its table rows. Adding a workload is
 * one file exporting one of these, plus one line in `registry.ts`.
 */
export interface Workload {
  readonly id: string;
  readonly title: string;
  run(ctx: WorkloadContext): Promise<ResultRow[]>;
}
