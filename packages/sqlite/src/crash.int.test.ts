import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from './driver.js';
import { createSqliteStore } from './index.js';

const fixture = fileURLToPath(new URL('../test/writer.fixture.mjs', import.meta.url));
const built = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'cairn-crash-'));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Ack {
  streamId: string;
  version: number;
  position: bigint;
  ids: string[];
}

/** Start the writer, let it acknowledge `count` appends, then SIGKILL it mid-flight. */
function runAndKill(path: string, synchronous: string, count: number): Promise<Ack[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fixture, path, synchronous], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acks: Ack[] = [];
    let buffer = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        const [tag, streamId, version, position, ids] = line.split(' ');
        if (tag !== 'ack') continue;
        acks.push({ streamId: streamId!, version: Number(version), position: BigInt(position!), ids: ids!.split(',') });
        if (acks.length === count) child.kill('SIGKILL');
      }
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(acks);
      else reject(new Error(`writer exited with ${code}: ${stderr}`));
    });
  });
}

describe('sqlite crash safety', () => {
  for (const synchronous of ['full', 'normal']) {
    it(`a writer killed with SIGKILL mid-append loses no acknowledged event (synchronous=${synchronous})`, async () => {
      if (!existsSync(built)) throw new Error('packages/sqlite/dist is missing: run `npm run build` (npm test does) before this test');
      const path = join(dir, `crash-${synchronous}.db`);
      const first = await runAndKill(path, synchronous, 400);
      const second = await runAndKill(path, synchronous, 300); // a restart on the same file after a crash
      const acked = [...first, ...second];

      const db = openDatabase(path, 1000);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      db.close();

      const store = createSqliteStore({ path });
      try {
        const byId = new Map<string, { streamId: string; version: number; position: bigint }>();
        for await (const e of store.readAll()) byId.set(e.eventId, e);
        for (const ack of acked) {
          ack.ids.forEach((id, i) => {
            const stored = byId.get(id);
            expect(stored, `acknowledged event ${id} of ${ack.streamId} is missing`).toBeDefined();
            expect(stored?.streamId).toBe(ack.streamId);
            expect(stored?.version).toBe(ack.version - (ack.ids.length - 1 - i));
          });
        }
        // Whatever landed is whole: every stream's versions run 1..n without a hole.
        for (const info of await store.listStreams({ prefix: 'crash-', limit: 1000 })) {
          const versions = (await store.readStream(info.streamId).toArray()).map((e) => e.version);
          expect(versions).toEqual(Array.from({ length: info.version }, (_, i) => i + 1));
        }
        console.info(
          'fault report (sqlite, SIGKILL mid-append, synchronous=%s): 2 writers killed; %d events acknowledged, %d of them found, %d stored',
          synchronous,
          acked.reduce((n, a) => n + a.ids.length, 0),
          acked.reduce((n, a) => n + a.ids.filter((id) => byId.has(id)).length, 0),
          byId.size,
        );
      } finally {
        await store.close();
      }
    }, 60_000);
  }
});
