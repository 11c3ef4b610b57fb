import type { Command } from 'commander';
import { type CliContext, type CommonOptions, commandSetup, withCommonOptions } from '../lib/context.js';
import { ExitCode } from '../lib/exit-codes.js';
import { plural, Progress } from '../lib/progress.js';
import { withStore } from '../lib/store.js';
import { verifyStore } from '../lib/verify-store.js';
import { progressInterval } from './progress-interval.js';

export function registerVerify(program: Command, ctx: CliContext): void {
  withCommonOptions(program.command('verify'))
    .description('check store integrity: positions unique and increasing, versions contiguous from 1, catalogue consistent, hash chains intact (exit 5 on a problem)')
    .action(async (options: CommonOptions) => {
      const { url, out } = commandSetup(ctx, options);
      const progress = new Progress(ctx.io.stderr, 'verify', { intervalMs: progressInterval(ctx, options) });
      const report = await withStore(url, 'read', (store) =>
        verifyStore(store, {
          onProgress: (events, position, head) => progress.update({ done: events, fraction: head > 0n ? Number(position) / Number(head) : 1 }),
          onChainProgress: (events) => progress.update({ done: events }),
        }),
      );
      if (!report.ok) ctx.exitCode = ExitCode.INTEGRITY;
      if (out.json) {
        await out.record(report);
        return;
      }
      if (report.ok) {
        progress.finish(`ok: ${plural(report.events, 'event')} in ${plural(report.streams, 'stream')}, up to position ${report.head}`);
      } else {
        progress.finish(`checked ${plural(report.events, 'event')} before the first problem`);
        const p = report.problem;
        ctx.io.stderr.write(`error INTEGRITY: ${p?.message ?? 'unknown problem'}\n`);
        if (p) await out.line(`problem ${p.kind} stream=${JSON.stringify(p.streamId)} version=${p.version ?? '-'} position=${p.position ?? '-'}`);
      }
    });
}
