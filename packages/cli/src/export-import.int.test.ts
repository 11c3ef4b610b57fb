import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventToJson } from '@cairn/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cairn, spawnCairn } from './test-support/cli.js';
import { fillStore } from './test-support/fixtures.js';
import { type Backend, expectSameLog, StoreUrls } from './test-support/stores.js';

beforeAll(() => assertBuilt());

// Independent tests (each has its own stores), run concurrently: most of their time is spent
// in CLI child processes and the database, which overlap well.
describe.concurrent('export and import (NDJSON)', () => {
  const urls = new StoreUrls();
  afterAll(() => urls.cleanup());

  it('moves 100,000 events from SQLite to an empty PostgreSQL store: verify passes and both read identically', async () => {
    const sourceUrl = urls.url('sqlite');
    const source = await urls.open(sourceUrl, { fixture: true });
    const total = await fillStore(source, { streams: 200, perStream: 500, batch: 250 });
    expect(total).toBe(100_000);
    const file = join(urls.dir, 'big.ndjson');

    const exported = await cairn(['export', '--db', sourceUrl, '--out', file, '--json']);
    expect(exported.code, exported.stderr).toBe(0);
    expect(JSON.parse(exported.stdout)).toMatchObject({ events: 100_000, lastPosition: '100000', file });
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(100_000);
    // The export format is the HTTP API's event JSON, byte for byte.
    const [firstStored] = await source.readAll({ limit: 1 }).toArray();
    expect(lines[0]).toBe(JSON.stringify(eventToJson(firstStored!)));

    const targetUrl = urls.url('postgres');
    const imported = await cairn(['import', file, '--db', targetUrl, '--json']);
    expect(imported.code, imported.stderr).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({ events: 100_000, imported: 100_000, alreadyThere: 0 });

    // verify runs in its own process while this one compares the two logs.
    const target = await urls.open(targetUrl);
    const [verify, compared] = await Promise.all([cairn(['verify', '--db', targetUrl, '--json']), expectSameLog(source, target)]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, events: 100_000, streams: 200 });
    expect(compared).toBe(100_000);
    expect((await target.listStreams({ limit: 1000 })).map((s) => [s.streamId, s.version])).toEqual(
      (await source.listStreams({ limit: 1000 })).map((s) => [s.streamId, s.version]),
    );
  }, 120_000);

  it('round-trips PostgreSQL to SQLite, system streams included, and continues an export with --after', async () => {
    const sourceUrl = urls.url('postgres');
    const source = await urls.open(sourceUrl);
    await fillStore(source, { streams: 5, perStream: 40, batch: 15, category: 'order' });
    await source.append('$audit', [{ type: 'Checked', data: { by: 'ops' } }], { system: true });
    await source.append('empty-data', [{ type: 'Nothing', data: null }, { type: 'Text', data: 'just a string' }, { type: 'Number', data: 42.5 }]);
    const first = join(urls.dir, 'part1.ndjson');
    const part1 = await cairn(['export', '--db', sourceUrl, '--out', first, '--include-system', '--json']);
    expect(part1.code, part1.stderr).toBe(0);
    const { lastPosition } = JSON.parse(part1.stdout) as { lastPosition: string };

    await fillStore(source, { streams: 3, perStream: 10, batch: 10, category: 'late' });
    await source.append('order-0', [{ type: 'MoneyDeposited', data: { after: true } }], { expectedVersion: 40 });
    const second = join(urls.dir, 'part2.ndjson');
    const part2 = await cairn(['export', '--db', sourceUrl, '--out', second, '--after', lastPosition, '--include-system']);
    expect(part2.code, part2.stderr).toBe(0);
    expect(part2.stderr).toMatch(/^exported 31 events to .*part2\.ndjson \(positions after \d+ up to \d+\)/);

    const targetUrl = urls.url('sqlite');
    // The files hold a $ stream: import refuses it unless asked (a foreign $keys line would be an API key).
    const elsewhere = urls.url('sqlite');
    const refused = await cairn(['import', first, '--db', elsewhere]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^error INVALID_IMPORT_LINE: line \d+: stream "\$audit" is one of Cairn's system streams .*--include-system.*\n$/);
    expect((await cairn(['streams', '--db', elsewhere, '--include-system', '--json'])).stdout).not.toContain('$audit');
    for (const file of [first, second]) {
      const run = await cairn(['import', file, '--db', targetUrl, '--include-system']);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toMatch(/^imported \d+ events from .* in [\d.]+ s \([\d,]+\/s\)\n$/);
    }
    const target = await urls.open(targetUrl);
    expect(await expectSameLog(source, target, { includeSystem: true })).toBe(5 * 40 + 1 + 3 + 30 + 1);
    expect((await cairn(['verify', '--db', targetUrl])).code).toBe(0);
  });

  it('imports from stdin', async () => {
    const sourceUrl = urls.url('sqlite');
    await fillStore(await urls.open(sourceUrl), { streams: 2, perStream: 5, batch: 5 });
    const exported = await cairn(['export', '--db', sourceUrl]);
    expect(exported.code).toBe(0);
    const run = await cairn(['import', '-', '--db', urls.url('sqlite'), '--json'], { stdin: exported.stdout });
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ events: 10, imported: 10 });
  });

  it('stops at a malformed line with its number (exit 2) and keeps what came before', async () => {
    const sourceUrl = urls.url('sqlite');
    const source = await urls.open(sourceUrl);
    await source.append('ok-1', [{ type: 'A', data: 1 }, { type: 'B', data: 2 }]);
    const good = (await cairn(['export', '--db', sourceUrl])).stdout.trimEnd().split('\n');
    const file = join(urls.dir, 'broken.ndjson');
    writeFileSync(file, `${good[0]}\n${good[1]}\n{"streamId":"ok-2","version":"one"}\n`);
    const targetUrl = urls.url('sqlite');
    const run = await cairn(['import', file, '--db', targetUrl]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error INVALID_IMPORT_LINE: line 3: "version" must be a whole number of 1 or more\n$/);
    const target = await urls.open(targetUrl);
    expect((await target.streamInfo('ok-1'))?.version).toBe(2);
    expect(await target.streamInfo('ok-2')).toBeNull();

    const missing = await cairn(['import', join(urls.dir, 'nope.ndjson'), '--db', targetUrl]);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toMatch(/^error FILE_NOT_FOUND: /);
  });

  it('refuses to merge into a stream that holds other events (exit 3), writing nothing of it', async () => {
    const sourceUrl = urls.url('sqlite');
    await (await urls.open(sourceUrl)).append('clash-1', [{ type: 'Theirs', data: 1 }]);
    const file = join(urls.dir, 'clash.ndjson');
    expect((await cairn(['export', '--db', sourceUrl, '--out', file])).code).toBe(0);
    const targetUrl = urls.url('postgres');
    const target = await urls.open(targetUrl);
    await target.append('clash-1', [{ type: 'Mine', data: 2 }]);
    const run = await cairn(['import', file, '--db', targetUrl]);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/^error CONCURRENCY: Stream "clash-1" already has another event at version 1 in the target \(Mine /);
    expect((await target.readStream('clash-1').toArray()).map((e) => e.type)).toEqual(['Mine']);
  });

  describe.each([
    ['postgres', 2400],
    ['sqlite', 1500],
  ] as Array<[Backend, number]>)('an import killed mid-way and run again [%s]', (backend, total) => {
    it('loses nothing and duplicates nothing, even with other batch sizes', async () => {
      const sourceUrl = urls.url('sqlite');
      const source = await urls.open(sourceUrl, { fixture: true });
      await fillStore(source, { streams: total / 100, perStream: 100, batch: 10 });
      const file = join(urls.dir, `resume-${backend}.ndjson`);
      expect((await cairn(['export', '--db', sourceUrl, '--out', file])).code).toBe(0);

      const targetUrl = urls.url(backend);
      const target = await urls.open(targetUrl);
      const child = spawnCairn(['import', file, '--db', targetUrl, '--batch-size', '4'], { env: { CAIRN_PROGRESS_MS: '1' } });
      let stderr = '';
      child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const exited = once(child, 'exit');
      // Let it commit a good share, then kill it without warning.
      for (;;) {
        const imported = (await target.listStreams({ limit: 1000 })).reduce((n, s) => n + s.version, 0);
        if (imported >= total / 5) break;
        if (child.exitCode !== null) throw new Error(`the import finished before it could be killed: ${stderr}`);
        await new Promise((r) => setTimeout(r, 10));
      }
      child.kill('SIGKILL');
      await exited;
      const partial = (await target.listStreams({ limit: 1000 })).reduce((n, s) => n + s.version, 0);
      expect(partial).toBeGreaterThan(0);
      expect(partial).toBeLessThan(total);
      // Not a TTY: progress came as plain periodic lines.
      expect(stderr).toMatch(/^import: \d+% [\d,]+ events, [\d,]+\/s$/m);

      const resumed = await cairn(['import', file, '--db', targetUrl, '--batch-size', '7', '--json']);
      expect(resumed.code, resumed.stderr).toBe(0);
      const summary = JSON.parse(resumed.stdout) as { events: number; imported: number; alreadyThere: number };
      expect(summary.events).toBe(total);
      expect(summary.alreadyThere).toBe(partial);
      expect(summary.imported).toBe(total - partial);
      expect(await expectSameLog(source, target)).toBe(total);

      const again = JSON.parse((await cairn(['import', file, '--db', targetUrl, '--json'])).stdout) as { imported: number; alreadyThere: number };
      expect(again).toMatchObject({ imported: 0, alreadyThere: total });
      expect((await cairn(['verify', '--db', targetUrl])).code).toBe(0);
    }, 120_000);
  });
});

