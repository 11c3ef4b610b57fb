import type { Position } from '@cairn/core';
import type { Command } from 'commander';
import { type CliContext, type CommonOptions, commandSetup, withCommonOptions } from '../lib/context.js';
import { collect, position, positiveInt } from '../lib/parse.js';
import { withStore } from '../lib/store.js';

interface TailOptions extends CommonOptions {
  after?: Position;
  fromStart?: boolean;
  type?: string[];
  category?: string[];
  limit?: number;
}

export function registerTail(program: Command, ctx: CliContext): void {
  withCommonOptions(program.command('tail'))
    .description('follow the global log live (Ctrl-C to stop); starts at the end unless --after or --from-start')
    .option('--after <position>', 'replay from after this position, then follow', position)
    .option('--from-start', 'replay the whole log, then follow')
    .option('--type <type>', 'only these event types (repeatable)', collect)
    .option('--category <category>', 'only streams of these categories (repeatable)', collect)
    .option('--limit <n>', 'stop after this many events', positiveInt)
    .action(async (options: TailOptions) => {
      const { url, out } = commandSetup(ctx, options);
      ctx.io.claimInterrupts();
      const after: Position | 'end' = options.after ?? (options.fromStart ? 0n : 'end');
      await withStore(url, 'read', async (store) => {
        if (!out.json) out.note(`tailing ${after === 'end' ? 'new events' : `after position ${after}`} (Ctrl-C to stop)`);
        let count = 0;
        const subscription = store.subscribe({
          after,
          signal: ctx.io.interrupted,
          ...(options.type ? { types: options.type } : {}),
          ...(options.category ? { categories: options.category } : {}),
        });
        for await (const event of subscription) {
          await out.event(event, 'log');
          if (options.limit !== undefined && ++count >= options.limit) break;
        }
      });
    });
}
