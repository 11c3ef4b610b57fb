import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
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
      const file = partial ? createWriteStream(partial, { encoding: 'utf8' }) : undefined;
      const sink: Writable = file ?? ctx.io.stdout;
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
          file.end();
          await once(file, 'finish');
          await rename(partial as string, options.out as string);
        }
      } catch (error) {
        if (file) {
          file.destroy();
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
