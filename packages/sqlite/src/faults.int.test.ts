import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqliteStore } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'cairn-faults-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const fixture = fileURLToPath(new URL('../test/batch-writer.fixture.mjs', import.meta.url));

const tick = (n: number) => Array.from({ length: n }, (_, i) => ({ type: 'Tick', data: { i, pad: 'y'.repeat(2000) } }));

describe('sqlite faults', () => {
  it('SIGKILL in the middle of 1,000-event batches: every batch is stored whole or not at all', async () => {
    if (!existsSync(fileURLToPath(new URL('../dist/index.js', import.meta.url)))) throw new Error('run `npm run build` first (npm test does)');
    const path = join(dir, 'batches.db');
    const acked = new Map<string, number>();
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, [fixture, path], { stdio: ['ignore', 'pipe', 'pipe'] });
      let buffer = '';
      let acks = 0;
      child.stdout.on('data', (d: Buffer) => {
        buffer += d.toString();
        const lines = buffer.split('\n');
        buffer = lines.pop() ?? '';
        for (const line of lines) {
          const [tag, stream, version] = line.split(' ');
          if (tag !== 'ack') continue;
          acked.set(stream as string, Number(version));
          // Kill a little after an ack, while the next 1,000-event batch is being written.
          if (++acks === 7) setTimeout(() => child.kill('SIGKILL'), 3);
        }
      });
      child.on('exit', (_code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error('writer exited on its own'))));
    });
    const store = createSqliteStore({ path });
    try {
      let found = 0;
      for (const info of await store.listStreams({ prefix: 'batch-' })) {
        expect(info.version % 1000, `${info.streamId} holds a partial batch`).toBe(0);
        expect(info.version).toBeGreaterThanOrEqual(acked.get(info.streamId) ?? 0);
        expect(await store.readStream(info.streamId).toArray()).toHaveLength(info.version);
        found += info.version;
      }
      expect((await store.verify()).ok).toBe(true);
      const acknowledged = [...acked.values()].reduce((a, b) => a + b, 0);
      console.info(`fault report (%s, SIGKILL mid-batch): 1 writer killed; %d events acknowledged, %d found, 0 partial batches`, 'sqlite', acknowledged, found);
    } finally {
      await store.close();
    }
  }, 60_000);

  it('a full disk: a clear error, nothing half-written, and appends work again once there is room', async () => {
    const store = createSqliteStore({ path: join(dir, 'full.db') });
    try {
      await store.append('disk-1', tick(5));
      const [{ page_count: pages }] = (await store.sql!.query<{ page_count: number }>('PRAGMA page_count')) as [{ page_count: number }];
      // Cap the file a few pages above its size: SQLite then reports SQLITE_FULL, as on a full disk.
      await store.sql!.query(`PRAGMA max_page_count = ${pages + 8}`);
      let error: unknown;
      for (let i = 0; i < 50 && error === undefined; i++) {
        await store.append('disk-1', tick(20)).catch((e: unknown) => (error = e));
      }
      expect(error).toMatchObject({ code: 'STORE_UNAVAILABLE' });
      expect((error as Error).message).toMatch(/full/i);
      const version = (await store.streamInfo('disk-1'))?.version ?? 0;
      expect(version % 20).toBe(5); // 5 plus whole batches of 20 only
      expect(await store.readStream('disk-1').toArray()).toHaveLength(version);
      expect((await store.verify()).ok).toBe(true);
      await store.sql!.query('PRAGMA max_page_count = 1073741823');
      const r = await store.append('disk-1', tick(20), { expectedVersion: version });
      expect(r.version).toBe(version + 20);
    } finally {
      await store.close();
    }
  });

  it('a read-only database: a clear error that says so, and the data stays readable', async () => {
    const path = join(dir, 'readonly.db');
    const store = createSqliteStore({ path });
    try {
      await store.append('ro-1', tick(3));
      // As root, file permissions would not stop us: make the writer connection read-only instead.
      await store.sql!.query('PRAGMA query_only = ON');
      const error = await store.append('ro-1', tick(1)).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'STORE_UNAVAILABLE' });
      expect((error as Error).message).toMatch(/read-?only/i);
      expect(await store.readStream('ro-1').toArray()).toHaveLength(3);
      expect((await store.verify()).ok).toBe(true);
    } finally {
      await store.close();
    }
  });
});
