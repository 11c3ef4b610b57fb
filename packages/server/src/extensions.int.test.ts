import { DomainError } from '@cairn/core';
import { afterAll, describe, expect, it } from 'vitest';
import { buildServer, HttpProblem, type ServerExtension } from './index.js';
import { bearer, createKeys } from './test-support/servers.js';
import { StoreFactory } from './test-support/stores.js';

class InsufficientFunds extends DomainError {
  constructor() {
    super('INSUFFICIENT_FUNDS', 'The balance is too low for this withdrawal.', { balance: 5 });
  }
}

// The shape of packages/server/README.md § Extensions, plus the error paths an extension uses.
const projections: ServerExtension = {
  name: 'projections',
  prefix: '/projections',
  plugin: async (app, { cairn }) => {
    app.get('/', { config: { role: 'read' } }, async () => ({ projections: [], store: cairn.store.kind }));
    app.post('/:name/rebuild', { config: { role: 'admin' } }, async () => ({ started: true }));
    app.get('/undeclared', async () => ({ reached: true }));
    app.get('/teapot', { config: { role: 'read' } }, async () => {
      throw new HttpProblem(418, 'TEAPOT', 'Short and stout.');
    });
    app.get('/domain', { config: { role: 'read' } }, async () => {
      throw new InsufficientFunds();
    });
  },
};

describe('extensions: the seam for projection, snapshot and dead-letter routes', () => {
  const factory = new StoreFactory('memory');
  afterAll(() => factory.cleanup());

  it('get auth, roles (admin when undeclared), problem+json errors and metrics for free', async () => {
    const store = await factory.open();
    const keys = await createKeys(store);
    const app = buildServer({ store, extensions: [projections], metrics: { defaultMetrics: false } });
    try {
      const read = bearer(keys.read);
      expect((await app.inject({ url: '/projections' })).statusCode).toBe(401);
      const list = await app.inject({ url: '/projections', headers: read });
      expect(list.statusCode).toBe(200);
      expect(list.json()).toEqual({ projections: [], store: 'memory' });
      expect((await app.inject({ method: 'POST', url: '/projections/balances/rebuild', headers: bearer(keys.write) })).statusCode).toBe(403);
      expect((await app.inject({ method: 'POST', url: '/projections/balances/rebuild', headers: bearer(keys.admin) })).statusCode).toBe(200);
      expect((await app.inject({ url: '/projections/undeclared', headers: bearer(keys.write) })).statusCode).toBe(403);
      expect((await app.inject({ url: '/projections/undeclared', headers: bearer(keys.admin) })).statusCode).toBe(200);

      const teapot = await app.inject({ url: '/projections/teapot', headers: read });
      expect(teapot.statusCode).toBe(418);
      expect(teapot.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(teapot.json()).toMatchObject({ code: 'TEAPOT', detail: 'Short and stout.' });
      const domain = await app.inject({ url: '/projections/domain', headers: read });
      expect(domain.statusCode).toBe(422);
      expect(domain.json()).toMatchObject({ code: 'INSUFFICIENT_FUNDS', balance: 5 });

      const metrics = (await app.inject({ url: '/metrics', headers: read })).body;
      expect(metrics).toMatch(/cairn_http_requests_total\{method="GET",route="\/projections",status="200"\} 1/);
      const doc = (await app.inject({ url: '/openapi.json' })).json() as { paths: Record<string, unknown> };
      expect(Object.keys(doc.paths)).toContain('/projections/{name}/rebuild');
    } finally {
      await app.close();
    }
  });

  it('reports a store that stopped answering: /ready 503, appends 503 with no internals, /health still 200', async () => {
    const store = await factory.open();
    const app = buildServer({ store, auth: { insecureDev: true }, metrics: { defaultMetrics: false } });
    await app.ready();
    try {
      expect((await app.inject({ url: '/ready' })).statusCode).toBe(200);
      await store.close();
      const ready = await app.inject({ url: '/ready' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toMatchObject({ code: 'STORE_UNAVAILABLE' });
      const append = await app.inject({ method: 'POST', url: '/streams/x-1', payload: { events: [{ type: 'A', data: 1 }] } });
      expect(append.statusCode).toBe(503);
      expect(append.json()).toMatchObject({ code: 'STORE_CLOSED', detail: expect.stringMatching(/^The server is shutting down/) });
      expect(append.body).not.toMatch(/Cannot append: the store was closed/);
      expect((await app.inject({ url: '/health' })).statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('closes the server without closing the store, which belongs to the caller', async () => {
    const store = await factory.open();
    const app = buildServer({ store, metrics: { defaultMetrics: false } });
    await app.ready();
    await app.close();
    await store.append('still-open-1', [{ type: 'A', data: 1 }]);
    expect((await store.streamInfo('still-open-1'))?.version).toBe(1);
  });
});
