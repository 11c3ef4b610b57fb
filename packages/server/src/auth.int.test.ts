import type { EventStore } from '@cairn/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, createApiKey, INSECURE_DEV_WARNING, revokeApiKey } from './index.js';
import { bearer, postJson, type RunningServer, startServer } from './test-support/servers.js';
import { SseClient } from './test-support/sse-client.js';
import { BACKENDS, eventually, StoreFactory } from './test-support/stores.js';

type Caller = 'no key' | 'malformed header' | 'unknown key' | 'revoked key' | 'read' | 'write' | 'admin';
const CALLERS: Caller[] = ['no key', 'malformed header', 'unknown key', 'revoked key', 'read', 'write', 'admin'];

interface Route {
  name: string;
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  needs: 'public' | 'read' | 'write';
  sse?: boolean;
}

const ROUTES: Route[] = [
  { name: 'POST /streams/:id', method: 'POST', path: '/streams/acl-1', body: { events: [{ type: 'A', data: 1 }] }, needs: 'write' },
  { name: 'GET /streams/:id', method: 'GET', path: '/streams/seeded-1', needs: 'read' },
  { name: 'GET /streams', method: 'GET', path: '/streams', needs: 'read' },
  { name: 'GET /events', method: 'GET', path: '/events', needs: 'read' },
  { name: 'GET /subscribe', method: 'GET', path: '/subscribe?after=end', needs: 'read', sse: true },
  { name: 'GET /metrics', method: 'GET', path: '/metrics', needs: 'read' },
  { name: 'GET /health', method: 'GET', path: '/health', needs: 'public' },
  { name: 'GET /ready', method: 'GET', path: '/ready', needs: 'public' },
  { name: 'GET /openapi.json', method: 'GET', path: '/openapi.json', needs: 'public' },
];

const RANK = { read: 1, write: 2, admin: 3 } as const;

function expected(route: Route, caller: Caller): { status: number; code?: string } {
  if (route.needs === 'public') return { status: 200 };
  if (caller === 'read' || caller === 'write' || caller === 'admin') {
    return RANK[caller] >= RANK[route.needs] ? { status: 200 } : { status: 403, code: 'FORBIDDEN' };
  }
  return { status: 401, code: 'UNAUTHORIZED' };
}

const table = ROUTES.flatMap((route) => CALLERS.map((caller) => ({ route, caller, ...expected(route, caller) })));

describe.each(BACKENDS)('roles are enforced on every route [%s]', (backend) => {
  const factory = new StoreFactory(backend);
  let store: EventStore;
  let server: RunningServer;
  const headers = new Map<Caller, Record<string, string>>();

  beforeAll(async () => {
    store = await factory.open();
    await store.append('seeded-1', [{ type: 'Seeded', data: {} }]);
    for (const role of ['read', 'write', 'admin'] as const) headers.set(role, bearer((await createApiKey(store, { name: role, roles: [role] })).key));
    const revoked = await createApiKey(store, { name: 'gone', roles: ['admin'] });
    await revokeApiKey(store, revoked.info.keyId);
    headers.set('revoked key', bearer(revoked.key));
    headers.set('no key', {});
    headers.set('malformed header', { authorization: 'Token abc' });
    headers.set('unknown key', bearer(`cairn_${'x'.repeat(43)}`));
    server = await startServer(store);
  });
  afterAll(async () => {
    await server?.close();
    await factory.cleanup();
  });

  it.each(table)('$route.name as $caller → $status', async ({ route, caller, status, code }) => {
    const auth = headers.get(caller) ?? {};
    if (route.sse) {
      const client = new SseClient();
      await client.connect(server.url + route.path, auth);
      await client.close();
      expect(client.status).toBe(status);
      return;
    }
    const res =
      route.method === 'POST'
        ? await postJson(server.url + route.path, route.body, auth)
        : await fetch(server.url + route.path, { headers: auth });
    const text = await res.text();
    expect(res.status, text).toBe(status);
    if (code) expect((JSON.parse(text) as { code: string }).code).toBe(code);
  });
});

