import { createHash } from 'node:crypto';
import { type EventStore, StreamNotFoundError } from '@cairn/core';
import type { Command } from 'commander';
import { BatchWriter } from '../lib/batch-writer.js';
import { usageError } from '../lib/cli-error.js';
import { type CliContext, type CommonOptions, commandSetup, withCommonOptions } from '../lib/context.js';
import type { PortableEvent } from '../lib/event-line.js';
import { positiveInt } from '../lib/parse.js';
import { fmt } from '../lib/progress.js';
import { openCliStore, redactUrl } from '../lib/store.js';

interface CopyOptions extends CommonOptions {
  from?: string;
  to: string;
  as?: string;
  batchSize: number;
}

export function registerCopyStream(program: Command, ctx: CliContext): void {
  withCommonOptions(program.command('copy-stream'))
    .description('copy one stream from one store into another, e.g. from production into a test database to debug it')
    .argument('<stream>', 'stream id in the source store')
    .option('--from <url>', 'source store URL (default: --db / $CAIRN_DB)')
    .requiredOption('--to <url>', 'target store URL')
    .option('--as <stream>', 'stream id in the target (default: the same)')
    .option('--batch-size <n>', 'most events per append', positiveInt, 500)
    .action(async (streamId: string, options: CopyOptions) => {
      const { url, out } = commandSetup(ctx, options);
      const from = options.from ?? url;
      const targetId = options.as ?? streamId;
      if (from === options.to && targetId === streamId) throw usageError('INVALID_ARGUMENT', 'Source and target are the same stream of the same store; give another --to or --as.');
      const source = await openCliStore(from, 'read');
      let target: EventStore | undefined;
      try {
        target = await openCliStore(options.to, 'write');
        await target.migrate();
        if ((await source.streamInfo(streamId)) === null) throw new StreamNotFoundError(streamId);
        const writer = new BatchWriter(target, { batchSize: options.batchSize, keepTimes: true });
        for await (const event of source.readStream(streamId)) {
          const copy: PortableEvent = {
            streamId: targetId,
            version: event.version,
            // Renamed copies need ids of their own (ids are unique per store), derived so a re-run is still idempotent.
            eventId: targetId === streamId ? event.eventId : derivedId(targetId, event.eventId),
            type: event.type,
            schemaVersion: event.schemaVersion,
            data: event.data,
            metadata: event.metadata,
            tags: [...event.tags],
            recordedAt: event.recordedAt,
            bytes: 0,
          };
          await writer.add(copy);
        }
        await writer.flush();
        const info = await target.streamInfo(targetId);
        const summary = { streamId, targetStreamId: targetId, version: info?.version ?? 0, copied: writer.written, alreadyThere: writer.alreadyThere };
        if (out.json) await out.record(summary);
        else {
          await out.line(
            `copied ${fmt(writer.written)} events of ${streamId} to ${targetId} in ${redactUrl(options.to)} (now at version ${summary.version})` +
              (writer.alreadyThere > 0 ? `; ${fmt(writer.alreadyThere)} were already there` : ''),
          );
        }
      } finally {
        await source.close();
        await target?.close();
      }
    });
}

/** A UUID (version 8 layout) derived from the target stream and the original id. */
export function derivedId(streamId: string, eventId: string): string {
  const h = createHash('sha256').update(`${streamId}\u0000${eventId}`).digest('hex');
  const variant = ((Number.parseInt(h.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
