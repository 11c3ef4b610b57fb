import { connect, type Socket } from 'node:net';
import type { EventStore } from '@cairn/core';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type WireOutcome, exchange } from '../../../test/hostile/wire.js';
import { buildServer } from './index.js';
import { resolveLimits } from './options.js';
import { createKeys } from './test-support/servers.js';
import { eventually, StoreFactory } from './test-support/stores.js';

/**
 * One test per row of the Limits table in packages/server/README.md: each limit holds, and
 * going over it gets the documented status and code, as problem+json, with nothing written.
 * Limits are set small here so the cases stay cheap; the defaults are checked separately.
 */

interface LimitCase {
  limit: string;
  method?: 'GET' | 'POST';
  target: string;
  body?: unknown;
  headers?: Array<[string, string]>;
  status: number;
  code: string;
}

const event = (data: unknown = 1) => ({ type: 'A', data });
const nested = (depth: number): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
};

const CASES: LimitCase[] = [
  { limit: 'request body (bodyLimit)', method: 'POST', target: '/streams/l-1', body: { events: [event('x'.repeat(70 * 1024))] }, status: 413, code: 'PAYLOAD_TOO_LARGE' },
  { limit: 'event size (store maxEventBytes)', method: 'POST', target: '/streams/l-1', body: { events: [event('x'.repeat(20 * 1024))] }, status: 413, code: 'EVENT_TOO_LARGE' },
  { limit: 'events per append (store maxBatchEvents)', method: 'POST', target: '/streams/l-1', body: { events: Array.from({ length: 21 }, () => event()) }, status: 400, code: 'BATCH_TOO_LARGE' },
  { limit: 'stream id length (256)', method: 'POST', target: `/streams/${'s'.repeat(257)}`, body: { events: [event()] }, status: 400, code: 'INVALID_STREAM_ID' },
  { limit: 'path parameter (1,024 characters)', target: `/streams/${'s'.repeat(1025)}`, status: 414, code: 'URI_TOO_LONG' },
  { limit: 'event type length (200)', method: 'POST', target: '/streams/l-1', body: { events: [{ type: 'T'.repeat(201), data: 1 }] }, status: 400, code: 'INVALID_REQUEST' },
  { limit: 'tags per event (64)', method: 'POST', target: '/streams/l-1', body: { events: [{ ...event(), tags: Array.from({ length: 65 }, (_, i) => `t:${i}`) }] }, status: 400, code: 'INVALID_REQUEST' },
  { limit: 'tag length (200)', method: 'POST', target: '/streams/l-1', body: { events: [{ ...event(), tags: ['t'.repeat(201)] }] }, status: 400, code: 'INVALID_REQUEST' },
  { limit: 'JSON nesting of data and metadata (128)', method: 'POST', target: '/streams/l-1', body: { events: [event(nested(129))] }, status: 400, code: 'INVALID_EVENT' },
  { limit: 'page size of GET /streams/:id (maxPageSize)', target: '/streams/l-0?limit=51', status: 400, code: 'INVALID_ARGUMENT' },
  { limit: 'page size of GET /events (maxPageSize)', target: '/events?limit=51', status: 400, code: 'INVALID_ARGUMENT' },
  { limit: 'page size of GET /streams (maxPageSize)', target: '/streams?limit=51', status: 400, code: 'INVALID_ARGUMENT' },
  { limit: 'type and category filters (100 names)', target: `/events?types=${Array.from({ length: 101 }, (_, i) => `T${i}`).join('&types=')}`, status: 400, code: 'INVALID_REQUEST' },
  { limit: 'filter name length (256)', target: `/events?categories=${'c'.repeat(257)}`, status: 400, code: 'INVALID_REQUEST' },
  { limit: 'request line and headers (maxHeaderBytes)', target: '/health', headers: [['X-Padding', 'p'.repeat(9 * 1024)]], status: 431, code: 'HEADERS_TOO_LARGE' },
];