describe('auth details', () => {
  const factory = new StoreFactory('sqlite');
  afterAll(() => factory.cleanup());

  it('checks the key before reading the body: an unauthenticated 6 MiB POST is 401, not 413', async () => {
    const server = await startServer(await factory.open());
    try {
      const res = await postJson(`${server.url}/streams/x-1`, { events: [{ type: 'A', data: 'x'.repeat(6 * 1024 * 1024) }] });
      expect(res.status).toBe(401);
    } finally {
      await server.close();
    }
  });

  it('guards the HEAD twins of GET routes like the routes themselves', async () => {
    const store = await factory.open();
    const { key } = await createApiKey(store, { name: 'r', roles: ['read'] });
    await store.append('head-1', [{ type: 'A', data: 1 }]);
    const server = await startServer(store);
    try {
      expect((await fetch(`${server.url}/streams/head-1`, { method: 'HEAD' })).status).toBe(401);
      const ok = await fetch(`${server.url}/streams/head-1`, { method: 'HEAD', headers: bearer(key) });
      expect(ok.status).toBe(200);
      expect(ok.headers.get('etag')).toBe('"1"');
    } finally {
      await server.close();
    }
  });

  it('--insecure-dev opens every route without a key and says so loudly at start', async () => {
    const lines: string[] = [];
    const store = await factory.open();
    const app = buildServer({
      store,
      auth: { insecureDev: true },
      metrics: { defaultMetrics: false },
      logger: { level: 'warn', stream: { write: (line: string) => void lines.push(line) } },
    });
    await app.ready();
    try {
      expect(lines.join('')).toContain(INSECURE_DEV_WARNING);
      const append = await app.inject({ method: 'POST', url: '/streams/dev-1', payload: { events: [{ type: 'A', data: 1 }] } });
      expect(append.statusCode).toBe(200);
      expect((await app.inject({ url: '/streams/dev-1' })).statusCode).toBe(200);
      expect((await app.inject({ url: '/metrics' })).statusCode).toBe(200);
      // Still no way into system streams.
      expect((await app.inject({ url: '/streams/%24keys' })).statusCode).toBe(400);
    } finally {
      await app.close();
    }
  });

  it('ends an open SSE stream once its key is revoked', async () => {
    const store = await factory.open();
    const { key, info } = await createApiKey(store, { name: 'tail', roles: ['read'] });
    const server = await startServer(store, { limits: { heartbeatMs: 50 } });
    try {
      const client = new SseClient();
      await client.connect(`${server.url}/subscribe?after=end`, bearer(key));
      expect(client.status).toBe(200);
      await revokeApiKey(store, info.keyId);
      await client.ended();
      await eventually(async () => expect((await fetch(`${server.url}/events`, { headers: bearer(key) })).status).toBe(401));
    } finally {
      await server.close();
    }
  });

  it('serves CORS only when configured, and then answers preflights without a key', async () => {
    const store = await factory.open();
    const closed = await startServer(store);
    const open = await startServer(store, { cors: { origin: ['https://console.example'] } });
    try {
      const plain = await fetch(`${closed.url}/health`, { headers: { origin: 'https://console.example' } });
      expect(plain.headers.get('access-control-allow-origin')).toBeNull();
      const preflight = await fetch(`${open.url}/streams/x-1`, {
        method: 'OPTIONS',
        headers: { origin: 'https://console.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
      });
      expect(preflight.status).toBeLessThan(300);
      expect(preflight.headers.get('access-control-allow-origin')).toBe('https://console.example');
      const other = await fetch(`${open.url}/health`, { headers: { origin: 'https://evil.example' } });
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await closed.close();
      await open.close();
    }
  });

  it('refuses keys with bad names, roles or prefixes', async () => {
    const store = await factory.open();
    await expect(createApiKey(store, { name: '', roles: ['read'] })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(createApiKey(store, { name: 'x', roles: ['root' as 'read'] })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(createApiKey(store, { name: 'x', roles: ['read'], streamPrefix: '$keys' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(revokeApiKey(store, 'key_nope')).rejects.toMatchObject({ code: 'API_KEY_NOT_FOUND' });
    // Only the hash is stored.
    const { key } = await createApiKey(store, { name: 'x', roles: ['read'] });
    const stored = JSON.stringify((await store.readStream('$keys').toArray()).map((e) => e.data));
    expect(stored).not.toContain(key);
    expect(stored).not.toContain(key.slice(6));
  });
});
