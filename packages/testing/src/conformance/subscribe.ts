import type { StoredEvent } from '@cairn/core';
import { describe, expect, it } from 'vitest';
import { deposit, type Suite, sleep, uniqueStream } from './harness.js';

/** Collect `count` events from a subscription, failing after `timeoutMs`. */
export async function take(source: AsyncIterable<StoredEvent>, count: number, timeoutMs = 10_000): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  if (count === 0) return out;
  const timeout = sleep(timeoutMs).then(() => 'timeout' as const);
  const iterator = source[Symbol.asyncIterator]();
  try {
    while (out.length < count) {
      const next = await Promise.race([iterator.next(), timeout]);
      if (next === 'timeout') throw new Error(`subscription delivered ${out.length} of ${count} events within ${timeoutMs} ms`);
      if (next.done) break;
      out.push(next.value);
    }
  } finally {
    void iterator.return?.();
  }
  return out;
}

export function subscribeTests(suite: Suite): void {
  describe('subscribe', () => {
    it('catches up, then delivers live events, in order', async () => {
      const store = await suite.open();
      const id = uniqueStream();
      await store.append(id, Array.from({ length: 10 }, (_, i) => deposit(i)));
      const controller = new AbortController();
      const seen: StoredEvent[] = [];
      const done = (async () => {
        for await (const e of store.subscribe({ signal: controller.signal, batchSize: 3 })) {
          seen.push(e);
          if (seen.length === 10) await store.append(id, [deposit(10), deposit(11)]);
          if (seen.length === 12) await store.append(uniqueStream(), [deposit(12)]);
          if (seen.length === 13) controller.abort();
        }
      })();
      await Promise.race([done, sleep(10_000).then(() => Promise.reject(new Error(`only ${seen.length} events delivered`)))]);
      expect(seen.map((e) => (e.data as { amountCents: number }).amountCents)).toEqual(Array.from({ length: 13 }, (_, i) => i));
    });

    it('starts after a given position, or at the end', async () => {
      const store = await suite.open();
      const id = uniqueStream();
      const first = await store.append(id, [deposit(1), deposit(2), deposit(3)]);
      const fromTwo = await take(store.subscribe({ after: first.position - 1n }), 1);
      expect(fromTwo.map((e) => e.version)).toEqual([3]);
      const live = store.subscribe({ after: 'end' })[Symbol.asyncIterator]();
      const next = live.next();
      await sleep(50);
      await store.append(id, [deposit(4)]);
      const got = await next;
      expect(got.done).toBe(false);
      expect(got.value?.version).toBe(4);
      await live.return?.();
    });

    it('filters by type and category without stalling on other events', async () => {
      const store = await suite.open();
      for (let i = 0; i < 40; i++) {
        await store.append(uniqueStream(i % 2 ? 'odd' : 'even'), [{ type: i % 4 === 0 ? 'Rare' : 'Common', data: { i } }]);
      }
      const rare = await take(store.subscribe({ types: ['Rare'], batchSize: 2 }), 10);
      expect(rare.map((e) => (e.data as { i: number }).i)).toEqual([0, 4, 8, 12, 16, 20, 24, 28, 32, 36]);
      const odd = await take(store.subscribe({ categories: ['odd'] }), 20);
      expect(odd.every((e) => e.streamId.startsWith('odd-'))).toBe(true);
      const tail = store.subscribe({ types: ['Rare'], after: 'end', pollIntervalMs: 50 })[Symbol.asyncIterator]();
      const next = tail.next();
      for (let i = 0; i < 5; i++) await store.append(uniqueStream(), [{ type: 'Common', data: {} }]);
      await store.append(uniqueStream(), [{ type: 'Rare', data: { last: true } }]);
      expect((await next).value?.data).toEqual({ last: true });
      await tail.return?.();
    });

    it('an AbortSignal ends the iteration without an error', async () => {
      const store = await suite.open();
      await store.append(uniqueStream(), [deposit(1)]);
      const controller = new AbortController();
      const seen: StoredEvent[] = [];
      setTimeout(() => controller.abort(), 100);
      for await (const e of store.subscribe({ signal: controller.signal })) seen.push(e);
      expect(seen).toHaveLength(1);
    });

    it('closing the store ends live subscriptions', async () => {
      const store = await suite.harness.create();
      await store.append(uniqueStream(), [deposit(1)]);
      const seen: StoredEvent[] = [];
      const run = (async () => {
        for await (const e of store.subscribe()) seen.push(e);
      })();
      await sleep(100);
      await store.close();
      await Promise.race([run, sleep(5000).then(() => Promise.reject(new Error('subscription did not end on close')))]);
      expect(seen).toHaveLength(1);
    });

    it('several subscribers each see every event', async () => {
      const store = await suite.open();
      const subs = [take(store.subscribe(), 30), take(store.subscribe({ batchSize: 1 }), 30), take(store.subscribe({ batchSize: 7 }), 30)];
      for (let i = 0; i < 30; i++) await store.append(uniqueStream(), [deposit(i)]);
      const [a, b, c] = await Promise.all(subs);
      expect(a).toHaveLength(30);
      expect(b?.map((e) => e.position)).toEqual(a?.map((e) => e.position));
      expect(c?.map((e) => e.position)).toEqual(a?.map((e) => e.position));
    });
  });
}
