import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { type EventStore, isCairnError } from '@cairn/core';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createPostgresStore } from './index.js';

const url = inject('databaseUrl');
const schemas: string[] = [];
const schema = (name: string) => {
  const s = `faults_${name}_${process.pid}`;
  schemas.push(s);
  return s;
};

afterAll(async () => {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  for (const s of schemas) await c.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  await c.end();
});

/** A loopback TCP proxy in front of PostgreSQL whose connections the test can cut at will. */
async function proxy(): Promise<{ port: number; cut(): number; close(): Promise<void> }> {
  const target = new URL(url);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    cut() {
      const n = sockets.size;
      for (const s of sockets) s.destroy();
      return n;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('postgres faults', () => {
  it('connections cut mid-append: clear errors, retries with the same ids land exactly once', async () => {
    const p = await proxy();
    const direct = new URL(url);
    const through = new URL(url);
    through.port = String(p.port);
    const name = schema('cut');
    const store: EventStore = createPostgresStore({ connectionString: through.toString(), schema: name, poolSize: 4 });
    const errors: string[] = [];
    let acked = 0;
    let cuts = 0;
    try {
      await store.migrate();
      // Cut every connection every 100 ms for 2.5 s, then let the writers finish.
      const cutter = setInterval(() => (cuts += p.cut()), 100);
      setTimeout(() => clearInterval(cutter), 2500);
      const until = Date.now() + 3000;
      const writers = Array.from({ length: 4 }, async (_, w) => {
        // Keep writing through the whole cutting period (and a little after).
        for (let i = 0; Date.now() < until; i++) {
          const batch = Array.from({ length: 1 + (i % 4) }, (_, k) => ({ id: crypto.randomUUID(), type: 'Moved', data: { w, i, k } }));
          // The client cannot know whether a cut append committed: it retries with the same ids until it has an answer.
          for (let attempt = 0; ; attempt++) {
            try {
              await store.append(`cut-${w}`, batch);
              acked += batch.length;
              break;
            } catch (error) {
              if (!isCairnError(error, 'STORE_UNAVAILABLE') || attempt > 1000) throw error;
              errors.push((error as Error).message);
              await new Promise((r) => setTimeout(r, 5));
            }
          }
        }
      });
      await Promise.all(writers);
      clearInterval(cutter);
    } finally {
      await store.close();
      await p.close();
    }
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toMatch(/PostgreSQL could not append|connection|terminated/i);
    expect(errors.some((m) => m.includes('retry it with the same event ids') || m.includes('retry with the same event ids'))).toBe(true);
    // Read back without the proxy: every acknowledged event exactly once, nothing else.
    const check = createPostgresStore({ connectionString: direct.toString(), schema: name });
    try {
      const all = await check.readAll().toArray();
      expect(all).toHaveLength(acked);
      expect(new Set(all.map((e) => e.eventId)).size).toBe(acked);
      for (let w = 0; w < 4; w++) {
        const versions = (await check.readStream(`cut-${w}`).toArray()).map((e) => e.version);
        expect(versions).toEqual(versions.map((_, i) => i + 1));
      }
      expect((await check.verify()).ok).toBe(true);
      console.info(
        'fault report (postgres, connections cut): %d connections cut, %d failed attempts retried with the same ids; %d events acknowledged, %d found, %d duplicates',
        cuts,
        errors.length,
        acked,
        all.length,
        all.length - new Set(all.map((e) => e.eventId)).size,
      );
    } finally {
      await check.close();
    }
  }, 60_000);

  it('SIGKILL in the middle of 1,000-event batches: every batch is stored whole or not at all', async () => {
    const fixture = fileURLToPath(new URL('../test/batch-writer.fixture.mjs', import.meta.url));
    if (!existsSync(fileURLToPath(new URL('../dist/index.js', import.meta.url)))) throw new Error('run `npm run build` first (npm test does)');
    const name = schema('kill');
    const acked = new Map<string, number>();
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, [fixture, url, name], { stdio: ['ignore', 'pipe', 'pipe'] });
      let buffer = '';
      let acks = 0;
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.stdout.on('data', (d: Buffer) => {
        buffer += d.toString();
        const lines = buffer.split('\n');
        buffer = lines.pop() ?? '';
        for (const line of lines) {
          const [tag, stream, version] = line.split(' ');
          if (tag !== 'ack') continue;
          acked.set(stream as string, Number(version));
          if (++acks === 5) setTimeout(() => child.kill('SIGKILL'), 5);
        }
      });
      child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`writer exited with ${code}: ${stderr}`))));
    });
    const store = createPostgresStore({ connectionString: url, schema: name });
    try {
      const streams = await store.listStreams({ prefix: 'batch-' });
      expect(streams.length).toBeGreaterThan(0);
      let found = 0;
      for (const info of streams) {
        expect(info.version % 1000, `${info.streamId} holds a partial batch`).toBe(0);
        expect(info.version).toBeGreaterThanOrEqual(acked.get(info.streamId) ?? 0);
        expect(await store.readStream(info.streamId).toArray()).toHaveLength(info.version);
        found += info.version;
      }
      expect((await store.verify()).ok).toBe(true);
      const acknowledged = [...acked.values()].reduce((a, b) => a + b, 0);
      console.info(`fault report (%s, SIGKILL mid-batch): 1 writer killed; %d events acknowledged, %d found, 0 partial batches`, 'postgres', acknowledged, found);
      // The killed session's allocation lock is gone with it: appends still work.
      expect((await store.append('after-kill', [{ type: 'Ok', data: {} }])).version).toBe(1);
    } finally {
      await store.close();
    }
  }, 60_000);
});
