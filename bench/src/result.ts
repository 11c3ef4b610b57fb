import type { StoreKind } from './env/arena.js';

/**
 * pass/fail: measured against BENCH.md's target. pending: the workload cannot run yet
 * (W8, HTTP) and is never counted as a pass. error: the workload threw; the message says why.
 */
export type Status = 'pass' | 'fail' | 'pending' | 'error';

export interface Measured {
  /** Throughput in `unit`, or a size for memory rows. */
  value: number;
  p50Ms?: number;
  p99Ms?: number;
}

export interface ResultRow {
  /** 'W1' … 'W8', 'HTTP'. */
  workload: string;
  title: string;
  store: StoreKind;
  unit: string;
  /** The store's figure; null when the workload did not produce one. */
  result: Measured | null;
  /** The raw ceiling measured in the same run; null when the workload has none. */
  raw: Measured | null;
  /** result / raw for throughput rows. */
  ratio: number | null;
  target: string;
  status: Status;
  notes: string[];
  details: Record<string, unknown>;
}

export function row(partial: Pick<ResultRow, 'workload' | 'title' | 'store' | 'unit' | 'target' | 'status'> & Partial<ResultRow>): ResultRow {
  return { result: null, raw: null, ratio: null, notes: [], details: {}, ...partial };
}

/** A throughput row judged as store / raw against a minimum ratio. */
export function ratioRow(
  base: Pick<ResultRow, 'workload' | 'title' | 'store' | 'unit'>,
  result: Measured,
  raw: Measured,
  minRatio: number,
  extra: Partial<ResultRow> = {},
): ResultRow {
  const ratio = raw.value > 0 ? result.value / raw.value : 0;
  return row({ ...base, result, raw, ratio, target: `≥ ${minRatio}`, status: ratio >= minRatio ? 'pass' : 'fail', ...extra });
}
