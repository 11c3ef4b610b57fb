import type { EventStore } from '@cairn/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, revokeApiKey } from './index.js';
import { BACKENDS, eventually, StoreFactory, waitForHead } from './test-support/stores.js';
import { bearer, createKeys, postJson, type RunningServer, startServer } from './test-support/servers.js';

describe.each(BACKENDS)('HTTP API over a real socket [%s]', (backend) => {
  const factory = new StoreFactory(backend);
  let store: EventStore;
  let server: RunningServer;
  let keys: Awaited<ReturnType<typeof createKeys>>;
  let auth: Record<string, string>;
  const url = factory.freshUrl();

  beforeAll(async () => {
    store = await factory.open(url);
    keys = await createKeys(store);
    auth = bearer(keys.admin);
    server = await startServer(store);
  });
  afterAll(async () => {
    await server?.close();
    await factory.cleanup();
  });

  it('appends with an expected version and answers with a string position and the version as ETag', async () => {
    const res = await postJson(`${server.url}/streams/account-1`, { events: [{ type: 'Opened', data: { owner: 'Ada' } }], expectedVersion: 'no-stream' }, auth);
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('"1"');
    const body = (await res.json()) as { streamId: string; version: number; position: string };
    expect(body).toMatchObject({ streamId: 'account-1', version: 1 });
    expect(body.position).toMatch(/^[1-9][0-9]*$/);
    expect((await store.streamInfo('account-1'))?.position.toString()).toBe(body.position);

    const second = await postJson(
      `${server.url}/streams/account-1`,
      { events: [{ type: 'Deposited', data: { amount: 5 }, metadata: { actor: 'ada' }, tags: ['user:1'], schemaVersion: 2 }] },
      { ...auth, 'if-match': '"1"' },
    );
    expect(second.status).toBe(200);
    expect(((await second.json()) as { version: number }).version).toBe(2);
  });

  it('reads a stream with paging, both directions, ETag and 304', async () => {
    const id = 'paged-1';
    await store.append(id, Array.from({ length: 7 }, (_, i) => ({ type: 'Tick', data: { i } })));
    const first = await fetch(`${server.url}/streams/${id}?limit=3`, { headers: auth });
    expect(first.status).toBe(200);
    expect(first.headers.get('etag')).toBe('"7"');
    const page = (await first.json()) as { version: number; events: Array<{ version: number; data: { i: number }; position: string; recordedAt: string }>; next: number | null };
    expect(page.version).toBe(7);
    expect(page.events.map((e) => e.version)).toEqual([1, 2, 3]);
    expect(page.next).toBe(4);
    expect(typeof page.events[0]?.position).toBe('string');
    expect(new Date(page.events[0]?.recordedAt ?? '').getTime()).not.toBeNaN();

    const last = (await (await fetch(`${server.url}/streams/${id}?from=7&limit=3`, { headers: auth })).json()) as { events: unknown[]; next: number | null };
    expect(last.events).toHaveLength(1);
    expect(last.next).toBeNull();

    const back = (await (await fetch(`${server.url}/streams/${id}?direction=backward&limit=2`, { headers: auth })).json()) as { events: Array<{ version: number }>; next: number | null };
    expect(back.events.map((e) => e.version)).toEqual([7, 6]);
    expect(back.next).toBe(5);

    const range = (await (await fetch(`${server.url}/streams/${id}?from=2&to=4`, { headers: auth })).json()) as { events: Array<{ version: number }> };
    expect(range.events.map((e) => e.version)).toEqual([2, 3, 4]);

    const notModified = await fetch(`${server.url}/streams/${id}`, { headers: { ...auth, 'if-none-match': '"7"' } });
    expect(notModified.status).toBe(304);
    await store.append(id, [{ type: 'Tick', data: { i: 7 } }]);
    const modified = await fetch(`${server.url}/streams/${id}`, { headers: { ...auth, 'if-none-match': '"7"' } });
    expect(modified.status).toBe(200);
    expect(modified.headers.get('etag')).toBe('"8"');
  });

  it('answers 404 STREAM_NOT_FOUND as problem+json for an unknown stream', async () => {
    const res = await fetch(`${server.url}/streams/nope-404`, { headers: auth });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await res.json()).toMatchObject({ status: 404, code: 'STREAM_NOT_FOUND', streamId: 'nope-404' });
  });

  it('round-trips stream ids with slashes, spaces and unicode through URL encoding', async () => {
    const id = 'tenant-z/ünïcødé stream';
    const res = await postJson(`${server.url}/streams/${encodeURIComponent(id)}`, { events: [{ type: 'X', data: null }] }, auth);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { streamId: string }).streamId).toBe(id);
    const read = (await (await fetch(`${server.url}/streams/${encodeURIComponent(id)}`, { headers: auth })).json()) as { events: Array<{ streamId: string }> };
    expect(read.events[0]?.streamId).toBe(id);
  });

  it('lists streams by prefix and category, keyset-paged, without system streams', async () => {
    for (const n of [1, 2, 3]) await store.append(`order-${n}`, [{ type: 'Placed', data: { n } }]);
    const page1 = (await (await fetch(`${server.url}/streams?category=order&limit=2`, { headers: auth })).json()) as { streams: Array<{ streamId: string; version: number; position: string }>; next: string | null };
    expect(page1.streams.map((s) => s.streamId)).toEqual(['order-1', 'order-2']);
    expect(page1.next).toBe('order-2');
    expect(typeof page1.streams[0]?.position).toBe('string');
    const page2 = (await (await fetch(`${server.url}/streams?category=order&limit=2&after=${page1.next}`, { headers: auth })).json()) as { streams: Array<{ streamId: string }>; next: string | null };
    expect(page2.streams.map((s) => s.streamId)).toEqual(['order-3']);
    expect(page2.next).toBeNull();
    const all = (await (await fetch(`${server.url}/streams?limit=1000`, { headers: auth })).json()) as { streams: Array<{ streamId: string }> };
    expect(all.streams.some((s) => s.streamId.startsWith('$'))).toBe(false);
    const prefixed = (await (await fetch(`${server.url}/streams?prefix=order-`, { headers: auth })).json()) as { streams: unknown[] };
    expect(prefixed.streams).toHaveLength(3);
  });

  it('reads the global log after a position with type and category filters, paged by next', async () => {
    const head = await store.headPosition();
    await store.append('cart-1', [{ type: 'ItemAdded', data: { sku: 'a' } }, { type: 'ItemRemoved', data: { sku: 'a' } }]);
    await store.append('cart-2', [{ type: 'ItemAdded', data: { sku: 'b' } }]);
    await store.append('user-1', [{ type: 'ItemAdded', data: { sku: 'c' } }]);
    await waitForHead(store);
    const url = `${server.url}/events?after=${head}&categories=cart&types=ItemAdded&limit=1`;
    const first = (await (await fetch(url, { headers: auth })).json()) as { events: Array<{ streamId: string; position: string }>; next: string; hasMore: boolean };
    expect(first.events.map((e) => e.streamId)).toEqual(['cart-1']);
    expect(first.hasMore).toBe(true);
    const second = (await (await fetch(`${server.url}/events?after=${first.next}&categories=cart&types=ItemAdded`, { headers: auth })).json()) as { events: Array<{ streamId: string }>; hasMore: boolean };
    expect(second.events.map((e) => e.streamId)).toEqual(['cart-2']);
    expect(second.hasMore).toBe(false);
    const both = (await (await fetch(`${server.url}/events?after=${head}&types=ItemAdded,ItemRemoved&categories=cart`, { headers: auth })).json()) as { events: unknown[] };
    expect(both.events).toHaveLength(3);
    const repeated = (await (await fetch(`${server.url}/events?after=${head}&categories=cart&categories=user`, { headers: auth })).json()) as { events: unknown[] };
    expect(repeated.events).toHaveLength(4);
    // The key events of $keys never appear in the global log.
    await waitForHead(store);
    const everything = (await (await fetch(`${server.url}/events?limit=1000`, { headers: auth })).json()) as { events: Array<{ streamId: string }> };
    expect(everything.events.some((e) => e.streamId.startsWith('$'))).toBe(false);
  });

  it('is idempotent on event ids: a resent append returns the original result and writes nothing', async () => {
    const id = crypto.randomUUID();
    const body = { events: [{ id, type: 'Paid', data: { cents: 100 } }], expectedVersion: 'no-stream' };
    const first = (await (await postJson(`${server.url}/streams/payment-1`, body, auth)).json()) as { position: string };
    const head = await store.headPosition();
    const again = await postJson(`${server.url}/streams/payment-1`, body, auth);
    expect(again.status).toBe(200);
    expect(((await again.json()) as { position: string }).position).toBe(first.position);
    expect(await store.headPosition()).toBe(head);
    const other = await postJson(`${server.url}/streams/payment-1`, { events: [{ id, type: 'Paid', data: { cents: 999 } }] }, auth);
    expect(other.status).toBe(409);
    expect(((await other.json()) as { code: string }).code).toBe('IDEMPOTENCY_CONFLICT');
  });

  it('serves health, readiness, metrics and an OpenAPI description of every route', async () => {
    expect(await (await fetch(`${server.url}/health`)).json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${server.url}/ready`)).json()).toEqual({ status: 'ready', store: backend });

    await postJson(`${server.url}/streams/metric-1`, { events: [{ type: 'A', data: 1 }, { type: 'B', data: 2 }] }, auth);
    const metrics = await (await fetch(`${server.url}/metrics`, { headers: auth })).text();
    expect(metrics).toMatch(/cairn_append_duration_seconds_count\{outcome="ok"\} [1-9]/);
    expect(metrics).toMatch(/cairn_events_appended_total [1-9]/);
    expect(metrics).toMatch(/cairn_http_requests_total\{method="POST",route="\/streams\/:id",status="200"\} [1-9]/);
    expect(metrics).toContain('cairn_sse_subscribers 0');

    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as { openapi: string; paths: Record<string, Record<string, { parameters?: Array<{ name: string }> }>> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual(['/events', '/health', '/metrics', '/ready', '/streams', '/streams/{id}', '/subscribe']);
    expect(Object.keys(doc.paths['/streams/{id}'] ?? {}).sort()).toEqual(['get', 'post']);
    expect(doc.paths['/events']?.get?.parameters?.map((p) => p.name).sort()).toEqual(['after', 'categories', 'limit', 'types']);
  });

  it('keeps a stream-prefix key inside its prefix on every route', async () => {
    const scoped = bearer(keys.scoped);
    expect((await postJson(`${server.url}/streams/tenant-a%2Fx-1`, { events: [{ type: 'A', data: 1 }] }, scoped)).status).toBe(200);
    await store.append('tenant-b/x-1', [{ type: 'A', data: 2 }]);
    await waitForHead(store);
    const outside = await postJson(`${server.url}/streams/tenant-b%2Fx-1`, { events: [{ type: 'A', data: 1 }] }, scoped);
    expect(outside.status).toBe(403);
    expect(((await outside.json()) as { code: string }).code).toBe('FORBIDDEN');
    expect((await fetch(`${server.url}/streams/tenant-b%2Fx-1`, { headers: scoped })).status).toBe(403);
    const listed = (await (await fetch(`${server.url}/streams`, { headers: scoped })).json()) as { streams: Array<{ streamId: string }> };
    expect(listed.streams.map((s) => s.streamId)).toEqual(['tenant-a/x-1']);
    expect((await fetch(`${server.url}/streams?prefix=tenant-b`, { headers: scoped })).status).toBe(403);
    const log = (await (await fetch(`${server.url}/events?limit=1000`, { headers: scoped })).json()) as { events: Array<{ streamId: string }> };
    expect(log.events.length, JSON.stringify(log).slice(0, 500)).toBeGreaterThan(0);
    expect(log.events.every((e) => e.streamId.startsWith('tenant-a/'))).toBe(true);
  });

  // Memory stores are one handle in one process: nothing to pick up from elsewhere.
  if (backend !== 'memory') it('picks up keys created and revoked through another handle on the store, without a restart', async () => {
    // A second store on the same file or schema stands in for another process (the CLI).
    const other = await factory.open(url);
    const route = `${server.url}/streams?limit=1`;
    const { key, info } = await createApiKey(other, { name: 'late', roles: ['read'] });
    await eventually(async () => expect((await fetch(route, { headers: bearer(key) })).status).toBe(200));
    await revokeApiKey(other, info.keyId);
    await eventually(async () => expect((await fetch(route, { headers: bearer(key) })).status).toBe(401));
  });
});
