import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import type { Position } from '@cairn/core';
import type { Command } from 'commander';
import { CliError } from '../lib/cli-error.js';
import { type CliContext, type CommonOptions, commandSetup, withCommonOptions } from '../lib/context.js';
import { eventToJson } from '../lib/event-line.js';
import { ExitCode } from '../lib/exit-codes.js';
import { type Writable, writeOut } from '../lib/io.js';
import { position } from '../lib/parse.js';
import { fmt, Progress } from '../lib/progress.js';
import { withStore } from '../lib/store.js';
import { progressInterval } from './progress-interval.js';

interface ExportOptions extends CommonOptions {
  out?: string;
  after?: Position;
  includeSystem?: boolean;
}

export function registerExport(program: Command, ctx: CliContext): void {
  withCommonOptions(program.command('export'))
    .description('write the global log as NDJSON, one event per line, in position order')
    .option('--out <file>', 'write to this file (default: stdout)')
    .option('--after <position>', 'only events after this position (to continue an earlier export)', position)
    .option('--include-system', "include Cairn's own $ streams (API key hashes!)")
    .action(async (options: ExportOptions) => {
      const { url, out } = commandSetup(ctx, options);
      ctx.io.claimInterrupts();
      const after = options.after ?? 0n;
      // Written under a temporary name and renamed at the end: a file named --out is complete.
      const partial = options.out ? `${options.out}.partial` : undefined;
      const file = partial ? await openOutput(partial, options.out as string) : undefined;
      const sink: Writable = file?.sink ?? ctx.io.stdout;
      const progress = new Progress(ctx.io.stderr, 'export', { intervalMs: progressInterval(ctx, options) });
      let count = 0;
      let last: Position = after;
      try {
        await withStore(url, 'read', async (store) => {
          const head = await store.headPosition();
          const span = head > after ? Number(head - after) : 1;
          for await (const event of store.readAll({ after, ...(options.includeSystem ? { includeSystem: true } : {}) })) {
            if (ctx.io.interrupted.aborted) {
              throw new CliError('INTERRUPTED', `export interrupted after ${fmt(count)} events (last position ${last}); nothing was renamed to the output file`, ExitCode.INTERRUPTED);
            }
            await writeOut(sink, `${JSON.stringify(eventToJson(event))}\n`);
            count++;
            last = event.position;
            progress.update({ done: count, fraction: Math.min(Number(event.position - after) / span, 1) });
          }
        });
        if (file) {
          await file.close();
          await rename(partial as string, options.out as string);
        }
      } catch (error) {
        if (file) {
          file.stream.destroy();
          await rm(partial as string, { force: true });
        }
        throw error;
      }
      const summary = { events: count, after: after.toString(), lastPosition: last.toString(), ...(options.out ? { file: options.out } : {}), ms: progress.elapsedMs };
      if (out.json && options.out) await out.record(summary);
      else if (out.json) out.note(JSON.stringify(summary));
      else progress.finish(`exported ${fmt(count)} events${options.out ? ` to ${options.out}` : ''} (positions after ${after} up to ${last}) in ${(progress.elapsedMs / 1000).toFixed(1)} s; continue later with --after ${last}`);
    });
}

interface Output {
  stream: WriteStream;
  /** Writes that fail as errors (a full disk, say), not as an 'error' event nobody hears. */
  sink: Writable;
  close(): Promise<void>;
}

/**
 * Open the --out file before reading anything. A path that cannot be written (no such
 * directory, a directory, too long, no permission) is a one-line usage error, not a crash.
 */
async function openOutput(path: string, named: string): Promise<Output> {
  // The final rename would fail on a directory only after the whole export: say so now.
  if ((await stat(named).catch(() => undefined))?.isDirectory()) {
    throw new CliError('OUTPUT_NOT_WRITABLE', `Cannot write ${named} (EISDIR): it is a directory; name a file in it.`, ExitCode.USAGE, { file: named, reason: 'EISDIR' });
  }
  const stream = createWriteStream(path, { encoding: 'utf8' });
  let failure: NodeJS.ErrnoException | undefined;
  try {
    await once(stream, 'open');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'ERROR';
    throw new CliError('OUTPUT_NOT_WRITABLE', `Cannot write ${named} (${code}): check that its directory exists and is writable.`, ExitCode.USAGE, { file: named, reason: code });
  }
  stream.on('error', (error: NodeJS.ErrnoException) => {
    failure ??= error;
  });
  const failed = (): CliError =>
    new CliError('WRITE_FAILED', `Writing ${named} failed (${failure?.code ?? failure?.message}); nothing was renamed to it.`, ExitCode.ERROR, { file: named, reason: failure?.code });
  return {
    stream,
    sink: {
      write: (chunk: string) => {
        if (failure) throw failed();
        return stream.write(chunk);
      },
      // A failed stream never drains: wake the writer on the error too, and the next write throws.
      once: (_event: 'drain', listener: () => void) => {
        const wake = (): void => {
          stream.off('drain', wake);
          stream.off('error', wake);
          listener();
        };
        stream.once('drain', wake);
        stream.once('error', wake);
      },
    },
    close: async () => {
      if (failure) throw failed();
      stream.end();
      await once(stream, 'finish').catch(() => undefined);
      if (failure) throw failed();
    },
  };
}
