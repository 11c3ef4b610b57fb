import type { EventStore } from '@cairn/core';
import { describe, expect, it } from 'vitest';
import { deposit, expectCode, expectNothingWritten, type Suite, uniqueStream } from './harness.js';

const circular: Record<string, unknown> = { a: 1 };
circular.self = circular;

// [what, events, code, field named in the error]
const BAD_EVENTS: Array<[string, unknown, string, string]> = [
  ['an empty type', [{ type: '', data: {} }], 'INVALID_EVENT', 'events[0].type'],
  ['a non-string type', [{ type: 42, data: {} }], 'INVALID_EVENT', 'events[0].type'],
  ['a type with a newline', [{ type: 'A\nB', data: {} }], 'INVALID_EVENT', 'events[0].type'],
  ['missing data', [{ type: 'A' }], 'INVALID_EVENT', 'events[0].data'],
  ['NaN in data', [{ type: 'A', data: { n: Number.NaN } }], 'INVALID_EVENT', 'events[0].data.n'],
  ['Infinity in data', [{ type: 'A', data: { list: [1, Number.POSITIVE_INFINITY] } }], 'INVALID_EVENT', 'events[0].data.list[1]'],
  ['a function in data', [{ type: 'A', data: { f: () => 1 } }], 'INVALID_EVENT', 'events[0].data.f'],
  ['a bigint in data', [{ type: 'A', data: { big: 10n } }], 'INVALID_EVENT', 'events[0].data.big'],
  ['a symbol in data', [{ type: 'A', data: { s: Symbol('x') } }], 'INVALID_EVENT', 'events[0].data.s'],
  ['a circular structure', [{ type: 'A', data: circular }], 'INVALID_EVENT', 'events[0].data.self'],
  ['undefined in an array', [{ type: 'A', data: [1, undefined] }], 'INVALID_EVENT', 'events[0].data[1]'],
  ['a NUL character', [{ type: 'A', data: { s: 'a\u0000b' } }], 'INVALID_EVENT', 'events[0].data.s'],
  ['a lone surrogate', [{ type: 'A', data: { s: 'a\ud800b' } }], 'INVALID_EVENT', 'events[0].data.s'],
  ['deep nesting', [{ type: 'A', data: nest(500) }], 'INVALID_EVENT', 'events[0].data'],
  ['array metadata', [{ type: 'A', data: {}, metadata: [] }], 'INVALID_EVENT', 'events[0].metadata'],
  ['a non-string correlationId', [{ type: 'A', data: {}, metadata: { correlationId: 5 } }], 'INVALID_EVENT', 'events[0].metadata.correlationId'],
  ['a malformed event id', [{ type: 'A', data: {}, id: 'not-a-uuid' }], 'INVALID_EVENT', 'events[0].id'],
  ['a zero schemaVersion', [{ type: 'A', data: {}, schemaVersion: 0 }], 'INVALID_EVENT', 'events[0].schemaVersion'],
  ['tags that are not strings', [{ type: 'A', data: {}, tags: [1] }], 'INVALID_EVENT', 'events[0].tags[0]'],
  ['an unknown field', [{ type: 'A', data: {}, metdata: {} }], 'INVALID_EVENT', 'events[0].metdata'],
  ['a null event', [null], 'INVALID_EVENT', 'events[0]'],
  ['one bad event among good ones', [{ type: 'A', data: 1 }, { type: 'B', data: 2 }, { type: 'C', data: Number.NaN }], 'INVALID_EVENT', 'events[2].data'],
  ['a repeated event id', dupIds(), 'INVALID_EVENT', 'events[1].id'],
  ['no events', [], 'INVALID_ARGUMENT', ''],
  ['events that are not an array', { type: 'A', data: {} }, 'INVALID_ARGUMENT', ''],
];

