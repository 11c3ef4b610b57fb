import { ConcurrencyError, type EventStore, type StoredEvent } from '@cairn/core';
import { describe, expect, it } from 'vitest';
import { deposit, type Suite, sleep, uniqueStream } from './harness.js';

interface Acked {
  streamId: string;
  positions: bigint[];
}

/** One writer: appends 1–3 events at a time to its own streams with exact expected versions. */
async function writer(store: EventStore, name: string, until: number, acked: Acked[]): Promise<void> {
  const streams = Array.from({ length: 4 }, () => uniqueStream(`w${name}`));
  const versions = new Map(streams.map((s) => [s, 0]));
  let n = 0;
  // Capped so a very fast store (memory) does not pile up millions of events.
  while (Date.now() < until && n < 2000) {
    const streamId = streams[n % streams.length] as string;
    const count = 1 + (n++ % 3);
    const expectedVersion = versions.get(streamId) as number;
    const r = await store.append(
      streamId,
      Array.from({ length: count }, () => deposit(n)),
      { expectedVersion },
    );
    versions.set(streamId, r.version);
    acked.push({ streamId, positions: Array.from({ length: count }, (_, i) => r.position - BigInt(count - 1 - i)) });
  }
}

function assertExactlyOnceInOrder(delivered: StoredEvent[], expected: bigint[]): void {
  const positions = delivered.map((e) => e.position);
  for (let i = 1; i < positions.length; i++) {
    if (!((positions[i] as bigint) > (positions[i - 1] as bigint))) {
      throw new Error(`out of order or repeated: position ${positions[i]} delivered after ${positions[i - 1]} (index ${i})`);
    }
  }
  const want = [...expected].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const seen = new Set(positions);
  const missing = want.filter((p) => !seen.has(p));
  expect(missing.slice(0, 10), `${missing.length} acknowledged events never delivered`).toEqual([]);
  expect(positions).toEqual(want);
  // Within each stream, versions arrive gap-free and ascending.
  const last = new Map<string, number>();
  for (const e of delivered) {
    expect(e.version, `stream ${e.streamId}`).toBe((last.get(e.streamId) ?? 0) + 1);
    last.set(e.streamId, e.version);
  }
}

export function concurrencyTests(suite: Suite): void {
  const ms = suite.harness.concurrencyMs ?? 3000;

  describe('concurrent writers', () => {
    it(`8 writers for ${ms} ms: subscribers see every event exactly once, in global order`, async () => {
      const store = await suite.open();
      const acked: Acked[] = [];
      const controller = new AbortController();
      const early: StoredEvent[] = [];
      const earlyRun = (async () => {
        for await (const e of store.subscribe({ signal: controller.signal, batchSize: 50 })) early.push(e);
      })();
      // A poller that uses readAll with its own cursor, the way a hand-rolled consumer would.
      const polled: StoredEvent[] = [];
      const pollRun = (async () => {
        let cursor = 0n;
        while (!controller.signal.aborted) {
          for await (const e of store.readAll({ after: cursor, pageSize: 37 })) {
            polled.push(e);
            cursor = e.position;
          }
          await sleep(5);
        }
      })();
      const until = Date.now() + ms;
      const writers = Array.from({ length: 8 }, (_, i) => writer(store, String(i), until, acked));
      await Promise.all(writers);

      const all = acked.flatMap((a) => a.positions);
      expect(all.length).toBeGreaterThan(50);
      const deadline = Date.now() + 15_000;
      while ((early.length < all.length || polled.length < all.length) && Date.now() < deadline) await sleep(20);
      await sleep(100); // anything beyond the expected count would show up as a duplicate
      controller.abort();
      await Promise.all([earlyRun, pollRun]);

      assertExactlyOnceInOrder(early, all);
      assertExactlyOnceInOrder(polled, all);
    }, ms * 4 + 30_000);

    it('a subscriber started mid-way sees exactly the events after its start', async () => {
      const store = await suite.open();
      const acked: Acked[] = [];
      const until = Date.now() + Math.min(ms, 1500);
      const writers = Array.from({ length: 8 }, (_, i) => writer(store, `m${i}`, until, acked));
      await sleep(Math.min(ms, 1500) / 3);
      const start = await store.headPosition();
      const controller = new AbortController();
      const seen: StoredEvent[] = [];
      const run = (async () => {
        for await (const e of store.subscribe({ after: start, signal: controller.signal })) seen.push(e);
      })();
      await Promise.all(writers);
      const expected = acked.flatMap((a) => a.positions).filter((p) => p > start);
      const deadline = Date.now() + 15_000;
      while (seen.length < expected.length && Date.now() < deadline) await sleep(20);
      await sleep(100);
      controller.abort();
      await run;
      const positions = seen.map((e) => e.position);
      expect(positions).toEqual([...expected].sort((a, b) => (a < b ? -1 : 1)));
    }, 60_000);

    it('8 writers racing on one stream with exact versions: every success lands, none is lost or duplicated', async () => {
      const store = await suite.open();
      const id = uniqueStream('hot');
      let successes = 0;
      let conflicts = 0;
      const target = 200;
      await Promise.all(
        Array.from({ length: 8 }, async (_, w) => {
          while (successes < target) {
            const version = (await store.streamInfo(id))?.version ?? 0;
            try {
              await store.append(id, [deposit(w)], { expectedVersion: version });
              successes++;
            } catch (error) {
              if (!(error instanceof ConcurrencyError)) throw error;
              expect(error.actual).toBeGreaterThan(version);
              conflicts++;
            }
          }
        }),
      );
      const events = await store.readStream(id).toArray();
      expect(events).toHaveLength(successes);
      expect((await store.streamInfo(id))?.version).toBe(successes);
      expect(events.map((e) => e.version)).toEqual(events.map((_, i) => i + 1));
      expect(successes + conflicts).toBeGreaterThanOrEqual(target);
    }, 60_000);
  });
}
