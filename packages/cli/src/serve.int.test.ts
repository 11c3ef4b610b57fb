import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cairn, spawnCairn } from './test-support/cli.js';
import { type Backend, StoreUrls } from './test-support/stores.js';

beforeAll(() => assertBuilt());

interface Served {
  child: ChildProcess;
  url: string;
  stderr: () => string;
}

/** Start `cairn serve --port 0` and read the address from its banner. */
async function serve(args: string[]): Promise<Served> {
  const child = spawnCairn(['serve', '--port', '0', '--log-level', 'warn', ...args]);
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdout?.resume();
  const deadline = Date.now() + 15_000;
  for (;;) {
    const match = /listening on (http:\/\/\S+)/.exec(stderr);
    if (match?.[1]) return { child, url: match[1], stderr: () => stderr };
    if (child.exitCode !== null) throw new Error(`cairn serve exited with ${child.exitCode}: ${stderr}`);
    if (Date.now() > deadline) throw new Error(`cairn serve did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function stop(served: Served): Promise<number | null> {
  const exited = once(served.child, 'exit');
  served.child.kill('SIGTERM');
  const [code] = (await exited) as [number | null];
  return code;
}

async function eventually(check: () => Promise<void>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

describe.concurrent.each(['sqlite', 'postgres'] as Backend[])('cairn serve with keys made by the CLI [%s]', (backend) => {
  const urls = new StoreUrls();
  afterAll(() => urls.cleanup());

  it('accepts a key created by `cairn keys create` while running, and refuses it once revoked', async () => {
    const db = urls.url(backend);
    const served = await serve(['--db', db]);
    try {
      expect(served.stderr()).toContain('no active API keys');
      expect((await fetch(`${served.url}/health`)).status).toBe(200);
      expect((await fetch(`${served.url}/streams`)).status).toBe(401);

      const created = JSON.parse((await cairn(['keys', 'create', '--name', 'ci', '--role', 'write', '--db', db, '--json'])).stdout) as { key: string; keyId: string };
      const auth = { authorization: `Bearer ${created.key}`, 'content-type': 'application/json' };
      await eventually(async () => expect((await fetch(`${served.url}/streams`, { headers: auth })).status).toBe(200));

      const append = await fetch(`${served.url}/streams/order-1`, { method: 'POST', headers: { ...auth, 'if-none-match': '*' }, body: JSON.stringify({ events: [{ type: 'Placed', data: { total: 12 } }] }) });
      expect(append.status).toBe(200);
      // The server's write is visible to the CLI, and the other way round.
      const read = await cairn(['read', 'order-1', '--db', db, '--json']);
      expect(read.stdout).toContain('"type":"Placed"');
      expect((await cairn(['append', 'order-1', '--type', 'Shipped', '--data', '{}', '--expected-version', '1', '--db', db])).code).toBe(0);
      const page = (await (await fetch(`${served.url}/streams/order-1`, { headers: auth })).json()) as { version: number };
      expect(page.version).toBe(2);

      const revoked = await cairn(['keys', 'revoke', created.keyId, '--db', db]);
      expect(revoked.code).toBe(0);
      await eventually(async () => expect((await fetch(`${served.url}/streams`, { headers: auth })).status).toBe(401));
    } finally {
      expect(await stop(served)).toBe(0);
    }
    expect(served.stderr()).toContain('shutting down');
  });
});

describe.concurrent('cairn serve --insecure-dev', () => {
  const urls = new StoreUrls();
  afterAll(() => urls.cleanup());

  it('opens every route without a key and says so loudly', async () => {
    const db = urls.url('sqlite');
    const served = await serve(['--db', db, '--insecure-dev', '--json']);
    try {
      expect(served.stderr()).toMatch(/!{20,}\n!! INSECURE DEV MODE: authentication is OFF/);
      const res = await fetch(`${served.url}/streams/demo-1`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ events: [{ type: 'A', data: 1 }] }) });
      expect(res.status).toBe(200);
      expect((await fetch(`${served.url}/metrics`)).status).toBe(200);
    } finally {
      expect(await stop(served)).toBe(0);
    }
  });

  it('refuses a port that is taken with a one-line error', async () => {
    const db = urls.url('sqlite');
    const first = await serve(['--db', db]);
    try {
      const port = new URL(first.url).port;
      const second = await cairn(['serve', '--db', urls.url('sqlite'), '--port', port]);
      expect(second.code).toBe(1);
      expect(second.stderr).toMatch(/^error EADDRINUSE: .*\n$/);
    } finally {
      await stop(first);
    }
  });
});
