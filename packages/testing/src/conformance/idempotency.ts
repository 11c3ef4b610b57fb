import { describe, expect, it } from 'vitest';
import { deposit, expectCode, type Suite, uniqueStream } from './harness.js';

export function idempotencyTests(suite: Suite): void {
  describe('idempotent retries', () => {
    it('resending the same batch with the same ids is a no-op returning the original result', async () => {
      const store = await suite.open();
      const id = uniqueStream();
      const batch = [deposit(1, { id: crypto.randomUUID() }), deposit(2, { id: crypto.randomUUID() })];
      const first = await store.append(id, batch, { expectedVersion: 'no-stream' });
      await store.append(id, [deposit(3)]);
      const head = await store.headPosition();
      // The retry's expected version is stale now; the retry must still be recognised.
      const again = await store.append(id, batch, { expectedVersion: 'no-stream' });
      expect(again).toEqual(first);
      expect(await store.headPosition()).toBe(head);
      expect((await store.streamInfo(id))?.version).toBe(3);
    });

    it('a retry may carry different metadata', async () => {
      const store = await suite.open();
      const id = uniqueStream();
      const eventId = crypto.randomUUID();
      const first = await store.append(id, [deposit(1, { id: eventId, metadata: { attempt: 1 } })]);
      const again = await store.append(id, [deposit(1, { id: eventId, metadata: { attempt: 2 } })]);
      expect(again).toEqual(first);
      expect((await store.readStream(id).toArray()).map((e) => e.metadata)).toEqual([{ attempt: 1 }]);
    });

    it('the same id with other content is an IDEMPOTENCY_CONFLICT and writes nothing', async () => {
      const store = await suite.open();
      const id = uniqueStream();
      const eventId = crypto.randomUUID();
      await store.append(id, [deposit(1, { id: eventId })]);
      const head = await store.headPosition();
      const error = await expectCode<{ eventId: string; message: string }>(store.append(id, [deposit(999, { id: eventId })]), 'IDEMPOTENCY_CONFLICT');
      expect(error.eventId).toBe(eventId);
      expect(error.message).toContain(eventId);
      expect(await store.headPosition()).toBe(head);
    });

    it('an id already stored in another stream is refused', async () => {
      const store = await suite.open();
      const eventId = crypto.randomUUID();
      await store.append(uniqueStream(), [deposit(1, { id: eventId })]);
      const other = uniqueStream();
      await expectCode(store.append(other, [deposit(1, { id: eventId })]), 'IDEMPOTENCY_CONFLICT');
      expect(await store.streamInfo(other)).toBeNull();
    });

    it('a batch that reuses one stored id among new ones writes nothing (rolled back in the database)', async () => {
      const store = await suite.open();
      const taken = crypto.randomUUID();
      await store.append(uniqueStream(), [deposit(1, { id: taken })]);
      const id = uniqueStream();
      await store.append(id, [deposit(1)]);
      const head = await store.headPosition();
      const batch = Array.from({ length: 1000 }, (_, i) => deposit(i, i === 500 ? { id: taken } : {}));
      await expectCode(store.append(id, batch, { expectedVersion: 1 }), 'IDEMPOTENCY_CONFLICT');
      expect(await store.headPosition()).toBe(head);
      expect((await store.streamInfo(id))?.version).toBe(1);
      expect(await store.readStream(id).toArray()).toHaveLength(1);
    });

    it('concurrent retries of one append store it once', async () => {
      const store = await suite.open();
      const id = uniqueStream();
      const batch = [deposit(1, { id: crypto.randomUUID() }), deposit(2, { id: crypto.randomUUID() })];
      const results = await Promise.allSettled(Array.from({ length: 8 }, () => store.append(id, batch, { expectedVersion: 'no-stream' })));
      for (const r of results) {
        if (r.status === 'rejected') throw r.reason;
      }
      const values = results.map((r) => (r as PromiseFulfilledResult<unknown>).value);
      expect(new Set(values.map((v) => JSON.stringify(v, (_, x: unknown) => (typeof x === 'bigint' ? String(x) : x)))).size).toBe(1);
      expect(await store.readStream(id).toArray()).toHaveLength(2);
    });
  });
}
