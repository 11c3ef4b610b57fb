/**
 * `npm run bench`: run BENCH.md's workloads, print the Markdown table (or JSON with --json)
 * on stdout, progress on stderr, and write bench/results/<date>-<store>.json.
 */
import { fileURLToPath } from 'node:url';
import { BenchUsageError, formatMarkdown, parseCommandLine, runBench, toJson, USAGE, writeResults } from './index.js';

async function main(): Promise<number> {
  let cli;
  try {
    cli = parseCommandLine(process.argv.slice(2));
  } catch (error) {
    if (error instanceof BenchUsageError) {
      process.stderr.write(`${error.message}\n\n${USAGE}\n`);
      return 2;
    }
    throw error;
  }
  if (cli.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const log = (line: string): void => {
    process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
  };
  const report = await runBench({ ...cli.options, log });
  process.stdout.write(cli.json ? `${toJson(report)}\n` : formatMarkdown(report));
  if (cli.resultsDir !== 'none') {
    const dir = cli.resultsDir ?? fileURLToPath(new URL('../results/', import.meta.url));
    for (const path of writeResults(report, dir)) log(`wrote ${path}`);
  }
  return report.rows.some((r) => r.status === 'error') ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
