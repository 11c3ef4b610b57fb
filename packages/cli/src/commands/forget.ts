import type { Command } from 'commander';
import { type CliContext, type CommonOptions, commandSetup, withCommonOptions } from '../lib/context.js';
import { withStore } from '../lib/store.js';

/** Crypto-shredding from the command line: the keys go, the events stay, the audit records it. */
export function registerForget(program: Command, ctx: CliContext): void {
  withCommonOptions(program.command('forget'))
    .description("destroy a subject's encryption keys: its personal fields read as [redacted] from now on (recorded in $audit)")
    .argument('<subject>', 'the subject, as the personal-data rules name it (e.g. user-42)')
    .option('--reason <reason>', 'why, for the audit trail (e.g. a request number)')
    .option('--actor <actor>', 'who asked')
    .action(async (subject: string, options: CommonOptions & { reason?: string; actor?: string }) => {
      const { url, out } = commandSetup(ctx, options);
      const result = await withStore(url, 'write', (store) =>
        store.forget(subject, { ...(options.reason ? { reason: options.reason } : {}), ...(options.actor ? { actor: options.actor } : {}) }),
      );
      if (out.json) await out.record({ ...result, auditPosition: result.auditPosition.toString() });
      else {
        await out.line(`forgot ${subject}: ${result.keysDestroyed} key${result.keysDestroyed === 1 ? '' : 's'} destroyed (audit event at position ${result.auditPosition})`);
        if (result.keysDestroyed === 0) out.note('no key existed for this subject: nothing of theirs was encrypted in this store');
      }
    });
}
