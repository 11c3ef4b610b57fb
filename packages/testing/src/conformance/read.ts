import type { EventStore } from '@cairn/core';
import { describe, expect, it } from 'vitest';
import { deposit, expectCode, type Suite, sleep, uniqueStream } from './harness.js';
import { take } from './subscribe.js';

async function streamOf(store: EventStore, count: number, batch = 250): Promise<string> {
  const id = uniqueStream();
  for (let v = 0; v < count; v += batch) {
    await store.append(
      id,
      Array.from({ length: Math.min(batch, count - v) }, (_, i) => deposit(v + i + 1)),
      { expectedVersion: v },
    );
  }
  return id;
}

const versions = (events: Array<{ version: number }>): number[] => events.map((e) => e.version);
const range = (from: number, to: number): number[] =>
  from <= to ? Array.from({ length: to - from + 1 }, (_, i) => from + i) : Array.from({ length: from - to + 1 }, (_, i) => from - i);

export function readTests(suite: Suite): void {
  describe('readStream', () => {
    it('pages forward and backward over 2,500 events with any page size', async () => {
      const store = await suite.open();
      const id = await streamOf(store, 2500);
      for (const pageSize of [1, 7, 100, 1000, 10_000]) {
        if (pageSize === 1) {
          expect(versions(await store.readStream(id, { pageSize, limit: 30 }).toArray())).toEqual(range(1, 30));
          continue;
        }
        expect(versions(await store.readStream(id, { pageSize }).toArray())).toEqual(range(1, 2500));
        expect(versions(await store.readStream(id, { pageSize, direction: 'backward' }).toArray())).toEqual(range(2500, 1));
      }
    });

    it('honours from, to and limit in both directions', async () => {
      const store = await suite.open();
      const id = await streamOf(store, 50);
      const read = async (o: Parameters<EventStore['readStream']>[1]) => versions(await store.readStream(id, { pageSize: 7, ...o }).toArray());
      expect(await read({ from: 10 })).toEqual(range(10, 50));
      expect(await read({ from: 10, to: 20 })).toEqual(range(10, 20));
      expect(await read({ from: 10, limit: 5 })).toEqual(range(10, 14));
      expect(await read({ to: 3 })).toEqual(range(1, 3));
      expect(await read({ direction: 'backward' })).toEqual(range(50, 1));
      expect(await read({ direction: 'backward', from: 20 })).toEqual(range(20, 1));
      expect(await read({ direction: 'backward', from: 20, to: 15 })).toEqual(range(20, 15));
      expect(await read({ direction: 'backward', limit: 3 })).toEqual(range(50, 48));
      expect(await read({ direction: 'backward', from: 500 })).toEqual(range(50, 1));
      expect(await read({ from: 51 })).toEqual([]);
      expect(await read({ from: 30, to: 20 })).toEqual([]);
      expect(await read({ from: 0 })).toEqual(range(1, 50));
    });

    it('an unknown stream reads as empty and has no info', async () => {
      const store = await suite.open();
      expect(await store.readStream(uniqueStream()).toArray()).toEqual([]);
      expect(await store.streamInfo(uniqueStream())).toBeNull();
    });

    it('until: reads the stream as it was at an instant', async () => {
      const store = await suite.open();
      const id = uniqueStream();
      await store.append(id, [deposit(1), deposit(2)]);
      await sleep(25);
      const [second] = await store.readStream(id, { from: 2 }).toArray();
      const cut = new Date(second!.recordedAt.getTime() + 10);
      await sleep(25);
      await store.append(id, [deposit(3)]);
      expect(versions(await store.readStream(id, { until: cut }).toArray())).toEqual([1, 2]);
      expect(versions(await store.readStream(id, { until: cut, direction: 'backward' }).toArray())).toEqual([2, 1]);
      expect(versions(await store.readStream(id, { until: new Date(0) }).toArray())).toEqual([]);
      expect(versions(await store.readStream(id, { until: new Date(Date.now() + 60_000) }).toArray())).toEqual([1, 2, 3]);
    });

    it('imports keep original times: the stream as of 15 January', async () => {
      const store = await suite.open();
      const id = uniqueStream('account');
      const day = (d: number) => new Date(Date.UTC(2026, 0, d, 12));
      const history = [1, 5, 10, 15, 20, 25].map((d) => ({ ...deposit(d * 100), id: crypto.randomUUID(), recordedAt: day(d) }));
      const firstPart = await store.append(id, history.slice(0, 3), { expectedVersion: 'no-stream' });
      await store.append(id, history.slice(3), { expectedVersion: 3 });
      // Re-sending an import batch that already landed is an idempotent retry, not a time error.
      expect(await store.append(id, history.slice(0, 3), { expectedVersion: 'no-stream' })).toEqual(firstPart);
      const upTo15 = await store.readStream(id, { until: new Date(Date.UTC(2026, 0, 15, 23, 59)) }).toArray();
      expect(upTo15.map((e) => (e.data as { amountCents: number }).amountCents)).toEqual([100, 500, 1000, 1500]);
      expect(upTo15.map((e) => e.recordedAt.toISOString())).toEqual([1, 5, 10, 15].map((d) => day(d).toISOString()));
      const info = await store.streamInfo(id);
      expect(info?.createdAt.toISOString()).toBe(day(1).toISOString());
      expect(info?.updatedAt.toISOString()).toBe(day(25).toISOString());
      // A normal append afterwards gets the clock's time, later than the imported ones.
      await store.append(id, [deposit(1)]);
      const [last] = await store.readStream(id, { direction: 'backward', limit: 1 }).toArray();
      expect(last!.recordedAt.getTime()).toBeGreaterThan(day(25).getTime());
    });

    it('explicit recordedAt is refused when it would break time order', async () => {
      const store = await suite.open();
      const id = uniqueStream();
      await store.append(id, [{ ...deposit(1), recordedAt: new Date('2026-02-01T00:00:00Z') }], { expectedVersion: 'no-stream' });
      const head = await store.headPosition();
      const at = (iso: string) => ({ ...deposit(2), recordedAt: new Date(iso) });
      await expectCode(store.append(id, [at('2026-01-01T00:00:00Z')], { expectedVersion: 1 }), 'INVALID_EVENT'); // before the stream's last
      await expectCode(store.append(id, [at('2026-03-01T00:00:00Z'), at('2026-02-15T00:00:00Z')], { expectedVersion: 1 }), 'INVALID_EVENT'); // backwards
      await expectCode(store.append(id, [at('2026-03-01T00:00:00Z'), deposit(3)], { expectedVersion: 1 }), 'INVALID_EVENT'); // some but not all
      await expectCode(store.append(id, [at('2026-03-01T00:00:00Z')]), 'INVALID_ARGUMENT'); // needs an exact expectedVersion
      await expectCode(store.append(id, [{ ...deposit(2), recordedAt: new Date(Date.now() + 3_600_000) }], { expectedVersion: 1 }), 'INVALID_EVENT');
      await expectCode(store.append(id, [{ ...deposit(2), recordedAt: 'yesterday' as never }], { expectedVersion: 1 }), 'INVALID_EVENT');
      expect(await store.headPosition()).toBe(head);
    });

    it('recordedAt never decreases along a stream', async () => {
      const store = await suite.open();
      const id = await streamOf(store, 300, 7);
      const times = (await store.readStream(id).toArray()).map((e) => e.recordedAt.getTime());
      expect(times).toEqual([...times].sort((a, b) => a - b));
    });

    it('streamInfo and listStreams describe streams', async () => {
      const store = await suite.open();
      const base = uniqueStream('shop');
      const ids = [`${base}a`, `${base}b`, `${base}c`];
      for (const id of ids) await store.append(id, [deposit(1), deposit(2)]);
      await store.append(`other-${base}`, [deposit(1)]);
      const info = await store.streamInfo(ids[1]!);
      expect(info).toMatchObject({ streamId: ids[1], category: 'shop', version: 2 });
      expect(info?.position).toBe((await store.readStream(ids[1]!).toArray())[1]?.position);
      expect((await store.listStreams({ prefix: base })).map((s) => s.streamId)).toEqual(ids);
      expect((await store.listStreams({ prefix: base, limit: 2 })).map((s) => s.streamId)).toEqual(ids.slice(0, 2));
      expect((await store.listStreams({ prefix: base, afterStreamId: ids[0] })).map((s) => s.streamId)).toEqual(ids.slice(1));
      expect((await store.listStreams({ category: 'shop' })).map((s) => s.streamId)).toEqual(ids);
    });
  });

  describe('readAll', () => {
    it('reads the global log in position order with filters and paging', async () => {
      const store = await suite.open();
      const a = uniqueStream('alpha');
      const b = uniqueStream('beta');
      for (let i = 0; i < 30; i++) {
        await store.append(i % 2 ? a : b, [{ type: i % 3 ? 'Deposited' : 'Withdrawn', data: { i } }]);
      }
      const all = await store.readAll({ pageSize: 4 }).toArray();
      expect(all.map((e) => (e.data as { i: number }).i)).toEqual(range(0, 29));
      // Positions rise strictly; a store may leave gaps (e.g. after a rolled-back append).
      all.slice(1).forEach((e, i) => expect(e.position > all[i]!.position).toBe(true));
      const withdrawn = await store.readAll({ types: ['Withdrawn'], pageSize: 3 }).toArray();
      expect(withdrawn.map((e) => (e.data as { i: number }).i)).toEqual(range(0, 29).filter((i) => i % 3 === 0));
      const alpha = await store.readAll({ categories: ['alpha'], pageSize: 2 }).toArray();
      expect(alpha.every((e) => e.streamId === a)).toBe(true);
      expect(alpha).toHaveLength(15);
      const both = await store.readAll({ categories: ['alpha'], types: ['Withdrawn'] }).toArray();
      expect(both.map((e) => (e.data as { i: number }).i)).toEqual(range(0, 29).filter((i) => i % 2 === 1 && i % 3 === 0));
      const cut = all[24]!.position;
      const after = await store.readAll({ after: cut }).toArray();
      expect(after.map((e) => e.position)).toEqual(all.slice(25).map((e) => e.position));
      expect(await store.readAll({ after: all[9]!.position, limit: 3, pageSize: 2 }).toArray()).toEqual(all.slice(10, 13));
      expect(await store.readAll({ after: all[29]!.position }).toArray()).toEqual([]);
      expect(await store.headPosition()).toBe(all[29]!.position);
    });

    it('system ($) streams are left out of the log and the catalogue unless asked for', async () => {
      const store = await suite.open();
      await store.append('$keys', [{ type: 'ApiKeyCreated', data: { keyId: 'k1' } }], { system: true });
      const user = await store.append(uniqueStream(), [deposit(1)]);
      expect((await store.readAll().toArray()).map((e) => e.position)).toEqual([user.position]);
      expect((await store.readAll({ includeSystem: true }).toArray()).map((e) => e.streamId)).toEqual(['$keys', expect.any(String)]);
      expect((await store.readStream('$keys').toArray()).map((e) => e.type)).toEqual(['ApiKeyCreated']);
      expect((await store.listStreams()).some((s) => s.streamId === '$keys')).toBe(false);
      expect((await store.listStreams({ includeSystem: true })).some((s) => s.streamId === '$keys')).toBe(true);
      const [first] = await take(store.subscribe(), 1);
      expect(first?.position).toBe(user.position);
      const [sys] = await take(store.subscribe({ includeSystem: true }), 1);
      expect(sys?.streamId).toBe('$keys');
    });

    it('an empty store has head 0 and reads nothing', async () => {
      const store = await suite.open();
      expect(await store.headPosition()).toBe(0n);
      expect(await store.readAll().toArray()).toEqual([]);
    });

    it('reads are lazy and repeatable: each iteration starts over', async () => {
      const store = await suite.open();
      const id = await streamOf(store, 5);
      const reader = store.readStream(id);
      expect(await reader.toArray()).toHaveLength(5);
      await store.append(id, [deposit(6)]);
      expect(await reader.toArray()).toHaveLength(6);
    });

    it('breaking out of a read stops it early', async () => {
      const store = await suite.open();
      await streamOf(store, 100);
      let seen = 0;
      for await (const _ of store.readAll({ pageSize: 10 })) {
        if (++seen === 15) break;
      }
      expect(seen).toBe(15);
    });
  });
}
