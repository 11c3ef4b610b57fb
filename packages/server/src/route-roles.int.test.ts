import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectionAdmin } from '@cairn/core';
import { afterAll, describe, expect, it } from 'vitest';
import { enforcementProblems } from '../../../test/hostile/route-table.js';
import { buildServer, projectionsExtension, type ServerExtension, staticFiles } from './index.js';
import { createKeys } from './test-support/servers.js';
import { StoreFactory } from './test-support/stores.js';

/**
 * Walks the route table (`app.cairn.routes`) of a server assembled like `cairn serve` (API, projections and dead
 * letters, the console's files): every route must say which role it needs, the routes
 * anyone may call are exactly the ones listed here, and each role is enforced. A route added
 * later without a role, or opened to the public by mistake, fails this test.
 */

// The only routes without a key: liveness, readiness, the API description, the console's files.
const PUBLIC = ['GET /', 'GET /assets/app-Ab12.js', 'GET /health', 'GET /index.html', 'GET /openapi.json', 'GET /ready'];

const fill = (url: string): string => url.replace(':id', 'x-1').replace(':name', 'nothing');

describe('the route table [sqlite]', () => {
  const factory = new StoreFactory('sqlite');
  const site = mkdtempSync(join(tmpdir(), 'cairn-routes-site-'));
  afterAll(async () => {
    await factory.cleanup();
    rmSync(site, { recursive: true, force: true });
  });

  it('every route declares a role, only the listed ones are public, and each role is enforced', async () => {
    mkdirSync(join(site, 'assets'), { recursive: true });
    writeFileSync(join(site, 'index.html'), '<!doctype html>');
    writeFileSync(join(site, 'assets', 'app-Ab12.js'), '1');
    const store = await factory.open();
    const keys = await createKeys(store);
    const app = buildServer({
      store,
      metrics: { defaultMetrics: false },
      extensions: [projectionsExtension({ admin: projectionAdmin(store) }), staticFiles({ root: site })],
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const routes = app.cairn.routes;
    try {
      expect(routes.length).toBeGreaterThan(20);
      expect(routes.filter((r) => r.role === undefined).map((r) => `${r.method} ${r.url}`)).toEqual([]);
      const open = routes.filter((r) => r.role === 'public' && r.method === 'GET').map((r) => `${r.method} ${r.url}`);
      expect([...new Set(open)].sort()).toEqual(PUBLIC);
      const port = (app.server.address() as { port: number }).port;
      expect(await enforcementProblems(port, routes, keys, fill)).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it('notices a route that declares no role (it needs admin, and the walk names it)', async () => {
    const store = await factory.open();
    const keys = await createKeys(store);
    const careless: ServerExtension = {
      name: 'careless',
      plugin: async (app) => {
        app.get('/careless', async () => ({ reached: true }));
      },
    };
    const app = buildServer({ store, metrics: { defaultMetrics: false }, extensions: [careless] });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const routes = app.cairn.routes;
    try {
      expect(routes.filter((r) => r.role === undefined).map((r) => `${r.method} ${r.url}`)).toEqual(['GET /careless', 'HEAD /careless']);
      // Deny by default: without a declared role the route needs admin.
      const port = (app.server.address() as { port: number }).port;
      expect(await enforcementProblems(port, routes, keys, fill)).toEqual([]);
    } finally {
      await app.close();
    }
  });
});
