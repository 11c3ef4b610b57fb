import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EventStore } from '@cairn/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { deepJsonText, hostileString } from '../../../test/hostile/arbitraries.js';
import { stateChanges, storeState } from '../../../test/hostile/checks.js';
import { fuzz, fuzzRuns } from '../../../test/hostile/fuzz-run.js';
// The built CLI, run in-process (hundreds of cases in seconds); a smaller batch runs as real processes below.
import { type CliIo, run } from '../dist/index.js';
import { assertBuilt, CLI_MAIN } from './test-support/cli.js';
import { type ArgvCase, hostileArgv } from './test-support/hostile-argv.js';
import { type Backend, StoreUrls } from './test-support/stores.js';

/**
 * Hostile command lines and hostile NDJSON for `cairn`, on real SQLite and PostgreSQL stores.
 * Properties: the exit code is a documented one (0–5; 130 only after our own Ctrl-C), a
 * failure prints exactly one `error CODE: …` line and no stack unless --verbose, nothing
 * hangs (long-running commands stop on Ctrl-C), and a command that fails writes nothing.
 * An import stops at its first bad line: what it stored is exactly a prefix of the good
 * lines before it, never the bad line or anything after.
 */

const RUNS = fuzzRuns(250);
const IMPORT_RUNS = fuzzRuns(80);
const SPAWNED_RUNS = fuzzRuns(12);
const EXIT_CODES = new Set([0, 1, 2, 3, 4, 5]);

beforeAll(() => assertBuilt());

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
  interrupted: boolean;
  ms: number;
}

/** Run the built CLI in this process with captured output; Ctrl-C after `interruptAfterMs`. */
async function runInProcess(argv: string[], env: Record<string, string>, interruptAfterMs: number): Promise<Outcome> {
  let stdout = '';
  let stderr = '';
  const controller = new AbortController();
  const io: CliIo = {
    stdout: { write: (chunk: string) => ((stdout += chunk), true) },
    stderr: { write: (chunk: string) => ((stderr += chunk), true) },
    env,
    interrupted: controller.signal,
    claimInterrupts: () => {},
  };
  const started = performance.now();
  let interrupted = false;
  const timer = setTimeout(() => {
    interrupted = true;
    controller.abort();
  }, interruptAfterMs);
  // After Ctrl-C a command has this long to stop; longer is a hang.
  const hang = new Promise<'hang'>((resolve) => setTimeout(() => resolve('hang'), interruptAfterMs + 8_000).unref());
  const code = await Promise.race([run(argv, io), hang]);
  clearTimeout(timer);
  return { code: code === 'hang' ? null : code, stdout, stderr, interrupted, ms: performance.now() - started };
}

/** The same through a real process (what a shell sees), Ctrl-C (SIGINT) after `interruptAfterMs`. */
function runSpawned(argv: string[], env: Record<string, string>, interruptAfterMs: number): Promise<Outcome> {
  const started = performance.now();
  const child = spawn(process.execPath, [CLI_MAIN, ...argv], { env: { ...process.env, ...env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let interrupted = false;
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const interrupt = setTimeout(() => {
    interrupted = true;
    child.kill('SIGINT');
  }, interruptAfterMs);
  const kill = setTimeout(() => child.kill('SIGKILL'), interruptAfterMs + 8_000);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(interrupt);
      clearTimeout(kill);
      resolve({ code: signal === 'SIGKILL' ? null : code, stdout, stderr, interrupted, ms: performance.now() - started });
    });
  });
}

/** What must hold for any run; returns the violations. */
function judge(c: ArgvCase, o: Outcome): string[] {
  const problems: string[] = [];
  if (o.code === null) return [`did not stop within 8 s of Ctrl-C (${Math.round(o.ms)} ms)`];
  const allowed = EXIT_CODES.has(o.code) || (o.code === 130 && o.interrupted);
  if (!allowed) problems.push(`exit code ${o.code}`);
  if (!c.longRunning && o.interrupted) problems.push(`a one-shot command still ran after ${Math.round(o.ms)} ms`);
  const verbose = c.argv.includes('--verbose');
  const lines = o.stderr.split('\n').filter((l) => l.trim().length > 0);
  const errorLines = lines.filter((l) => /^error [A-Z0-9_]+: /.test(l) || l.startsWith('{"error":'));
  if (o.code !== 0 && o.code !== 130) {
    if (errorLines.length !== 1) problems.push(`exit ${o.code} with ${errorLines.length} error lines: ${JSON.stringify(o.stderr.slice(0, 400))}`);
    else if (!verbose && lines.at(-1) !== errorLines[0]) problems.push(`the error is not the last line: ${JSON.stringify(o.stderr.slice(0, 400))}`);
    const first = errorLines[0];
    if (first?.startsWith('{')) {
      try {
        const parsed = JSON.parse(first) as { error?: { code?: unknown; message?: unknown } };
        if (typeof parsed.error?.code !== 'string' || typeof parsed.error.message !== 'string') problems.push(`--json error without code and message: ${first}`);
      } catch {
        problems.push(`--json error line is not JSON: ${first}`);
      }
    }
  }
  if (o.code === 0 && errorLines.length > 0) problems.push(`exit 0 with an error line: ${errorLines[0]}`);
  if (!verbose && /\n\s+at [^\n]+:\d+:\d+\)?/.test(o.stderr)) problems.push(`a stack trace without --verbose: ${JSON.stringify(o.stderr.slice(0, 400))}`);
  return problems;
}

