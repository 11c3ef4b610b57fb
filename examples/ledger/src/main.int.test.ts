import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

/** `npm start` as a new user runs it: the built entry point, in a fresh folder, as a process. */
async function start(cwd: string, args: string[]): Promise<{ child: ChildProcess; output: () => string; url: string; key: string }> {
  const { CAIRN_DB: _, ...env } = process.env; // the default store: ./data/cairn.db in cwd
  const child = spawn(process.execPath, [MAIN, '--port', '0', ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const deadline = Date.now() + 90_000;
  while (!/Ready in/.test(output)) {
    if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) throw new Error(`npm start did not get ready:\n${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const url = /Console\s+(http:\/\/\S+)\//.exec(output)?.[1] as string;
  const key = /\n\s+(cairn_[A-Za-z0-9_-]+)\n/.exec(output)?.[1] as string;
  return { child, output: () => output, url, key };
}

async function stop(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  return exited;
}

describe('npm start (examples/ledger/dist/main.js)', () => {
  const dirs: string[] = [];
  const fresh = () => {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-start-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('seeds ./data/cairn.db on the first start with a progress report, prints the URL and a key, and reuses both the next time', async () => {
    const cwd = fresh();
    const first = await start(cwd, ['--accounts', '20']);
    try {
      expect(first.output()).toMatch(/Seeding demo data: 100%/);
      expect(first.output()).toMatch(/Seeded [\d,]+ events in \d+ streams/);
      expect(readFileSync(join(cwd, 'data', 'demo-key.txt'), 'utf8').trim()).toBe(first.key);
      const page = await fetch(`${first.url}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<div id="app">');
      const accounts = (await (await fetch(`${first.url}/ledger/accounts?limit=100`, { headers: { authorization: `Bearer ${first.key}` } })).json()) as { accounts: unknown[] };
      expect(accounts.accounts.length).toBeGreaterThan(0);
    } finally {
      expect(await stop(first.child)).toBe(0);
    }

    const second = await start(cwd, ['--accounts', '20']);
    try {
      expect(second.output()).not.toMatch(/Seeding/);
      expect(second.output()).toMatch(/Using the data already in the store/);
      expect(second.key).toBe(first.key);
      expect((await fetch(`${second.url}/ledger/accounts/1001`, { headers: { authorization: `Bearer ${second.key}` } })).status).toBe(200);
    } finally {
      expect(await stop(second.child)).toBe(0);
    }
  }, 120_000);

  it('runs on PostgreSQL with --db', async () => {
    const schema = `ledger_start_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    const url = new URL(inject('databaseUrl'));
    url.searchParams.set('schema', schema);
    const app = await start(fresh(), ['--db', url.toString(), '--accounts', '20']);
    try {
      expect(app.output()).toMatch(/Seeded [\d,]+ events/);
      const res = await fetch(`${app.url}/ledger/accounts/1002/balance-on?date=${new Date(Date.now() - 5 * 86_400_000).toISOString().slice(0, 10)}`, {
        headers: { authorization: `Bearer ${app.key}` },
      });
      expect(res.status).toBe(200);
    } finally {
      expect(await stop(app.child)).toBe(0);
      const client = new pg.Client({ connectionString: inject('databaseUrl') });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    }
  }, 120_000);
});