describe('limits: each one holds, with its documented status and code [sqlite]', () => {
  const factory = new StoreFactory('sqlite');
  let store: EventStore;
  let app: FastifyInstance;
  let port: number;
  let keys: Awaited<ReturnType<typeof createKeys>>;

  beforeAll(async () => {
    store = await factory.open(undefined, { limits: { maxEventBytes: 16 * 1024, maxBatchEvents: 20 } });
    keys = await createKeys(store);
    await store.append('l-0', [event()]);
    app = buildServer({
      store,
      metrics: { defaultMetrics: false },
      limits: {
        bodyLimit: 64 * 1024,
        maxPageSize: 50,
        defaultPageSize: 10,
        maxSubscribers: 2,
        maxHeaderBytes: 8 * 1024,
        headersTimeoutMs: 400,
        requestTimeoutMs: 800,
        heartbeatMs: 300,
        idleTimeoutMs: 1_500,
        keepAliveTimeoutMs: 200,
      },
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as { port: number }).port;
  });
  afterAll(async () => {
    app?.server.closeAllConnections();
    await app?.close();
    await factory.cleanup();
  });

  const auth = (): Array<[string, string]> => [['Authorization', `Bearer ${keys.write}`]];

  it.each(CASES)('$limit → $status $code', async (c) => {
    const before = await store.headPosition();
    const body = c.body === undefined ? undefined : Buffer.from(JSON.stringify(c.body));
    const headers = [...auth(), ...(c.headers ?? []), ...(body ? [['Content-Type', 'application/json'] as [string, string]] : [])];
    const outcome = await exchange(port, { method: c.method ?? 'GET', target: c.target, headers, ...(body ? { body } : {}) }, 10_000);
    expectProblem(outcome, c.status, c.code);
    expect(await store.headPosition()).toBe(before);
  });

  it('SSE subscribers (maxSubscribers) → 503 TOO_MANY_SUBSCRIBERS, and a slot frees when one leaves', async () => {
    const open = await Promise.all([sse(port, keys.read), sse(port, keys.read)]);
    await eventually(async () => expect(app.cairn.metrics.subscriberCount).toBe(2));
    const third = await exchange(port, { method: 'GET', target: '/subscribe?after=end', headers: auth() }, 5_000);
    expectProblem(third, 503, 'TOO_MANY_SUBSCRIBERS');
    open[0]?.destroy();
    await eventually(async () => expect(app.cairn.metrics.subscriberCount).toBe(1));
    const fourth = await exchange(port, { method: 'GET', target: '/subscribe?after=end', headers: auth() }, 5_000);
    expect(fourth.kind === 'response' && fourth.status).toBe(200);
    open[1]?.destroy();
    await eventually(async () => expect(app.cairn.metrics.subscriberCount).toBe(0));
  });

  it('slow loris: headers trickled in byte by byte → 408 REQUEST_TIMEOUT and the connection closed (headersTimeoutMs)', async () => {
    const { answer, ms } = await trickle(port, 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n', () => 'X-Slow: 1\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(answer).toContain('"code":"REQUEST_TIMEOUT"');
    expect(ms).toBeLessThan(2_000);
  });

  it('a body that never finishes → 408 REQUEST_TIMEOUT, the connection closed, nothing written (requestTimeoutMs)', async () => {
    const head = `POST /streams/slow-1 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${keys.write}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"events":[`;
    const { answer, ms } = await trickle(port, head, () => ' ');
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(ms).toBeLessThan(2_500);
    expect(await store.streamInfo('slow-1')).toBeNull();
  });

  it('a connection that sends nothing at all is closed (headersTimeoutMs)', async () => {
    const { answer, ms } = await trickle(port, '', () => '');
    expect(answer === '' || answer.startsWith('HTTP/1.1 408 ')).toBe(true);
    expect(ms).toBeLessThan(2_000);
  });

  it('an idle keep-alive connection is closed (keepAliveTimeoutMs, plus the second Node adds)', async () => {
    const started = performance.now();
    const socket = connect(port, '127.0.0.1');
    socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    socket.resume();
    await new Promise((resolve) => socket.once('close', resolve));
    expect(performance.now() - started).toBeLessThan(2_500);
  });

  it('a live SSE stream outlives the request and idle timeouts: heartbeats keep it moving', async () => {
    const socket = await sse(port, keys.read);
    let received = '';
    socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
    await new Promise((r) => setTimeout(r, 2_000)); // past requestTimeoutMs (800) and idleTimeoutMs (1,500)
    expect(socket.destroyed).toBe(false);
    expect(app.cairn.metrics.subscriberCount).toBe(1);
    expect(received).toContain(': heartbeat');
    socket.destroy();
    await eventually(async () => expect(app.cairn.metrics.subscriberCount).toBe(0));
  });

  it('an SSE client that stops reading is cut off once nothing moves (idleTimeoutMs), and its subscription ends', async () => {
    const socket = await sse(port, keys.read);
    socket.pause(); // reads nothing more: the kernel buffers fill and the server's writes stall
    await eventually(async () => expect(app.cairn.metrics.subscriberCount).toBe(1));
    // Enough to fill both sides' socket buffers: 8 MB of events.
    const data = 'y'.repeat(15 * 1024);
    for (let i = 0; i < 27; i++) await store.append(`stall-${i}`, Array.from({ length: 20 }, () => event(data)));
    await eventually(async () => expect(app.cairn.metrics.subscriberCount).toBe(0), 15_000);
    socket.destroy();
  });
});

describe('limit defaults', () => {
  it('are the documented ones', () => {
    expect(resolveLimits()).toEqual({
      bodyLimit: 5 * 1024 * 1024,
      defaultPageSize: 100,
      maxPageSize: 1000,
      maxSubscribers: 1000,
      heartbeatMs: 15_000,
      scanBudget: 10_000,
      requestTimeoutMs: 30_000,
      headersTimeoutMs: 10_000,
      idleTimeoutMs: 120_000,
      keepAliveTimeoutMs: 72_000,
      maxHeaderBytes: 16 * 1024,
    });
  });

  it('refuse combinations Node would refuse or that would cut live SSE streams', () => {
    expect(() => resolveLimits({ headersTimeoutMs: 5_000, requestTimeoutMs: 1_000 })).toThrow(/headersTimeoutMs must not exceed/);
    expect(() => resolveLimits({ heartbeatMs: 60_000, idleTimeoutMs: 30_000 })).toThrow(/idleTimeoutMs must exceed/);
  });
});

function expectProblem(outcome: WireOutcome, status: number, code: string): void {
  expect(outcome.kind).toBe('response');
  if (outcome.kind !== 'response') return;
  expect(outcome.status, outcome.body).toBe(status);
  expect(outcome.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(JSON.parse(outcome.body)).toMatchObject({ status, code });
}

/** An open SSE connection (headers received), as a raw socket the test controls. */
function sse(port: number, key: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.write(`GET /subscribe?after=end HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${key}\r\n\r\n`);
    socket.once('data', (chunk: Buffer) => (chunk.toString('latin1').startsWith('HTTP/1.1 200') ? resolve(socket) : reject(new Error(chunk.toString()))));
    socket.once('error', reject);
  });
}

/**
 * Send `head`, then one more piece every 50 ms until the server answers and closes (or 5 s
 * pass: then the test fails on the time); resolve with what it said and how long it took.
 */
function trickle(port: number, head: string, next: () => string): Promise<{ answer: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    let answer = '';
    const socket = connect(port, '127.0.0.1');
    const giveUp = setTimeout(() => socket.destroy(), 5_000);
    const timer = setInterval(() => {
      const piece = next();
      if (piece && socket.writable) socket.write(piece);
    }, 50);
    socket.on('connect', () => head && socket.write(head));
    socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearInterval(timer);
      clearTimeout(giveUp);
      resolve({ answer, ms: performance.now() - started });
    });
  });
}
