import { upcaster } from '@cairn/core';
import { describe, expect, it } from 'vitest';
import { expectCode, type Suite, uniqueStream } from './harness.js';
import { take } from './subscribe.js';

const v1ToV2 = upcaster<{ email: string }, { contactEmail: string }>('UserCreated', 1, (d) => ({ contactEmail: d.email }));
const v2ToV3 = upcaster<{ contactEmail: string }, { contactEmail: string; verified: boolean }>('UserCreated', 2, (d) => ({ ...d, verified: false }));
const renamed = upcaster<{ n: number }, { n: number }>('OldName', 1, (d) => d, { toType: 'NewName' });

export function upcastingTests(suite: Suite): void {
  describe('upcasting on every read path', () => {
    it('old events read as the newest schema through readStream, readAll, subscribe and readEvent', async () => {
      const plain = await suite.open();
      const id = uniqueStream('user');
      const eventId = crypto.randomUUID();
      // Written by "old code": no upcasters, schema version 1.
      await plain.append(id, [{ id: eventId, type: 'UserCreated', data: { email: 'ada@example.com' } }]);
      await plain.append(id, [{ type: 'UserCreated', schemaVersion: 2, data: { contactEmail: 'bob@example.com' } }]);
      await plain.append(id, [{ type: 'OldName', data: { n: 1 } }]);
      if (suite.harness.reopen === undefined) return; // needs two views of the same data
      await plain.close();
      const store = await suite.harness.reopen(plain, { upcasters: [v1ToV2, v2ToV3, renamed] });
      try {
        const expected = [
          { type: 'UserCreated', schemaVersion: 3, data: { contactEmail: 'ada@example.com', verified: false } },
          { type: 'UserCreated', schemaVersion: 3, data: { contactEmail: 'bob@example.com', verified: false } },
          { type: 'NewName', schemaVersion: 2, data: { n: 1 } },
        ];
        const shape = (e: { type: string; schemaVersion: number; data: unknown }) => ({ type: e.type, schemaVersion: e.schemaVersion, data: e.data });
        expect((await store.readStream(id).toArray()).map(shape)).toEqual(expected);
        expect((await store.readStream(id, { direction: 'backward' }).toArray()).map(shape)).toEqual([...expected].reverse());
        expect((await store.readAll().toArray()).map(shape)).toEqual(expected);
        expect((await take(store.subscribe(), 3)).map(shape)).toEqual(expected);
        expect(shape((await store.readEvent(eventId))!)).toEqual(expected[0]);
        await store.close();
        // Stored bytes never change: a store without upcasters still reads version 1.
        const raw = await suite.harness.reopen(store);
        try {
          expect((await raw.readEvent(eventId))).toMatchObject({ type: 'UserCreated', schemaVersion: 1, data: { email: 'ada@example.com' } });
        } finally {
          await raw.close();
        }
      } finally {
        await store.close();
      }
    });

    it('a missing step is an UPCAST_FAILED error naming type and versions', async () => {
      const store = await suite.open({ upcasters: [v2ToV3] }); // knows v2→v3, but not v1→v2
      const id = uniqueStream('user');
      await store.append(id, [{ type: 'UserCreated', schemaVersion: 1, data: { email: 'x@example.com' } }]);
      const error = await expectCode<{ message: string; details: Record<string, unknown> }>(store.readStream(id).toArray(), 'UPCAST_FAILED');
      expect(error.message).toContain('UserCreated');
      expect(error.message).toContain('from schema version 1 to 3');
      expect(error.details).toMatchObject({ type: 'UserCreated', fromVersion: 1, toVersion: 3, streamId: id, version: 1 });
    });

    it('a throwing upcaster is an UPCAST_FAILED error with the cause', async () => {
      const boom = upcaster('Broken', 1, () => {
        throw new Error('bad data');
      });
      const store = await suite.open({ upcasters: [boom] });
      await store.append(uniqueStream(), [{ type: 'Broken', schemaVersion: 1, data: {} }]);
      const error = await expectCode<{ message: string; cause: unknown }>(store.readAll().toArray(), 'UPCAST_FAILED');
      expect(error.message).toContain('bad data');
      expect(error.cause).toBeInstanceOf(Error);
    });

    it('new events are written at the newest schema version by default', async () => {
      const store = await suite.open({ upcasters: [v1ToV2, v2ToV3, renamed] });
      const id = uniqueStream('user');
      await store.append(id, [
        { type: 'UserCreated', data: { contactEmail: 'new@example.com', verified: true } },
        { type: 'NewName', data: { n: 2 } },
        { type: 'Unrelated', data: {} },
        { type: 'UserCreated', schemaVersion: 1, data: { email: 'explicit@example.com' } },
      ]);
      const events = await store.readStream(id).toArray();
      expect(events.map((e) => [e.type, e.schemaVersion])).toEqual([
        ['UserCreated', 3],
        ['NewName', 2],
        ['Unrelated', 1],
        ['UserCreated', 3],
      ]);
      expect(events[0]?.data).toEqual({ contactEmail: 'new@example.com', verified: true }); // not upcast again
      expect(events[3]?.data).toEqual({ contactEmail: 'explicit@example.com', verified: false });
    });

    it('readEvent finds an event by id, or null', async () => {
      const store = await suite.open();
      const id = crypto.randomUUID();
      const r = await store.append(uniqueStream(), [{ id, type: 'A', data: { x: 1 } }]);
      expect(await store.readEvent(id)).toMatchObject({ eventId: id, position: r.position, data: { x: 1 } });
      expect(await store.readEvent(crypto.randomUUID())).toBeNull();
      await expectCode(store.readEvent('nope'), 'INVALID_ARGUMENT');
    });
  });
}
