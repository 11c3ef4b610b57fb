import { createReadStream, existsSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { BatchWriter } from '../lib/batch-writer.js';
import { CliError, usageError } from '../lib/cli-error.js';
import { type CliContext, type CommonOptions, commandSetup, withCommonOptions } from '../lib/context.js';
import { parseEventLine } from '../lib/event-line.js';
import { ExitCode } from '../lib/exit-codes.js';
import { positiveInt } from '../lib/parse.js';
import { fmt, Progress } from '../lib/progress.js';
import { withStore } from '../lib/store.js';
import { progressInterval } from './progress-interval.js';

interface ImportOptions extends CommonOptions {
  batchSize: number;
  freshTimes?: boolean;
  includeSystem?: boolean;
}

export function registerImport(program: Command, ctx: CliContext): void {
  withCommonOptions(program.command('import'))
    .description('append the events of an NDJSON export (keeps stream ids, versions, event ids and times); safe to re-run after a crash')
    .argument('<file>', 'an NDJSON file written by `cairn export` ("-" reads stdin)')
    .option('--batch-size <n>', 'most events per append', positiveInt, 500)
    .option('--fresh-times', 'record events at import time instead of keeping their original times')
    .option('--include-system', "also import Cairn's own $ streams (API keys, the audit trail): only from a file you trust")
    .action(async (file: string, options: ImportOptions) => {
      const { url, out } = commandSetup(ctx, options);
      ctx.io.claimInterrupts();
      if (file !== '-' && !existsSync(file)) throw new CliError('FILE_NOT_FOUND', `No file at ${file}.`, ExitCode.NOT_FOUND);
      if (file !== '-' && statSync(file).isDirectory()) throw new CliError('INVALID_ARGUMENT', `${file} is a directory; name an NDJSON file.`, ExitCode.USAGE);
      const total = file === '-' ? undefined : statSync(file).size;
      const input = file === '-' ? process.stdin : createReadStream(file);
      const progress = new Progress(ctx.io.stderr, 'import', { intervalMs: progressInterval(ctx, options) });

      const result = await withStore(url, 'write', async (store) => {
        await store.migrate();
        let bytes = 0;
        const writer = new BatchWriter(store, {
          batchSize: options.batchSize,
          emptyTarget: (await store.headPosition()) === 0n && (await store.listStreams({ limit: 1, includeSystem: true })).length === 0,
          keepTimes: options.freshTimes !== true,
          onWrite: () => progress.update({ done: writer.done, skipped: writer.alreadyThere, ...(total ? { fraction: bytes / total } : {}) }),
        });
        let lineNo = 0;
        const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
        try {
          for await (const line of lines) {
            lineNo++;
            if (line.trim().length === 0) continue;
            let event;
            try {
              event = parseEventLine(line, lineNo);
              // A `$keys` line is an API key: a file from elsewhere must not let its author in.
              if (event.streamId.startsWith('$') && options.includeSystem !== true) {
                throw usageError(
                  'INVALID_IMPORT_LINE',
                  `line ${lineNo}: stream ${JSON.stringify(event.streamId)} is one of Cairn's system streams (API keys, audit trail); import those only with --include-system, from a file you trust`,
                );
              }
            } catch (error) {
              // Keep the good lines before the bad one: after fixing the file, a re-run resumes there.
              await writer.flush();
              throw error;
            }
            bytes += event.bytes;
            await writer.add(event);
            if (ctx.io.interrupted.aborted) break;
          }
          // Everything read so far is a whole batch or less: committing it keeps the re-run short.
          await writer.flush();
        } finally {
          lines.close();
          if (input !== process.stdin) input.destroy();
        }
        if (ctx.io.interrupted.aborted) {
          throw new CliError(
            'INTERRUPTED',
            `import interrupted after ${fmt(writer.done)} events (line ${lineNo}); run the same command again to resume: events already imported are recognised by id and skipped`,
            ExitCode.INTERRUPTED,
          );
        }
        return { events: writer.done, imported: writer.written, alreadyThere: writer.alreadyThere, lines: lineNo };
      });

      const summary = { ...result, ms: progress.elapsedMs };
      if (out.json) await out.record(summary);
      else {
        progress.finish(
          `imported ${fmt(result.imported)} events` +
            (result.alreadyThere > 0 ? `, ${fmt(result.alreadyThere)} already there` : '') +
            ` from ${file === '-' ? 'stdin' : file} in ${(progress.elapsedMs / 1000).toFixed(1)} s (${fmt(progress.rate(result.events))}/s)`,
        );
      }
    });
}
