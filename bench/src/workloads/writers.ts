import { deposit } from '../payload.js';
import { now, type Tally } from '../stats.js';
import type { Subject } from '../subject.js';

/**
 * Single-event appends at exact expected versions, shared by W1 (one writer), W2 and W7
 * (eight). Each writer owns its streams and loops: append, await, next stream. Versions
 * are tracked per side, so the store and the raw table each see a gap-free history.
 */
export interface WriterPlan {
  writers: number;
  streamsPerWriter: number;
  /** Stream id of writer `w`'s `k`-th stream. */
  streamId(w: number, k: number): string;
}

export class WriterState {
  readonly versions = new Map<string, number>();
  /** Per writer: how many appends it has made, which picks its next stream round-robin. */
  readonly made: number[];

  constructor(readonly plan: WriterPlan) {
    this.made = new Array<number>(plan.writers).fill(0);
  }
}

export interface AppendHooks {
  /** Called just before each append with the key in its note (W7 uses it to time delivery). */
  issued?(key: string, at: number): void;
  acked?(key: string, at: number): void;
  /** A `now()` after which writers issue no more appends (the HTTP workload's time bound); the round's count is then smaller. */
  deadline?: number;
}

/** Every writer makes `perWriter` appends concurrently with the others; one round's work. */
export async function runWriters(side: Subject, state: WriterState, perWriter: number, tally: Tally | null, hooks: AppendHooks = {}): Promise<void> {
  const { plan } = state;
  const one = async (w: number): Promise<void> => {
    for (let i = 0; i < perWriter; i++) {
      if (hooks.deadline !== undefined && now() > hooks.deadline) return;
      const n = state.made[w] ?? 0;
      state.made[w] = n + 1;
      const streamId = plan.streamId(w, n % plan.streamsPerWriter);
      const expected = state.versions.get(streamId) ?? 0;
      const key = `${side.side}:${w}:${n}`;
      const start = now();
      hooks.issued?.(key, start);
      const ok = await side.appendOne(streamId, expected, deposit(streamId, key, n));
      const end = now();
      hooks.acked?.(key, end);
      if (!ok) throw new Error(`${side.side}: unexpected version conflict on ${streamId} at ${expected}; each writer owns its streams`);
      state.versions.set(streamId, expected + 1);
      if (tally) {
        tally.latencies.push(end - start);
        tally.ops++;
        tally.events++;
      }
    }
  };
  const all = (): Promise<void[]> => Promise.all(Array.from({ length: plan.writers }, (_, w) => one(w)));
  if (tally) await tally.timed(all);
  else await all();
}
