import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { staticFiles } from '../index.js';
import { bearer, createKeys, startServer } from '../test-support/servers.js';
import { StoreFactory } from '../test-support/stores.js';

describe('static files (the console) beside the API', () => {
  const factory = new StoreFactory('memory');
  const dir = mkdtempSync(join(tmpdir(), 'cairn-static-'));
  afterAll(async () => {
    await factory.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the build without a key: hashed assets cached for good, index.html revalidated', async () => {
    mkdirSync(join(dir, 'site', 'assets'), { recursive: true });
    writeFileSync(join(dir, 'site', 'index.html'), '<!doctype html><title>console</title><script type="module" src="/assets/app-Ab12.js"></script>');
    writeFileSync(join(dir, 'site', 'assets', 'app-Ab12.js'), 'console.log(1)');
    writeFileSync(join(dir, 'site', 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    const store = await factory.open();
    const keys = await createKeys(store);
    const server = await startServer(store, { extensions: [staticFiles({ root: join(dir, 'site') })] });
    try {
      const index = await fetch(`${server.url}/`);
      expect(index.status).toBe(200);
      expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(index.headers.get('cache-control')).toBe('no-cache');
      expect(index.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(index.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(index.headers.get('x-frame-options')).toBe('DENY');
      expect(index.headers.get('x-content-type-options')).toBe('nosniff');
      expect(index.headers.get('referrer-policy')).toBe('no-referrer');
      expect(index.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(index.headers.get('access-control-allow-origin')).toBeNull();
      expect(await index.text()).toContain('<title>console</title>');
      const etag = index.headers.get('etag') as string;
      expect((await fetch(`${server.url}/`, { headers: { 'if-none-match': etag } })).status).toBe(304);

      const asset = await fetch(`${server.url}/assets/app-Ab12.js`);
      expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(asset.headers.get('x-content-type-options')).toBe('nosniff');
      expect(asset.headers.get('cross-origin-resource-policy')).toBe('same-origin');
      expect((await fetch(`${server.url}/favicon.svg`)).headers.get('content-type')).toBe('image/svg+xml');

      // Nothing else is reachable, and the API keeps its routes and its auth.
      const missing = await fetch(`${server.url}/assets/../../package.json`);
      expect(missing.status).toBe(404);
      expect(missing.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect((await fetch(`${server.url}/streams`)).status).toBe(401);
      expect((await fetch(`${server.url}/streams`, { headers: bearer(keys.read) })).status).toBe(200);
      const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
      expect(Object.keys(doc.paths)).not.toContain('/');
    } finally {
      await server.close();
    }
  });

  it('says how to build the console when there is none', async () => {
    const store = await factory.open();
    const server = await startServer(store, { extensions: [staticFiles({ root: join(dir, 'not-built'), missingMessage: 'Run npm run build <now>.' })] });
    try {
      const res = await fetch(`${server.url}/`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const html = await res.text();
      expect(html).toContain('Run npm run build &#60;now&#62;.');
      expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(res.headers.get('x-frame-options')).toBe('DENY');
    } finally {
      await server.close();
    }
  });
});
