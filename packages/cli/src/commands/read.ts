import { type ReadStreamOptions, StreamNotFoundError } from '@cairn/core';
import type { Command } from 'commander';
import { type CliContext, type CommonOptions, commandSetup, withCommonOptions } from '../lib/context.js';
import { isoDate, positiveInt } from '../lib/parse.js';
import { withStore } from '../lib/store.js';

interface ReadOptions extends CommonOptions {
  from?: number;
  to?: number;
  limit?: number;
  backward?: boolean;
  until?: Date;
}

export function registerRead(program: Command, ctx: CliContext): void {
  withCommonOptions(program.command('read'))
    .description("print a stream's events (NDJSON with --json)")
    .argument('<stream>', 'stream id')
    .option('--from <version>', 'first version (inclusive)', positiveInt)
    .option('--to <version>', 'last version (inclusive)', positiveInt)
    .option('--limit <n>', 'at most this many events', positiveInt)
    .option('--backward', 'newest first')
    .option('--until <instant>', 'the stream as it was at this ISO-8601 instant', isoDate)
    .action(async (streamId: string, options: ReadOptions) => {
      const { url, out } = commandSetup(ctx, options);
      await withStore(url, 'read', async (store) => {
        if ((await store.streamInfo(streamId)) === null) throw new StreamNotFoundError(streamId);
        const read: ReadStreamOptions = { direction: options.backward ? 'backward' : 'forward' };
        if (options.from !== undefined) read.from = options.from;
        if (options.to !== undefined) read.to = options.to;
        if (options.limit !== undefined) read.limit = options.limit;
        if (options.until !== undefined) read.until = options.until;
        for await (const event of store.readStream(streamId, read)) await out.event(event, 'stream');
      });
    });
}