function nest(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

function dupIds(): unknown[] {
  const id = crypto.randomUUID();
  return [
    { type: 'A', data: 1, id },
    { type: 'A', data: 1, id },
  ];
}

const BAD_STREAM_IDS: Array<[string, unknown]> = [
  ['empty', ''],
  ['a number', 42],
  ['null', null],
  ['too long', 'x'.repeat(257)],
  ['with a control character', 'account-\u0001'],
  ['with surrounding whitespace', ' account-1'],
];

export function validationTests(suite: Suite): void {
  describe('bad input gets a typed error and writes nothing', () => {
    for (const [what, events, code, field] of BAD_EVENTS) {
      it(`${what} → ${code}`, async () => {
        const store = await suite.open();
        const id = uniqueStream();
        await store.append(uniqueStream(), [deposit(1)]);
        const head = await store.headPosition();
        const error = await expectCode<{ field?: string; message: string }>(store.append(id, events as never), code);
        if (field) {
          expect(error.field?.startsWith(field), `${error.field} should start with ${field}`).toBe(true);
          expect(error.message).toContain(field);
        }
        await expectNothingWritten(store, head, id);
      });
    }

    for (const [what, streamId] of BAD_STREAM_IDS) {
      it(`a stream id ${what} → INVALID_STREAM_ID`, async () => {
        const store = await suite.open();
        const head = await store.headPosition();
        await expectCode(store.append(streamId as string, [deposit(1)]), 'INVALID_STREAM_ID');
        await expectCode(() => store.readStream(streamId as string), 'INVALID_STREAM_ID');
        await expectNothingWritten(store, head);
      });
    }

    it('appending to a reserved $ stream without `system` → INVALID_STREAM_ID', async () => {
      const store = await suite.open();
      await expectCode(store.append('$keys', [deposit(1)]), 'INVALID_STREAM_ID');
      await expectNothingWritten(store, 0n, '$keys');
    });

    it('an event over maxEventBytes → EVENT_TOO_LARGE', async () => {
      const store = await suite.open();
      const id = uniqueStream();
      const error = await expectCode<{ bytes: number; limit: number }>(
        store.append(id, [deposit(1), { type: 'Huge', data: { blob: 'x'.repeat(5 * 1024 * 1024) } }]),
        'EVENT_TOO_LARGE',
      );
      expect(error.bytes).toBeGreaterThan(error.limit);
      await expectNothingWritten(store, 0n, id);
    });

    it('a batch over maxBatchEvents → BATCH_TOO_LARGE', async () => {
      const store = await suite.open();
      const id = uniqueStream();
      await expectCode(store.append(id, Array.from({ length: 10_001 }, () => deposit(1))), 'BATCH_TOO_LARGE');
      await expectNothingWritten(store, 0n, id);
    });

    const badExpected: unknown[] = [-1, 1.5, '3', 'latest', null, Number.NaN];
    for (const expectedVersion of badExpected) {
      it(`expectedVersion ${String(expectedVersion)} → INVALID_ARGUMENT`, async () => {
        const store = await suite.open();
        const id = uniqueStream();
        await expectCode(store.append(id, [deposit(1)], { expectedVersion } as never), 'INVALID_ARGUMENT');
        await expectNothingWritten(store, 0n, id);
      });
    }

    it('bad read options → INVALID_ARGUMENT at the call', async () => {
      const store = await suite.open();
      const id = uniqueStream();
      const calls: Array<() => unknown> = [
        () => store.readStream(id, { from: -1 }),
        () => store.readStream(id, { direction: 'sideways' as never }),
        () => store.readStream(id, { limit: 0 }),
        () => store.readStream(id, { until: new Date('nope') }),
        () => store.readAll({ after: -1n }),
        () => store.readAll({ types: 'A' as never }),
        () => store.subscribe({ after: 'start' as never }),
        () => store.listStreams({ limit: 0 }),
      ];
      for (const call of calls) await expectCode(async () => call(), 'INVALID_ARGUMENT');
    });

    it('a closed store refuses work with STORE_CLOSED', async () => {
      const store: EventStore = await suite.harness.create();
      await store.append(uniqueStream(), [deposit(1)]);
      await store.close();
      await expectCode(store.append(uniqueStream(), [deposit(1)]), 'STORE_CLOSED');
      await expectCode(() => store.readAll(), 'STORE_CLOSED');
      await store.close(); // closing twice is fine
    });
  });
}
