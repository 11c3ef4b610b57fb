import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cairn } from './test-support/cli.js';

beforeAll(() => assertBuilt());

// Shape only: the numbers are the bench's business (bench/src/bench.int.test.ts runs every workload).
describe.concurrent('cairn bench', () => {
  it('runs one workload on SQLite and prints the JSON report on stdout, progress on stderr', async () => {
    const run = await cairn(['bench', '--scale', '0.01', '--only', 'W1', '--store', 'sqlite', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({
      startedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      durationMs: expect.any(Number),
      scale: 0.01,
      settings: { stores: ['sqlite'], only: ['W1'], sqliteSynchronous: 'full' },
      machine: { cores: expect.any(Number), node: process.version },
      databases: [{ kind: 'sqlite', version: expect.stringMatching(/^SQLite /), durability: expect.stringContaining('synchronous=FULL') }],
    });
    expect(report.rows).toEqual([
      expect.objectContaining({
        workload: 'W1',
        store: 'sqlite',
        unit: 'events/s',
        result: expect.objectContaining({ value: expect.any(Number), p50Ms: expect.any(Number), p99Ms: expect.any(Number) }),
        raw: expect.objectContaining({ value: expect.any(Number) }),
        ratio: expect.any(Number),
        target: '≥ 0.8',
        status: expect.stringMatching(/^(pass|fail)$/),
      }),
    ]);
    expect(run.stderr).toMatch(/\[bench \d\d:\d\d:\d\d\] W1 sqlite done in/);
  });

  it('prints the Markdown table without --json', async () => {
    const run = await cairn(['bench', '--scale', '0.01', '--only', 'W1', '--store', 'sqlite']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^## Cairn bench — scale 0\.01\n/);
    expect(run.stdout).toContain('| workload | store | result | p50 ms | p99 ms | raw ceiling | ratio | target | status |');
    expect(run.stdout).toMatch(/\n\| W1 one writer, 1-event appends \| sqlite \| [\d,]+ events\/s \|/);
  });

  it('refuses unknown workloads and bad values with exit 2 before measuring anything', async () => {
    for (const args of [['--only', 'W9'], ['--scale', '0'], ['--store', 'mysql'], ['--db', 'sqlite:./x.db']]) {
      const run = await cairn(['bench', ...args]);
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
  });
});
