import type { EventStore, StreamInfo } from '@cairn/core';
import type { Command } from 'commander';
import { type CliContext, type CommonOptions, commandSetup, withCommonOptions } from '../lib/context.js';
import { positiveInt } from '../lib/parse.js';
import { withStore } from '../lib/store.js';

interface StreamsOptions extends CommonOptions {
  prefix?: string;
  category?: string;
  type?: string;
  limit?: number;
  includeSystem?: boolean;
}

export function registerStreams(program: Command, ctx: CliContext): void {
  withCommonOptions(program.command('streams'))
    .description('list streams by id prefix, category, or event type (NDJSON with --json)')
    .option('--prefix <prefix>', 'stream ids starting with this')
    .option('--category <category>', 'streams of this category (the part of the id before the first "-")')
    .option('--type <type>', 'streams holding at least one event of this type (scans the log)')
    .option('--limit <n>', 'at most this many streams', positiveInt)
    .option('--include-system', 'include Cairn\'s own $ streams')
    .action(async (options: StreamsOptions) => {
      const { url, out } = commandSetup(ctx, options);
      await withStore(url, 'read', async (store) => {
        const limit = options.limit ?? Number.POSITIVE_INFINITY;
        const source = options.type === undefined ? catalogue(store, options) : byType(store, options.type, options);
        let count = 0;
        for await (const info of source) {
          if (count++ >= limit) break;
          await out.stream(info);
        }
        if (!out.json && count === 0) out.note('no streams match');
      });
    });
}

/** The catalogue in id order, paged. */
async function* catalogue(store: EventStore, options: StreamsOptions): AsyncGenerator<StreamInfo> {
  for (let after: string | undefined; ; ) {
    const page = await store.listStreams({
      limit: 1000,
      ...(options.prefix !== undefined ? { prefix: options.prefix } : {}),
      ...(options.category !== undefined ? { category: options.category } : {}),
      ...(after !== undefined ? { afterStreamId: after } : {}),
      ...(options.includeSystem ? { includeSystem: true } : {}),
    });
    yield* page;
    if (page.length < 1000) return;
    after = page.at(-1)?.streamId;
  }
}

/**
 * Streams holding an event of `type`, in order of their first such event. The catalogue does
 * not index types, so this reads the log filtered by type (in the database) and remembers
 * the stream ids it has printed.
 */
async function* byType(store: EventStore, type: string, options: StreamsOptions): AsyncGenerator<StreamInfo> {
  const seen = new Set<string>();
  for await (const event of store.readAll({ types: [type], ...(options.category ? { categories: [options.category] } : {}), ...(options.includeSystem ? { includeSystem: true } : {}) })) {
    if (seen.has(event.streamId)) continue;
    seen.add(event.streamId);
    if (options.prefix !== undefined && !event.streamId.startsWith(options.prefix)) continue;
    const info = await store.streamInfo(event.streamId);
    if (info) yield info;
  }
}
