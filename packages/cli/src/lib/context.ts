import type { Command } from 'commander';
import type { CliIo } from './io.js';
import { Output } from './output.js';
import { storeUrl } from './store.js';

/** What every command gets: where to write, and a place to put a non-zero exit code. */
export interface CliContext {
  io: CliIo;
  /** Set by a command that finishes normally but must report failure (verify). */
  exitCode: number;
}

export interface CommonOptions {
  db?: string;
  json?: boolean;
  verbose?: boolean;
}

/** `--db`, `--json` and `--verbose`, on every command (so they work after the command name). */
export function withCommonOptions(command: Command): Command {
  return command
    .option('--db <url>', 'store URL: sqlite:<path>, postgres://…, memory: (default: $CAIRN_DB, else sqlite:./data/cairn.db)')
    .option('--json', 'machine-readable output: one JSON document, or NDJSON for lists and events')
    .option('--verbose', 'print stack traces with errors');
}

export function commandSetup(ctx: CliContext, options: CommonOptions): { url: string; out: Output } {
  return { url: storeUrl(options, ctx.io.env), out: new Output(ctx.io, options.json === true) };
}