describe('the log comparison used above', () => {
  it('notices one changed value, a reordered pair and a missing event', async () => {
    const { createMemoryStore } = await import('@cairn/core');
    const make = async (events: Array<[string, unknown]>) => {
      const store = createMemoryStore();
      const versions = new Map<string, number>();
      for (const [stream, data] of events) {
        const version = versions.get(stream) ?? 0;
        // Fixed times and ids: two stores built from one list are equal, event for event.
        await store.append(stream, [{ type: 'T', data, id: idFor(stream, data), recordedAt: new Date('2026-01-01T00:00:00Z') }], { expectedVersion: version });
        versions.set(stream, version + 1);
      }
      return store;
    };
    const base: Array<[string, unknown]> = [['a-1', { x: 1, y: [1, 2] }], ['b-1', { x: 2 }], ['a-1', { x: 3 }]];
    expect(await expectSameLog(await make(base), await make(base))).toBe(3);
    await expect(expectSameLog(await make(base), await make([base[0]!, base[1]!, ['a-1', { x: 4 }]]))).rejects.toThrow();
    await expect(expectSameLog(await make(base), await make([base[1]!, base[0]!, base[2]!]))).rejects.toThrow();
    await expect(expectSameLog(await make(base), await make(base.slice(0, 2)))).rejects.toThrow();
  });
});

