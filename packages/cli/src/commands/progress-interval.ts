import type { CliContext, CommonOptions } from '../lib/context.js';

/**
 * How often progress prints. CAIRN_PROGRESS_MS overrides the default (100 ms on a terminal,
 * 5 s in logs), e.g. for CI logs that want more or fewer lines.
 */
export function progressInterval(ctx: CliContext, _options: CommonOptions): number | undefined {
  const raw = ctx.io.env.CAIRN_PROGRESS_MS;
  const ms = raw === undefined ? Number.NaN : Number(raw);
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}
