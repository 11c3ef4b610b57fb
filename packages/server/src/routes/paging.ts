import { InvalidArgumentError } from '@cairn/core';
import type { ResolvedLimits } from '../options.js';

/** The page size of a read: the client's `limit`, the default, never above the server's maximum. */
export function pageSize(requested: number | undefined, limits: ResolvedLimits): number {
  if (requested === undefined) return limits.defaultPageSize;
  if (requested > limits.maxPageSize) {
    throw new InvalidArgumentError('limit', `${requested} is over this server's page limit of ${limits.maxPageSize}; page with next`);
  }
  return requested;
}

/** `types=a,b&types=c` → ['a', 'b', 'c']. */
export function names(values: readonly string[] | undefined): string[] | undefined {
  if (values === undefined) return undefined;
  const out = values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v.length > 0);
  return out.length > 0 ? out : undefined;
}
