import type { ExpectedVersion } from '@cairn/core';
import { describe, expect, it } from 'vitest';
import { deposit, expectCode, type Suite, uniqueStream } from './harness.js';

type State = 'absent' | 'at 2';

// expected × state → succeeds? For a refused append the error's `actual` is the state's version.
const MATRIX: Array<[ExpectedVersion, State, boolean]> = [
  ['any', 'absent', true],
  ['any', 'at 2', true],
  ['no-stream', 'absent', true],
  ['no-stream', 'at 2', false],
  ['exists', 'absent', false],
  ['exists', 'at 2', true],
  [0, 'absent', true],
  [0, 'at 2', false],
  [1, 'absent', false],
  [1, 'at 2', false],
  [2, 'at 2', true],
  [3, 'at 2', false],
];

export function appendTests(suite: Suite): void {
  describe('append', () => {
    describe('expected-version matrix', () => {
      for (const [expected, state, ok] of MATRIX) {
        it(`expected ${JSON.stringify(expected)} on a stream ${state} ${ok ? 'appends' : 'throws CONCURRENCY'}`, async () => {
          const store = await suite.open();
          const id = uniqueStream();
          const before = state === 'absent' ? 0 : 2;
          if (before) await store.append(id, [deposit(1), deposit(2)]);
          const head = await store.headPosition();
          if (ok) {
            const r = await store.append(id, [deposit(3)], { expectedVersion: expected });
            expect(r.version).toBe(before + 1);
            expect(r.streamId).toBe(id);
            expect(r.position).toBe(head + 1n);
          } else {
            const error = await expectCode<{ streamId: string; expected: unknown; actual: number; message: string }>(
              store.append(id, [deposit(3)], { expectedVersion: expected }),
              'CONCURRENCY',
            );
            expect(error).toMatchObject({ streamId: id, expected, actual: before });
            expect(error.message).toContain(id);
            expect(await store.headPosition()).toBe(head);
            expect((await store.streamInfo(id))?.version ?? 0).toBe(before);
          }
        });
      }
    });

    it('returns bigint positions and gap-free versions starting at 1', async () => {
      const store = await suite.open();
      const id = uniqueStream();
      const a = await store.append(id, [deposit(1)], { expectedVersion: 'no-stream' });
      const b = await store.append(id, [deposit(2), deposit(3)], { expectedVersion: 1 });
      expect(typeof a.position).toBe('bigint');
      expect(a.version).toBe(1);
      expect(b.version).toBe(3);
      expect(b.position).toBe(a.position + 2n);
      const events = await store.readStream(id).toArray();
      expect(events.map((e) => e.version)).toEqual([1, 2, 3]);
      expect(events.map((e) => e.position)).toEqual([a.position, a.position + 1n, a.position + 2n]);
    });

    it('stores every field and returns it on read', async () => {
      const store = await suite.open();
      const id = uniqueStream('account');
      const eventId = crypto.randomUUID();
      const before = Date.now();
      await store.append(id, [
        {
          id: eventId.toUpperCase(),
          type: 'AccountOpened',
          schemaVersion: 3,
          data: { owner: 'Ada', nested: { list: [1, 2.5, 'x', null, true], empty: {} } },
          metadata: { correlationId: 'c-1', causationId: 'k-1', actor: 'u-7', tenant: 't-1', custom: { n: 1 } },
          tags: ['user:7', 'owner:ada'],
        },
      ]);
      const [e] = await store.readStream(id).toArray();
      expect(e).toMatchObject({
        streamId: id,
        version: 1,
        eventId,
        type: 'AccountOpened',
        schemaVersion: 3,
        data: { owner: 'Ada', nested: { list: [1, 2.5, 'x', null, true], empty: {} } },
        metadata: { correlationId: 'c-1', causationId: 'k-1', actor: 'u-7', tenant: 't-1', custom: { n: 1 } },
      });
      expect([...(e?.tags ?? [])].sort()).toEqual(['owner:ada', 'user:7']);
      expect(e?.recordedAt).toBeInstanceOf(Date);
      expect(e!.recordedAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
      expect(e!.recordedAt.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
    });

    it('accepts null and scalar data and an absent metadata', async () => {
      const store = await suite.open();
      const id = uniqueStream();
      await store.append(id, [
        { type: 'A', data: null },
        { type: 'B', data: 42 },
        { type: 'C', data: 'text' },
        { type: 'D', data: [1, 2] },
      ]);
      const events = await store.readStream(id).toArray();
      expect(events.map((e) => e.data)).toEqual([null, 42, 'text', [1, 2]]);
      expect(events[0]?.metadata).toEqual({});
      expect(events[0]?.tags).toEqual([]);
      expect(events[0]?.schemaVersion).toBe(1);
    });

    it('appends a 1,000-event batch atomically with contiguous versions and positions', async () => {
      const store = await suite.open();
      const id = uniqueStream();
      await store.append(id, [deposit(0)]);
      const batch = Array.from({ length: 1000 }, (_, i) => deposit(i + 1));
      const r = await store.append(id, batch, { expectedVersion: 1 });
      expect(r.version).toBe(1001);
      const events = await store.readStream(id, { from: 2 }).toArray();
      expect(events).toHaveLength(1000);
      events.forEach((e, i) => {
        expect(e.version).toBe(i + 2);
        expect(e.position).toBe(r.position - 999n + BigInt(i));
        expect((e.data as { amountCents: number }).amountCents).toBe(i + 1);
      });
    });

    it('stores unicode exactly', async () => {
      const store = await suite.open();
      const id = uniqueStream('ünï-çødé');
      const text = 'Zoë 日本語 😀 עברית \u00e9\u0301 \u2028 \t "quotes" \\ back';
      await store.append(id, [{ type: 'Noted·✓', data: { text, [text]: text }, metadata: { actor: '🧑‍💻' } }]);
      const [e] = await store.readStream(id).toArray();
      expect(e?.streamId).toBe(id);
      expect(e?.type).toBe('Noted·✓');
      expect(e?.data).toEqual({ text, [text]: text });
      expect(e?.metadata.actor).toBe('🧑‍💻');
    });

    it('stores a 1 MB payload intact', async () => {
      const store = await suite.open();
      const id = uniqueStream();
      const blob = Array.from({ length: 1024 * 1024 }, (_, i) => String.fromCharCode(97 + (i % 26))).join('');
      const unicode = 'é😀'.repeat(50_000);
      await store.append(id, [{ type: 'Large', data: { blob, unicode } }]);
      const [e] = await store.readStream(id).toArray();
      expect((e?.data as { blob: string }).blob).toBe(blob);
      expect((e?.data as { unicode: string }).unicode).toBe(unicode);
    });

    it('keeps streams independent: versions count per stream, positions globally', async () => {
      const store = await suite.open();
      const a = uniqueStream('a');
      const b = uniqueStream('b');
      const r1 = await store.append(a, [deposit(1)]);
      const r2 = await store.append(b, [deposit(2)]);
      const r3 = await store.append(a, [deposit(3)], { expectedVersion: 1 });
      expect([r1.version, r2.version, r3.version]).toEqual([1, 1, 2]);
      expect(r2.position).toBe(r1.position + 1n);
      expect(r3.position).toBe(r2.position + 1n);
    });
  });
}
