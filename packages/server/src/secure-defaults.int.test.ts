import type { ServerExtension } from './index.js';
import { afterAll, describe, expect, it } from 'vitest';
import { buildServer } from './index.js';
import { createKeys } from './test-support/servers.js';
import { StoreFactory } from './test-support/stores.js';

/** What a server gets when its options say nothing: the safe choice each time. */
describe('secure defaults [sqlite]', () => {
  const factory = new StoreFactory('sqlite');
  afterAll(() => factory.cleanup());

  // Shows what the server believes about the client, as a route would use it.
  const whoami: ServerExtension = {
    name: 'whoami',
    plugin: async (app) => {
      app.get('/whoami', { config: { role: 'read' } }, async (request) => ({ ip: request.ip, protocol: request.protocol, host: request.host }));
    },
  };

  it('keys required, CORS off, X-Forwarded-* ignored, metrics private, timeouts and size limits set', async () => {
    const store = await factory.open();
    const keys = await createKeys(store);
    const app = buildServer({ store, metrics: { defaultMetrics: false }, extensions: [whoami] });
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
      expect((await fetch(`${url}/streams`)).status).toBe(401);
      expect((await fetch(`${url}/metrics`)).status).toBe(401);
      const seen = await fetch(`${url}/whoami`, {
        headers: { authorization: `Bearer ${keys.read}`, 'x-forwarded-for': '203.0.113.7', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.example', origin: 'https://evil.example' },
      });
      expect(await seen.json()).toEqual({ ip: '127.0.0.1', protocol: 'http', host: expect.stringMatching(/^127\.0\.0\.1:\d+$/) });
      expect(seen.headers.get('access-control-allow-origin')).toBeNull();
      expect(seen.headers.get('x-content-type-options')).toBe('nosniff');
      const preflight = await fetch(`${url}/streams/x-1`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull();

      expect(app.server.requestTimeout).toBe(30_000);
      expect(app.server.headersTimeout).toBe(10_000);
      expect(app.server.timeout).toBe(120_000);
      expect(app.server.keepAliveTimeout).toBe(72_000);
      expect(app.initialConfig.bodyLimit).toBe(5 * 1024 * 1024);
    } finally {
      await app.close();
    }
  });
});
