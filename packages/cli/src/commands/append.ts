import type { ExpectedVersion } from '@cairn/core';
import type { Command } from 'commander';
import { type CliContext, type CommonOptions, commandSetup, withCommonOptions } from '../lib/context.js';
import { collect, expectedVersion, json, jsonObject } from '../lib/parse.js';
import { withStore } from '../lib/store.js';

interface AppendOptions extends CommonOptions {
  type: string;
  data: unknown;
  metadata?: Record<string, unknown>;
  expectedVersion?: ExpectedVersion;
  id?: string;
  tag?: string[];
}

export function registerAppend(program: Command, ctx: CliContext): void {
  withCommonOptions(program.command('append'))
    .description('append one event to a stream')
    .argument('<stream>', 'stream id, e.g. account-42')
    .requiredOption('--type <type>', 'event type, e.g. MoneyDeposited')
    .requiredOption('--data <json>', 'event data as JSON, e.g. \'{"amountCents":500}\'', json)
    .option('--metadata <json>', 'metadata as a JSON object', jsonObject)
    .option('--expected-version <version>', 'a version number (0 = new stream), any, no-stream or exists', expectedVersion)
    .option('--id <uuid>', 'event id (makes a retry idempotent); generated when absent')
    .option('--tag <tag>', 'tag such as user:42 (repeatable, or comma-separated)', collect)
    .action(async (streamId: string, options: AppendOptions) => {
      const { url, out } = commandSetup(ctx, options);
      const result = await withStore(url, 'write', (store) =>
        store.append(
          streamId,
          [
            {
              type: options.type,
              data: options.data,
              ...(options.metadata ? { metadata: options.metadata } : {}),
              ...(options.id ? { id: options.id } : {}),
              ...(options.tag ? { tags: options.tag } : {}),
            },
          ],
          options.expectedVersion === undefined ? {} : { expectedVersion: options.expectedVersion },
        ),
      );
      if (out.json) await out.record({ streamId: result.streamId, version: result.version, position: result.position.toString() });
      else await out.line(`appended to ${result.streamId}: version ${result.version}, position ${result.position}`);
    });
}
