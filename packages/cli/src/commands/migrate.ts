import type { Command } from 'commander';
import { type CliContext, type CommonOptions, commandSetup, withCommonOptions } from '../lib/context.js';
import { redactUrl, withStore } from '../lib/store.js';

export function registerMigrate(program: Command, ctx: CliContext): void {
  withCommonOptions(program.command('migrate'))
    .description('create or upgrade the store schema (idempotent; safe from several processes at once)')
    .action(async (options: CommonOptions) => {
      const { url, out } = commandSetup(ctx, options);
      const kind = await withStore(url, 'write', async (store) => {
        await store.migrate();
        return store.kind;
      });
      if (out.json) await out.record({ migrated: true, store: kind });
      else await out.line(`migrated ${kind} store ${redactUrl(url)}`);
    });
}