describe.each(['sqlite', 'postgres'] as Backend[])('hostile command lines [%s]', (backend) => {
  const urls = new StoreUrls();
  let db: string;
  let store: EventStore;

  beforeAll(async () => {
    db = urls.url(backend);
    store = await urls.open(db);
    await store.append('acct-1', [{ type: 'Deposited', data: { cents: 1 } }]);
    await store.append('acct-2', [{ type: 'Deposited', data: { cents: 2 } }]);
    mkdirSync(join(urls.dir, 'out'), { recursive: true });
    mkdirSync(join(urls.dir, 'dbs'), { recursive: true });
  });
  afterAll(() => urls.cleanup());

  const check = async (c: ArgvCase, runner: typeof runInProcess): Promise<{ code: number | null; problems: string[] }> => {
    const before = await storeState(store);
    const outcome = await runner(c.argv, { CAIRN_DB: db, CAIRN_PROGRESS_MS: '60000' }, c.longRunning ? 800 : 20_000);
    const problems = judge(c, outcome);
    if (outcome.code !== 0) {
      const changes = stateChanges(before, await storeState(store));
      if (changes.length > 0) problems.push(`exit ${outcome.code} but the store changed: ${changes.join(', ')}`);
    }
    if (problems.length > 0) throw new Error(`cairn ${c.argv.map((a) => JSON.stringify(a.slice(0, 120))).join(' ')}\n→ exit ${outcome.code}\n${problems.join('\n')}`);
    return { code: outcome.code, problems };
  };

  it(`random argv (built CLI, in-process): documented exit codes, one error line, no stack, no write on failure (${RUNS} cases)`, async () => {
    const tally = await fuzz(`cli argv [${backend}]`, hostileArgv(urls.dir, inject('databaseUrl')), RUNS, async (c, tally) => {
      const { code } = await check(c, runInProcess);
      tally.count(`exit${code}`);
    });
    expect(tally.cases).toBe(RUNS);
  }, 30_000 + RUNS * 150);

  it(`random argv through real processes: the same from a shell's point of view (${SPAWNED_RUNS} cases)`, async () => {
    // An argv cannot carry NUL to a real process (the OS ends the string there).
    const argv = hostileArgv(urls.dir, inject('databaseUrl')).filter((c) => !c.argv.some((a) => a.includes('\u0000')));
    await fuzz(`cli argv, spawned [${backend}]`, argv, SPAWNED_RUNS, async (c, tally) => {
      const { code } = await check(c, runSpawned);
      tally.count(`exit${code}`);
    });
  }, 30_000 + SPAWNED_RUNS * 3_000);

  it(`import of NDJSON with a bad line: exit 2 or 3, one error line, exactly a prefix of the good lines stored (${IMPORT_RUNS} cases)`, async () => {
    let n = 0;
    await fuzz(`cli import [${backend}]`, importCase, IMPORT_RUNS, async (c, tally) => {
      const prefix = `imp${++n}x${Math.random().toString(36).slice(2, 6)}`;
      const lines = c.lines(prefix);
      const file = join(urls.dir, `${prefix}.ndjson`);
      writeFileSync(file, `${lines.good.map((l) => JSON.stringify(l)).join('\n')}${lines.good.length > 0 ? '\n' : ''}${lines.bad}\n${lines.after.map((l) => JSON.stringify(l)).join('\n')}\n`);
      const before = await storeState(store);
      const outcome = await runInProcess(['import', file, '--batch-size', String(c.batchSize), ...(c.json ? ['--json'] : [])], { CAIRN_DB: db, CAIRN_PROGRESS_MS: '60000' }, 20_000);
      tally.count(`exit${outcome.code}`);
      const problems = judge({ argv: ['import'], longRunning: false }, outcome);
      if (outcome.code !== 2 && outcome.code !== 3) problems.push(`exit ${outcome.code}, expected 2 or 3`);
      // What landed: events of this case's streams only, in order, a prefix of the good lines.
      const stored = (await store.readAll({ after: before.head }).toArray()).filter((e) => e.streamId.startsWith(prefix));
      const expected = lines.good.slice(0, stored.length).map((l) => l.eventId);
      if (JSON.stringify(stored.map((e) => e.eventId)) !== JSON.stringify(expected)) problems.push(`stored ${stored.length} events that are not a prefix of the good lines`);
      // Lines are appended one by one with --batch-size 1: then every good line before the bad one is in.
      if (c.batchSize === 1 && stored.length !== lines.good.length) problems.push(`--batch-size 1 stored ${stored.length} of the ${lines.good.length} good lines before the bad one`);
      const others = stateChanges(before, await storeState(store)).filter((change) => !change.startsWith(`"${prefix}`) && !change.startsWith('head'));
      if (others.length > 0) problems.push(`other streams changed: ${others.join(', ')}`);
      if (problems.length > 0) throw new Error(`bad line ${JSON.stringify(lines.bad.slice(0, 300))} after ${lines.good.length} good ones (batch ${c.batchSize})\n→ exit ${outcome.code}: ${outcome.stderr.slice(0, 300)}\n${problems.join('\n')}`);
    });
  }, 30_000 + IMPORT_RUNS * 150);
});

