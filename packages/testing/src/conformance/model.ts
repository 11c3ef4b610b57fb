import { ConcurrencyError, type ExpectedVersion, IdempotencyError } from '@cairn/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Suite } from './harness.js';

/** The reference model: streams as arrays, the log as one array. */
interface Model {
  streams: Map<string, number>;
  log: Array<{ streamId: string; amount: number; id: string }>;
  ids: Map<string, { streamId: string; amount: number; batch: number }>;
}

interface AppendOp {
  stream: number;
  amounts: number[];
  expected: 'any' | 'no-stream' | 'exists' | 'exact' | 'stale';
  /** Reuse the ids of an earlier append: a retry (same content) or a clash (other content). */
  reuse: 'none' | 'retry' | 'clash';
}

const opArb = fc.record<AppendOp>({
  stream: fc.integer({ min: 0, max: 3 }),
  amounts: fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 1, maxLength: 4 }),
  expected: fc.constantFrom('any', 'no-stream', 'exists', 'exact', 'stale'),
  reuse: fc.constantFrom('none', 'none', 'none', 'retry', 'clash'),
});

export function modelTests(suite: Suite, runs: number): void {
  describe('model-based', () => {
    it(`random appends agree with a reference model (${runs} runs)`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 25 }), async (ops) => {
          const store = await suite.open();
          const prefix = `m${crypto.randomUUID().slice(0, 8)}`;
          const model: Model = { streams: new Map(), log: [], ids: new Map() };
          const batches: Array<{ streamId: string; ids: string[]; amounts: number[] }> = [];
          for (const op of ops) {
            const streamId = `${prefix}-${op.stream}`;
            const actual = model.streams.get(streamId) ?? 0;
            const expected: ExpectedVersion = op.expected === 'exact' ? actual : op.expected === 'stale' ? actual + 1 : op.expected;
            const earlier = batches.at(-1);
            const reuse = op.reuse !== 'none' && earlier !== undefined ? earlier : undefined;
            const ids = reuse ? reuse.ids : op.amounts.map(() => crypto.randomUUID());
            const amounts = reuse && op.reuse === 'retry' ? reuse.amounts : reuse ? reuse.amounts.map((a) => a + 1) : op.amounts;
            const target = reuse ? reuse.streamId : streamId;
            const events = amounts.map((amount, i) => ({ id: ids[i], type: 'Moved', data: { amount } }));
            const outcome = await store.append(target, events, { expectedVersion: expected }).then(
              (r) => ({ ok: true as const, r }),
              (error: unknown) => ({ ok: false as const, error }),
            );
            if (reuse) {
              if (op.reuse === 'retry') expect(outcome.ok).toBe(true);
              else expect((outcome as { error?: unknown }).error).toBeInstanceOf(IdempotencyError);
              continue;
            }
            const ok =
              expected === 'any' ||
              (expected === 'no-stream' && actual === 0) ||
              (expected === 'exists' && actual > 0) ||
              expected === actual;
            if (!ok) {
              expect((outcome as { error?: unknown }).error).toBeInstanceOf(ConcurrencyError);
              expect(((outcome as { error: ConcurrencyError }).error).actual).toBe(actual);
              continue;
            }
            expect(outcome.ok).toBe(true);
            model.streams.set(streamId, actual + amounts.length);
            amounts.forEach((amount, i) => model.log.push({ streamId, amount, id: ids[i] as string }));
            batches.push({ streamId, ids, amounts });
            if (outcome.ok) expect(outcome.r.version).toBe(actual + amounts.length);
          }
          const log = await store.readAll().toArray();
          expect(log.map((e) => ({ streamId: e.streamId, amount: (e.data as { amount: number }).amount, id: e.eventId }))).toEqual(model.log);
          for (const [streamId, version] of model.streams) {
            const events = await store.readStream(streamId).toArray();
            expect(events.map((e) => e.version)).toEqual(Array.from({ length: version }, (_, i) => i + 1));
            const backward = await store.readStream(streamId, { direction: 'backward', pageSize: 2 }).toArray();
            expect(backward.map((e) => e.eventId)).toEqual(events.map((e) => e.eventId).reverse());
          }
        }),
        { numRuns: runs },
      );
    }, 120_000);
  });
}
