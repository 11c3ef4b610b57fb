import { type DeadLetter, type ProjectionReport, projectionAdmin } from '@cairn/core';
import type { Command } from 'commander';
import { type CliContext, type CommonOptions, commandSetup, withCommonOptions } from '../lib/context.js';
import { withStore } from '../lib/store.js';

/**
 * Operate projections from the command line. The runners (in the app's processes) do the
 * work; these commands read their bookkeeping and leave requests (rebuild, pause, replay)
 * that the runners pick up within their supervision interval.
 */
export function registerProjections(program: Command, ctx: CliContext): void {
  const projections = program.command('projections').description('projection status and lag, rebuilds, pause/resume, dead letters');

  withCommonOptions(projections.command('status'))
    .description('every projection generation: status, checkpoint, lag, dead letters, rebuild progress')
    .action(async (options: CommonOptions) => {
      const { url, out } = commandSetup(ctx, options);
      const reports = await withStore(url, 'read', (store) => projectionAdmin(store).status());
      for (const r of reports) {
        if (out.json) await out.record(reportJson(r));
        else await out.line(reportLine(r));
      }
      if (!out.json && reports.length === 0) out.note('no projection has run on this store yet');
    });

  for (const [verb, help] of [
    ['rebuild', 'build a new generation beside the live one; it takes over once caught up'],
    ['pause', 'stop applying events (the checkpoint stays where it is)'],
    ['resume', 'continue after a pause'],
  ] as const) {
    withCommonOptions(projections.command(verb))
      .description(help)
      .argument('<name>', 'the projection name')
      .action(async (name: string, options: CommonOptions) => {
        const { url, out } = commandSetup(ctx, options);
        const result = await withStore(url, 'write', async (store) => {
          const admin = projectionAdmin(store);
          if (verb === 'rebuild') return { generation: await admin.rebuild(name) };
          await admin[verb](name);
          return {};
        });
        if (out.json) await out.record({ projection: name, action: verb, ...result });
        else await out.line(verb === 'rebuild' ? `rebuilding ${name} as generation ${String(result.generation)} (runners pick it up within a second)` : `${verb}d ${name}`);
      });
  }

  const letters = projections.command('dead-letters').description('events a projection could not handle, parked after its retries');
  withCommonOptions(letters.command('list'))
    .description('list dead letters')
    .option('--projection <name>', 'only this projection')
    .option('--status <status>', 'parked, replay-requested, replayed or skipped')
    .action(async (options: CommonOptions & { projection?: string; status?: DeadLetter['status'] }) => {
      const { url, out } = commandSetup(ctx, options);
      const list = await withStore(url, 'read', (store) =>
        projectionAdmin(store).deadLetters({ ...(options.projection ? { name: options.projection } : {}), ...(options.status ? { status: options.status } : {}) }),
      );
      for (const l of list) {
        if (out.json) await out.record({ ...l, position: l.position.toString(), createdAt: l.createdAt.toISOString(), updatedAt: l.updatedAt.toISOString() });
        else await out.line([l.id, l.projection, l.status, `${l.streamId}@${l.position}`, l.type, l.error.split('\n')[0]].join('\t'));
      }
      if (!out.json && list.length === 0) out.note('no dead letters');
    });
  for (const [verb, help] of [
    ['replay', 'ask the runner to handle a parked event again (after a fix)'],
    ['skip', 'mark a parked event as skipped'],
  ] as const) {
    withCommonOptions(letters.command(verb))
      .description(help)
      .argument('<id>', 'the dead letter id shown by `dead-letters list`')
      .action(async (id: string, options: CommonOptions) => {
        const { url, out } = commandSetup(ctx, options);
        await withStore(url, 'write', (store) => projectionAdmin(store)[verb](id));
        if (out.json) await out.record({ id, action: verb });
        else await out.line(verb === 'replay' ? `replay of ${id} requested` : `skipped ${id}`);
      });
  }
}

function reportJson(r: ProjectionReport): Record<string, unknown> {
  return { ...r, position: r.position.toString(), head: r.head.toString() };
}

function reportLine(r: ProjectionReport): string {
  const lag = r.eventsBehind === 0 ? 'caught up' : `${r.eventsBehind} behind (${r.secondsBehind.toFixed(1)} s)`;
  const progress = r.status === 'building' ? `  building ${(r.progress * 100).toFixed(0)}%` : '';
  return `${r.name}\tgeneration ${r.generation}\t${r.status}${r.paused ? ' (paused)' : ''}\t@${r.position}/${r.head}\t${lag}\t${r.deadLetters} dead letters${progress}`;
}