/** Stable ids, so two stores built from the same list hold the same event ids. */
function idFor(stream: string, data: unknown): string {
  const hex = createHash('sha256').update(stream + JSON.stringify(data)).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

describe.concurrent('copy-stream', () => {
  const urls = new StoreUrls();
  afterAll(() => urls.cleanup());

  it('copies one stream between stores keeping ids, versions, data and times; a re-run is a no-op', async () => {
    const prodUrl = urls.url('sqlite');
    const prod = await urls.open(prodUrl);
    await fillStore(prod, { streams: 3, perStream: 25, batch: 10 });
    const testUrl = urls.url('postgres');

    const copy = await cairn(['copy-stream', 'account-1', '--from', prodUrl, '--to', testUrl, '--batch-size', '10', '--json']);
    expect(copy.code, copy.stderr).toBe(0);
    expect(JSON.parse(copy.stdout)).toEqual({ streamId: 'account-1', targetStreamId: 'account-1', version: 25, copied: 25, alreadyThere: 0 });
    const test = await urls.open(testUrl);
    const original = await prod.readStream('account-1').toArray();
    const copied = await test.readStream('account-1').toArray();
    expect(copied.map((e) => [e.eventId, e.version, e.type, e.data, e.metadata, e.tags, e.recordedAt.toISOString()])).toEqual(
      original.map((e) => [e.eventId, e.version, e.type, e.data, e.metadata, e.tags, e.recordedAt.toISOString()]),
    );
    expect(await test.streamInfo('account-0')).toBeNull();

    const rerun = await cairn(['copy-stream', 'account-1', '--from', prodUrl, '--to', testUrl]);
    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toMatch(/copied 0 events .*; 25 were already there/);
  });

  it('copies under another id, in the same store, with fresh but stable event ids', async () => {
    const url = urls.url('sqlite');
    const store = await urls.open(url);
    await fillStore(store, { streams: 1, perStream: 12, batch: 12 });
    const run = await cairn(['copy-stream', 'account-0', '--db', url, '--to', url, '--as', 'account-0-debug', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const copy = await store.readStream('account-0-debug').toArray();
    const original = await store.readStream('account-0').toArray();
    expect(copy.map((e) => e.data)).toEqual(original.map((e) => e.data));
    expect(copy.every((e, i) => e.eventId !== original[i]?.eventId)).toBe(true);
    const again = await cairn(['copy-stream', 'account-0', '--db', url, '--to', url, '--as', 'account-0-debug', '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ copied: 0, alreadyThere: 12 });
  });

  it('exits 4 for an unknown stream, 3 when the target stream differs, 2 for a copy onto itself', async () => {
    const a = urls.url('sqlite');
    const b = urls.url('sqlite');
    const source = await urls.open(a);
    await source.append('x-1', [{ type: 'A', data: 1 }]);
    await (await urls.open(b)).append('x-1', [{ type: 'B', data: 2 }]);
    expect((await cairn(['copy-stream', 'nope-1', '--from', a, '--to', b])).code).toBe(4);
    const clash = await cairn(['copy-stream', 'x-1', '--from', a, '--to', b]);
    expect(clash.code).toBe(3);
    expect(clash.stderr).toMatch(/^error CONCURRENCY: /);
    expect((await cairn(['copy-stream', 'x-1', '--from', a, '--to', a])).code).toBe(2);
  });
});
