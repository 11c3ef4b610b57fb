import { Command } from 'commander';
import { registerAppend } from './commands/append.js';
import { registerBench } from './commands/bench.js';
import { registerCopyStream } from './commands/copy-stream.js';
import { registerExport } from './commands/export.js';
import { registerImport } from './commands/import.js';
import { registerForget } from './commands/forget.js';
import { registerKeys } from './commands/keys.js';
import { registerMigrate } from './commands/migrate.js';
import { registerProjections } from './commands/projections.js';
import { registerRead } from './commands/read.js';
import { registerServe } from './commands/serve.js';
import { registerSnapshot } from './commands/snapshot.js';
import { registerStreams } from './commands/streams.js';
import { registerTail } from './commands/tail.js';
import { registerVerify } from './commands/verify.js';
import type { CliContext } from './lib/context.js';
import { oneLine } from './lib/one-line.js';
import { CLI_VERSION } from './version.js';

const EXIT_CODES_HELP = `
Exit codes:
  0    success
  1    failure (store unreachable, unexpected error)
  2    usage: bad command, option or input (invalid JSON, event or stream id)
  3    conflict: the expected version did not hold, or an event id holds other content
  4    not found: unknown stream, key, file or SQLite database
  5    integrity problem found by \`cairn verify\`
  130  interrupted

The store is chosen by --db or $CAIRN_DB (default sqlite:./data/cairn.db).`;

/**
 * The `cairn` program. Commander never exits the process here: errors surface as
 * exceptions and `run()` turns them into exit codes, so tests and other programs can
 * drive the CLI in-process.
 */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command('cairn')
    .description('Cairn event store: serve the HTTP API, read and append, export/import, verify, projections, snapshots, forget, API keys')
    .version(CLI_VERSION, '-V, --version')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => void ctx.io.stdout.write(text),
      writeErr: (text) => void ctx.io.stderr.write(text),
      // One line in the same shape as every other error.
      outputError: (text, write) => write(`error USAGE: ${oneLine(text.trim().replace(/^error: /, ''))} (see cairn --help)\n`),
    })
    .addHelpText('after', EXIT_CODES_HELP);
  registerServe(program, ctx);
  registerMigrate(program, ctx);
  registerAppend(program, ctx);
  registerRead(program, ctx);
  registerTail(program, ctx);
  registerStreams(program, ctx);
  registerExport(program, ctx);
  registerImport(program, ctx);
  registerCopyStream(program, ctx);
  registerVerify(program, ctx);
  registerKeys(program, ctx);
  registerProjections(program, ctx);
  registerSnapshot(program, ctx);
  registerForget(program, ctx);
  registerBench(program, ctx);
  return program;
}