interface ImportLines {
  good: Array<Record<string, unknown>>;
  bad: string;
  after: Array<Record<string, unknown>>;
}

/** A bad line, made from a good one: broken JSON, a wrong or missing field, an event the store refuses. */
const BAD_LINES: Array<(good: Record<string, unknown>, prefix: string) => string> = [
  (g) => JSON.stringify(g).slice(0, -3),
  () => '{',
  () => 'NaN',
  () => '\u0000\u0001garbage',
  (g) => `\ufeff${JSON.stringify(g)}`,
  () => '[]',
  () => 'null',
  () => '"just a string"',
  () => deepJsonText(100_000),
  (g) => JSON.stringify({ ...g, streamId: '' }),
  (g) => JSON.stringify({ ...g, streamId: 42 }),
  (g, p) => JSON.stringify({ ...g, streamId: `${p}-a\u0000b` }),
  (g, p) => JSON.stringify({ ...g, streamId: `${p}-${'x'.repeat(300)}` }),
  (g) => JSON.stringify({ ...g, streamId: '$keys', version: 1 }),
  (g) => JSON.stringify({ ...g, version: 0 }),
  (g) => JSON.stringify({ ...g, version: -1 }),
  (g) => JSON.stringify({ ...g, version: 1.5 }),
  (g) => JSON.stringify({ ...g, version: '2' }),
  (g) => JSON.stringify({ ...g, version: (g.version as number) + 5 }),
  (g) => JSON.stringify({ ...g, eventId: "'; drop table events; --" }),
  (g) => JSON.stringify({ ...g, type: '' }),
  (g) => JSON.stringify({ ...g, type: 'T'.repeat(201) }),
  (g) => JSON.stringify({ ...g, type: 'a\u0007b' }),
  (g) => {
    const { data: _data, ...rest } = g;
    return JSON.stringify(rest);
  },
  (g) => JSON.stringify({ ...g, data: JSON.parse(deepJsonText(200)) as unknown }),
  (g) => JSON.stringify({ ...g, metadata: [1] }),
  (g) => JSON.stringify({ ...g, metadata: { actor: 7 } }),
  (g) => JSON.stringify({ ...g, tags: 'user:1' }),
  (g) => JSON.stringify({ ...g, tags: ['t'.repeat(201)] }),
  (g) => JSON.stringify({ ...g, schemaVersion: 0 }),
  (g) => JSON.stringify({ ...g, recordedAt: 'yesterday' }),
  (g) => JSON.stringify({ ...g, recordedAt: '2999-01-01T00:00:00Z' }),
  (g) => JSON.stringify({ ...g, data: 'x'.repeat(5 * 1024 * 1024) }),
];

const importCase = fc
  .record({
    streams: fc.integer({ min: 1, max: 3 }),
    good: fc.integer({ min: 0, max: 12 }),
    bad: fc.integer({ min: 0, max: BAD_LINES.length - 1 }),
    after: fc.integer({ min: 0, max: 3 }),
    batchSize: fc.constantFrom(1, 1, 2, 5, 500),
    json: fc.boolean(),
    note: hostileString,
  })
  .map((r) => ({
    batchSize: r.batchSize,
    json: r.json,
    lines(prefix: string): ImportLines {
      const versions = new Map<string, number>();
      const line = (i: number): Record<string, unknown> => {
        const streamId = `${prefix}-${i % r.streams}`;
        const version = (versions.get(streamId) ?? 0) + 1;
        versions.set(streamId, version);
        // The note is hostile but storable (stores refuse NUL and lone surrogates): good lines are good.
        const note = r.note.slice(0, 50).replace(/\u0000/g, '').toWellFormed();
        return { position: String(i + 1), streamId, version, eventId: crypto.randomUUID(), type: 'Imported', schemaVersion: 1, data: { i, note }, metadata: {}, tags: [], recordedAt: new Date(Date.now() - 60_000 + i).toISOString() };
      };
      const good = Array.from({ length: r.good }, (_, i) => line(i));
      const template = good.at(-1) ?? line(0);
      const bad = (BAD_LINES[r.bad] as (typeof BAD_LINES)[number])(r.good === 0 ? template : line(r.good), prefix);
      const after = Array.from({ length: r.after }, (_, i) => line(r.good + 1 + i));
      return { good, bad, after };
    },
    [fc.toStringMethod]: () => `{ good: ${r.good}, streams: ${r.streams}, bad: #${r.bad}, batch: ${r.batchSize} }`,
  }));
