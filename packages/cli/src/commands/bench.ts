import type { BenchOptions } from '@cairn/bench';
import { type Command, InvalidArgumentError } from 'commander';
import { CliError, usageError } from '../lib/cli-error.js';
import type { CliContext } from '../lib/context.js';
import { ExitCode } from '../lib/exit-codes.js';
import { writeOut } from '../lib/io.js';

interface BenchCommandOptions {
  scale?: number;
  store?: string;
  only?: string;
  db?: string;
  sqliteSynchronous?: string;
  results?: string;
  json?: boolean;
  verbose?: boolean;
}

function scale(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || n > 10) throw new InvalidArgumentError('Expected a number above 0 and at most 10 (1 = BENCH.md sizes, 0.02 = smoke run).');
  return n;
}

/** The bench package ships with the Cairn repository (a workspace package); say so when it is missing. */
async function loadBench(): Promise<typeof import('@cairn/bench')> {
  try {
    return await import('@cairn/bench');
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new CliError('BENCH_NOT_INSTALLED', 'cairn bench needs @cairn/bench, the benchmark package of the Cairn repository: run it from a checkout (npm install && npx tsc -b).', ExitCode.ERROR);
    }
    throw error;
  }
}

/**
 * `cairn bench`: the benchmark of `npm run bench` (BENCH.md's workloads against raw ceilings),
 * with the same flags. The bench package (both store drivers, the workloads) is imported only
 * when the command runs, so it costs nothing to the CLI's other commands.
 */
export function registerBench(program: Command, ctx: CliContext): void {
  program
    .command('bench')
    .description("measure the stores: BENCH.md's workloads against raw ceilings, as `npm run bench` (prints the Markdown table, or JSON)")
    .option('--scale <f>', "fraction of BENCH.md's sizes (1 = full run, about 6½ minutes on 2 cores; 0.02 = smoke run)", scale, 1)
    .option('--store <kind>', 'sqlite, postgres or all', 'all')
    .option('--only <ids>', 'comma-separated workload ids, e.g. W1,W4 (W1–W8, HTTP, DCB, P1, P2)')
    .option('--db <url>', 'the PostgreSQL to measure in (fresh schemas, dropped afterwards); default $DATABASE_URL, else postgres://root@127.0.0.1:5432/test')
    .option('--sqlite-synchronous <mode>', 'full or normal, for the SQLite store and its raw ceiling alike', 'full')
    .option('--results <dir>', 'also write <date>-<store>.json there (npm run bench writes them to bench/results)')
    .option('--json', 'print the JSON report instead of the Markdown table')
    .option('--verbose', 'print stack traces with errors')
    .action(async (options: BenchCommandOptions) => {
      if (options.db !== undefined && !/^postgres(ql)?:\/\//i.test(options.db)) {
        throw usageError('INVALID_ARGUMENT', `--db takes the PostgreSQL URL to measure in (postgres://…); the SQLite side always uses fresh files in a temporary directory. Got ${options.db}`);
      }
      const bench = await loadBench();
      const benchOptions: BenchOptions = {
        scale: options.scale ?? 1,
        store: options.store as BenchOptions['store'],
        sqliteSynchronous: options.sqliteSynchronous as BenchOptions['sqliteSynchronous'],
        log: (line) => void ctx.io.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`),
        ...(options.only !== undefined ? { only: options.only.split(',') } : {}),
        ...(options.db !== undefined ? { databaseUrl: options.db } : ctx.io.env.DATABASE_URL !== undefined ? { databaseUrl: ctx.io.env.DATABASE_URL } : {}),
      };
      let report;
      try {
        report = await bench.runBench(benchOptions);
      } catch (error) {
        if (error instanceof bench.BenchUsageError) throw usageError('INVALID_ARGUMENT', error.message);
        throw error;
      }
      await writeOut(ctx.io.stdout, options.json ? `${bench.toJson(report)}\n` : bench.formatMarkdown(report));
      if (options.results !== undefined) {
        for (const path of bench.writeResults(report, options.results)) ctx.io.stderr.write(`[bench] wrote ${path}\n`);
      }
      // As npm run bench: a missed target is a result; only a workload that errored fails the command.
      if (report.rows.some((r) => r.status === 'error')) ctx.exitCode = ExitCode.ERROR;
    });
}
