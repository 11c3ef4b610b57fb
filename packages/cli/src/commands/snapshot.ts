import type { Command } from 'commander';
import { type CliContext, type CommonOptions, commandSetup, withCommonOptions } from '../lib/context.js';
import { notFound } from '../lib/cli-error.js';
import { withStore } from '../lib/store.js';

/** Snapshots are a cache: showing one helps debugging, deleting them all is always safe. */
export function registerSnapshot(program: Command, ctx: CliContext): void {
  const snapshot = program.command('snapshot').description('inspect or delete snapshots (a cache: deleting them changes no result)');

  withCommonOptions(snapshot.command('show'))
    .description("show a stream's snapshot")
    .argument('<stream>', 'stream id')
    .option('--name <name>', 'the model the snapshot belongs to', 'state')
    .action(async (streamId: string, options: CommonOptions & { name: string }) => {
      const { url, out } = commandSetup(ctx, options);
      const found = await withStore(url, 'read', (store) => store.snapshots.load(streamId, options.name));
      if (found === null) throw notFound('SNAPSHOT_NOT_FOUND', `no snapshot "${options.name}" for stream "${streamId}"`);
      if (out.json) await out.record({ ...found, createdAt: found.createdAt.toISOString() });
      else await out.line(`${found.streamId}\t${found.name}\tv${found.version}\tschema ${found.schemaVersion}\t${found.createdAt.toISOString()}\n${JSON.stringify(found.state, null, 2)}`);
    });

  withCommonOptions(snapshot.command('delete'))
    .description('delete snapshots (all of them when no filter is given); the next loads rebuild them')
    .option('--stream <stream>', 'only this stream')
    .option('--name <name>', 'only this model')
    .action(async (options: CommonOptions & { stream?: string; name?: string }) => {
      const { url, out } = commandSetup(ctx, options);
      const deleted = await withStore(url, 'write', (store) =>
        store.snapshots.delete({ ...(options.stream ? { streamId: options.stream } : {}), ...(options.name ? { name: options.name } : {}) }),
      );
      if (out.json) await out.record({ deleted });
      else await out.line(`deleted ${deleted} snapshot${deleted === 1 ? '' : 's'}`);
    });
}
