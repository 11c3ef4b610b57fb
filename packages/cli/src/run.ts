import { isCairnError } from '@cairn/core';
import { type Span, SpanStatusCode, trace } from '@opentelemetry/api';
import { CommanderError } from 'commander';
import { CliError } from './lib/cli-error.js';
import type { CliContext } from './lib/context.js';
import { ExitCode, exitCodeFor } from './lib/exit-codes.js';
import { type CliIo, processIo } from './lib/io.js';
import { oneLine } from './lib/one-line.js';
import { buildProgram } from './program.js';
import { CLI_VERSION } from './version.js';

/**
 * Run `cairn` with `argv` (without the node and script paths) and resolve to the exit code.
 * Errors print as one line, `error CODE: message` (a JSON object with --json), with the
 * stack only under --verbose.
 *
 * @example
 * process.exitCode = await run(['read', 'account-42', '--json']);
 */
export async function run(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const ctx: CliContext = { io, exitCode: ExitCode.OK };
  const program = buildProgram(ctx);
  // One span per command (a no-op unless the process registered an OpenTelemetry SDK).
  return trace.getTracer('cairn', CLI_VERSION).startActiveSpan('cairn', async (span) => {
    program.hook('preAction', (_program, command) => {
      span.updateName(`cairn ${command.parent && command.parent !== program ? `${command.parent.name()} ` : ''}${command.name()}`);
    });
    const code = await execute();
    span.setAttribute('process.exit.code', code);
    span.end();
    return code;

    async function execute(): Promise<number> {
      try {
        await program.parseAsync([...argv], { from: 'user' });
        return ctx.exitCode;
      } catch (error) {
        if (error instanceof CommanderError) {
          // Help and version asked for are success; anything else commander refuses is usage.
          if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return ExitCode.OK;
          // A command line that stops short (`cairn`, `cairn keys`) got the help on stderr;
          // end it with the one error line every failure prints, for scripts that read it.
          if (error.code === 'commander.help') io.stderr.write('error USAGE: no command given: the commands are listed above (see --help)\n');
          return ExitCode.USAGE;
        }
        recordError(span, error);
        printError(io, error, { json: argv.includes('--json'), verbose: argv.includes('--verbose') });
        return exitCodeFor(error);
      }
    }
  });
}

function recordError(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}

function printError(io: CliIo, error: unknown, options: { json: boolean; verbose: boolean }): void {
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  if (options.json) {
    const details = isCairnError(error) ? error.details : error instanceof CliError ? error.details : {};
    io.stderr.write(`${JSON.stringify({ error: { code, message, ...details } })}\n`);
  } else {
    io.stderr.write(`error ${code}: ${oneLine(message)}\n`);
  }
  if (options.verbose && error instanceof Error) {
    io.stderr.write(`${error.stack ?? ''}\n`);
    if (error.cause) io.stderr.write(`caused by: ${error.cause instanceof Error ? (error.cause.stack ?? error.cause.message) : String(error.cause)}\n`);
  }
}

function errorCode(error: unknown): string {
  if (error instanceof CliError || isCairnError(error)) return error.code;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Z0-9_]+$/.test(code) ? code : 'ERROR';
}
