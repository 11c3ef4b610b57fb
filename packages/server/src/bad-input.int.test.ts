import type { EventStore } from '@cairn/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createKeys, type RunningServer, startServer } from './test-support/servers.js';
import { BACKENDS, StoreFactory } from './test-support/stores.js';

interface Case {
  name: string;
  method?: 'GET' | 'POST' | 'DELETE' | 'PUT';
  path: string;
  /** An object is sent as JSON; a string is sent as is. */
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
  /** Which key to send; default 'write'. */
  key?: 'read' | 'write' | 'none' | 'bogus';
  status: number;
  code: string;
}

const event = { type: 'Deposited', data: { cents: 1 } };
const deep = (() => {
  let value: unknown = 1;
  for (let i = 0; i < 200; i++) value = { v: value };
  return value;
})();

// Server limits are small here so oversize cases stay cheap: 256 KiB bodies, 64 KiB events, 50 events a batch.
const cases: Case[] = [
  // Bodies that are not JSON, or not the JSON we want
  { name: 'malformed JSON', method: 'POST', path: '/streams/bad-1', body: '{"events": [', status: 400, code: 'MALFORMED_JSON' },
  { name: 'trailing garbage after JSON', method: 'POST', path: '/streams/bad-1', body: '{"events": []} x', status: 400, code: 'MALFORMED_JSON' },
  { name: 'empty JSON body', method: 'POST', path: '/streams/bad-1', body: '', status: 400, code: 'MALFORMED_JSON' },
  { name: '__proto__ key (prototype poisoning)', method: 'POST', path: '/streams/bad-1', body: '{"events":[{"type":"A","data":{"__proto__":{"x":1}}}]}', status: 400, code: 'MALFORMED_JSON' },
  { name: 'text/plain body', method: 'POST', path: '/streams/bad-1', body: 'hello', contentType: 'text/plain', status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  { name: 'body is an array', method: 'POST', path: '/streams/bad-1', body: [event], status: 400, code: 'INVALID_REQUEST' },
  { name: 'events is a string', method: 'POST', path: '/streams/bad-1', body: { events: 'x' }, status: 400, code: 'INVALID_REQUEST' },
  { name: 'no events', method: 'POST', path: '/streams/bad-1', body: { events: [] }, status: 400, code: 'INVALID_REQUEST' },
  { name: 'events missing', method: 'POST', path: '/streams/bad-1', body: { expectedVersion: 0 }, status: 400, code: 'INVALID_REQUEST' },
  { name: 'type is a number', method: 'POST', path: '/streams/bad-1', body: { events: [{ type: 123, data: {} }] }, status: 400, code: 'INVALID_REQUEST' },
  { name: 'type is empty', method: 'POST', path: '/streams/bad-1', body: { events: [{ type: '', data: {} }] }, status: 400, code: 'INVALID_REQUEST' },
  { name: 'data missing', method: 'POST', path: '/streams/bad-1', body: { events: [{ type: 'A' }] }, status: 400, code: 'INVALID_REQUEST' },
  { name: 'unknown event field (typo)', method: 'POST', path: '/streams/bad-1', body: { events: [{ type: 'A', data: 1, metdata: {} }] }, status: 400, code: 'INVALID_REQUEST' },
  { name: 'unknown top-level field', method: 'POST', path: '/streams/bad-1', body: { events: [event], expected: 1 }, status: 400, code: 'INVALID_REQUEST' },
  { name: 'metadata is an array', method: 'POST', path: '/streams/bad-1', body: { events: [{ ...event, metadata: [1] }] }, status: 400, code: 'INVALID_REQUEST' },
  { name: 'tags are not strings', method: 'POST', path: '/streams/bad-1', body: { events: [{ ...event, tags: [1] }] }, status: 400, code: 'INVALID_REQUEST' },
  { name: 'schemaVersion 0', method: 'POST', path: '/streams/bad-1', body: { events: [{ ...event, schemaVersion: 0 }] }, status: 400, code: 'INVALID_REQUEST' },
  { name: 'control character in type', method: 'POST', path: '/streams/bad-1', body: { events: [{ type: 'A\u0001', data: 1 }] }, status: 400, code: 'INVALID_EVENT' },
  { name: 'NUL in data', method: 'POST', path: '/streams/bad-1', body: { events: [{ type: 'A', data: 'x\u0000y' }] }, status: 400, code: 'INVALID_EVENT' },
  { name: 'lone surrogate in data', method: 'POST', path: '/streams/bad-1', body: '{"events":[{"type":"A","data":"\\ud800"}]}', status: 400, code: 'INVALID_EVENT' },
  { name: 'id is not a UUID', method: 'POST', path: '/streams/bad-1', body: { events: [{ ...event, id: "1'; DROP TABLE events;--" }] }, status: 400, code: 'INVALID_EVENT' },
  {
    name: 'the same id twice in one append',
    method: 'POST',
    path: '/streams/bad-1',
    body: { events: [{ ...event, id: '0b7e4f1c-1c1e-4b7a-9a55-6d2a1f0e9c01' }, { ...event, id: '0b7e4f1c-1c1e-4b7a-9a55-6d2a1f0e9c01' }] },
    status: 400,
    code: 'INVALID_EVENT',
  },
  { name: 'metadata.actor is a number', method: 'POST', path: '/streams/bad-1', body: { events: [{ ...event, metadata: { actor: 7 } }] }, status: 400, code: 'INVALID_EVENT' },
  { name: 'data nested 200 levels deep', method: 'POST', path: '/streams/bad-1', body: { events: [{ type: 'A', data: deep }] }, status: 400, code: 'INVALID_EVENT' },
  { name: 'event over maxEventBytes', method: 'POST', path: '/streams/bad-1', body: { events: [{ type: 'A', data: 'x'.repeat(100_000) }] }, status: 413, code: 'EVENT_TOO_LARGE' },
  { name: 'body over bodyLimit', method: 'POST', path: '/streams/bad-1', body: { events: [{ type: 'A', data: 'x'.repeat(300_000) }] }, status: 413, code: 'PAYLOAD_TOO_LARGE' },
  { name: 'batch over maxBatchEvents', method: 'POST', path: '/streams/bad-1', body: { events: Array.from({ length: 51 }, () => event) }, status: 400, code: 'BATCH_TOO_LARGE' },

  // Versions
  { name: 'negative expectedVersion', method: 'POST', path: '/streams/existing-1', body: { events: [event], expectedVersion: -1 }, status: 400, code: 'INVALID_REQUEST' },
  { name: 'huge expectedVersion', method: 'POST', path: '/streams/existing-1', body: { events: [event], expectedVersion: 1e300 }, status: 400, code: 'INVALID_REQUEST' },
  { name: 'fractional expectedVersion', method: 'POST', path: '/streams/existing-1', body: { events: [event], expectedVersion: 1.5 }, status: 400, code: 'INVALID_REQUEST' },
  { name: 'expectedVersion as a string', method: 'POST', path: '/streams/existing-1', body: { events: [event], expectedVersion: '1' }, status: 400, code: 'INVALID_REQUEST' },
  { name: 'If-Match not a version', method: 'POST', path: '/streams/existing-1', body: { events: [event] }, headers: { 'if-match': '"abc"' }, status: 400, code: 'INVALID_REQUEST' },
  { name: 'If-Match negative', method: 'POST', path: '/streams/existing-1', body: { events: [event] }, headers: { 'if-match': '"-1"' }, status: 400, code: 'INVALID_REQUEST' },
  { name: 'If-Match huge', method: 'POST', path: '/streams/existing-1', body: { events: [event] }, headers: { 'if-match': '"99999999999999999999"' }, status: 400, code: 'INVALID_REQUEST' },
  { name: 'If-Match disagrees with body', method: 'POST', path: '/streams/existing-1', body: { events: [event], expectedVersion: 1 }, headers: { 'if-match': '"2"' }, status: 400, code: 'INVALID_REQUEST' },
  { name: 'stale expectedVersion', method: 'POST', path: '/streams/existing-1', body: { events: [event], expectedVersion: 0 }, status: 409, code: 'CONCURRENCY' },
  { name: 'stale If-Match', method: 'POST', path: '/streams/existing-1', body: { events: [event] }, headers: { 'if-match': '"7"' }, status: 409, code: 'CONCURRENCY' },
  { name: 'If-None-Match * on an existing stream', method: 'POST', path: '/streams/existing-1', body: { events: [event] }, headers: { 'if-none-match': '*' }, status: 409, code: 'CONCURRENCY' },
  { name: 'If-Match * on a missing stream', method: 'POST', path: '/streams/bad-1', body: { events: [event] }, headers: { 'if-match': '*' }, status: 409, code: 'CONCURRENCY' },

  // Stream ids
  { name: 'system stream append', method: 'POST', path: '/streams/%24keys', body: { events: [event] }, status: 400, code: 'INVALID_STREAM_ID' },
  { name: 'system stream read', path: '/streams/%24keys', status: 400, code: 'INVALID_STREAM_ID' },
  { name: 'system stream read by an admin', path: '/streams/%24keys', key: 'write', status: 400, code: 'INVALID_STREAM_ID' },
  { name: 'NUL in stream id', method: 'POST', path: '/streams/a%00b', body: { events: [event] }, status: 400, code: 'INVALID_STREAM_ID' },
  { name: 'newline in stream id', method: 'POST', path: '/streams/a%0Ab', body: { events: [event] }, status: 400, code: 'INVALID_STREAM_ID' },
  { name: 'DEL in stream id', path: '/streams/a%7Fb', status: 400, code: 'INVALID_STREAM_ID' },
  { name: 'stream id with surrounding spaces', method: 'POST', path: '/streams/%20x%20', body: { events: [event] }, status: 400, code: 'INVALID_STREAM_ID' },
  { name: 'stream id of 300 characters', method: 'POST', path: `/streams/${'s'.repeat(300)}`, body: { events: [event] }, status: 400, code: 'INVALID_STREAM_ID' },
  { name: 'broken percent-encoding', path: '/streams/%E0%A4%A', status: 400, code: 'INVALID_REQUEST' },
  { name: 'SQL-ish id of an unknown stream', path: `/streams/${encodeURIComponent("x'; DROP TABLE events;--")}`, status: 404, code: 'STREAM_NOT_FOUND' },
  { name: 'unknown stream', path: '/streams/nobody-here', status: 404, code: 'STREAM_NOT_FOUND' },

  // Query strings and positions
  { name: 'limit 0', path: '/streams/existing-1?limit=0', status: 400, code: 'INVALID_REQUEST' },
  { name: 'limit not a number', path: '/streams/existing-1?limit=ten', status: 400, code: 'INVALID_REQUEST' },
  { name: 'limit over the page limit', path: '/streams/existing-1?limit=5000', status: 400, code: 'INVALID_ARGUMENT' },
  { name: 'negative from', path: '/streams/existing-1?from=-1', status: 400, code: 'INVALID_REQUEST' },
  { name: 'huge from', path: '/streams/existing-1?from=99999999999999999999', status: 400, code: 'INVALID_REQUEST' },
  { name: 'unknown direction', path: '/streams/existing-1?direction=sideways', status: 400, code: 'INVALID_REQUEST' },
  { name: 'until not a date', path: '/streams/existing-1?until=yesterday', status: 400, code: 'INVALID_ARGUMENT' },
  { name: 'negative position', path: '/events?after=-1', status: 400, code: 'INVALID_REQUEST' },
  { name: 'position with a decimal point', path: '/events?after=1.5', status: 400, code: 'INVALID_REQUEST' },
  { name: 'position of 20 digits', path: '/events?after=99999999999999999999', status: 400, code: 'INVALID_REQUEST' },
  { name: 'position beyond bigint', path: '/events?after=9999999999999999999', status: 400, code: 'INVALID_ARGUMENT' },
  { name: 'SSE after garbage', path: '/subscribe?after=abc', status: 400, code: 'INVALID_REQUEST' },
  { name: 'SSE Last-Event-ID garbage', path: '/subscribe', headers: { 'last-event-id': "1; DROP TABLE events" }, status: 400, code: 'INVALID_ARGUMENT' },
  { name: 'streams limit over the page limit', path: '/streams?limit=100000', status: 400, code: 'INVALID_ARGUMENT' },

  // Routes and keys
  { name: 'unknown route', path: '/nope', status: 404, code: 'NOT_FOUND' },
  { name: 'unknown method', method: 'DELETE', path: '/streams/existing-1', status: 404, code: 'NOT_FOUND' },
  { name: 'no key', method: 'POST', path: '/streams/bad-1', body: { events: [event] }, key: 'none', status: 401, code: 'UNAUTHORIZED' },
  { name: 'unknown key', method: 'POST', path: '/streams/bad-1', body: { events: [event] }, key: 'bogus', status: 401, code: 'UNAUTHORIZED' },
  { name: 'Basic instead of Bearer', method: 'POST', path: '/streams/bad-1', body: { events: [event] }, key: 'none', headers: { authorization: 'Basic dXNlcjpwYXNz' }, status: 401, code: 'UNAUTHORIZED' },
  { name: 'read key appending', method: 'POST', path: '/streams/bad-1', body: { events: [event] }, key: 'read', status: 403, code: 'FORBIDDEN' },
];

describe.each(BACKENDS)('bad input gets the right 4xx, problem+json, and changes nothing [%s]', (backend) => {
  const factory = new StoreFactory(backend);
  let store: EventStore;
  let server: RunningServer;
  let keys: Awaited<ReturnType<typeof createKeys>>;

  beforeAll(async () => {
    store = await factory.open(undefined, { limits: { maxEventBytes: 64 * 1024, maxBatchEvents: 50 } });
    keys = await createKeys(store);
    await store.append('existing-1', [event], { expectedVersion: 'no-stream' });
    server = await startServer(store, { limits: { bodyLimit: 256 * 1024 } });
  });
  afterAll(async () => {
    await server?.close();
    await factory.cleanup();
  });

  it.each(cases)('$name → $status $code', async (c) => {
    const before = await catalogue(store);
    const headBefore = await store.headPosition();
    const headers: Record<string, string> = { ...c.headers };
    if (c.key === 'bogus') headers.authorization = `Bearer cairn_${'A'.repeat(43)}`;
    else if (c.key !== 'none') Object.assign(headers, bearer(keys[c.key ?? 'write']));
    let body: string | undefined;
    if (c.body !== undefined) {
      body = typeof c.body === 'string' ? c.body : JSON.stringify(c.body);
      headers['content-type'] = c.contentType ?? 'application/json';
    }
    const res = await fetch(server.url + c.path, { method: c.method ?? 'GET', headers, ...(body !== undefined ? { body } : {}) });
    const text = await res.text();
    expect(res.status, text).toBe(c.status);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = JSON.parse(text) as Record<string, unknown>;
    expect(problem).toMatchObject({ status: c.status, code: c.code });
    expect(typeof problem.detail).toBe('string');
    expect(typeof problem.title).toBe('string');
    expect(text).not.toMatch(/\bat .+\.(ts|js):\d+|SELECT |INSERT |sqlite|postgres/i);
    if (c.status === 401) expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    // Nothing written: every stream at its old version, and no new event in the log.
    expect(await catalogue(store)).toEqual(before);
    expect(await store.headPosition()).toBe(headBefore);
  });

  it('stores SQL-ish and quote-laden ids verbatim and leaves the tables intact', async () => {
    const ids = ["x'; DROP TABLE events;--", 'x" OR 1=1 --', 'a%b_c\\d', 'robert`); DELETE FROM streams; --'];
    for (const id of ids) {
      const res = await fetch(`${server.url}/streams/${encodeURIComponent(id)}`, {
        method: 'POST',
        headers: { ...bearer(keys.write), 'content-type': 'application/json' },
        body: JSON.stringify({ events: [{ type: "O'Brien", data: { q: "'; SELECT 1; --" } }] }),
      });
      expect(res.status).toBe(200);
      const read = (await (await fetch(`${server.url}/streams/${encodeURIComponent(id)}`, { headers: bearer(keys.read) })).json()) as {
        events: Array<{ streamId: string; type: string; data: unknown }>;
      };
      expect(read.events).toEqual([expect.objectContaining({ streamId: id, type: "O'Brien", data: { q: "'; SELECT 1; --" } })]);
    }
    expect((await store.streamInfo('existing-1'))?.version).toBe(1);
  });
});

async function catalogue(store: EventStore): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const s of await store.listStreams({ limit: 10_000, includeSystem: true })) out[s.streamId] = s.version;
  return out;
}
