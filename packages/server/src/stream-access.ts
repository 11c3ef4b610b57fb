import { InvalidStreamIdError } from '@cairn/core';
import type { Principal } from './keys/key-ring.js';
import { HttpProblem, ServerErrorCodes } from './problem.js';

/**
 * Refuse what the HTTP API never exposes (`$` system streams: API keys and Cairn's own
 * bookkeeping) and what the caller's key is not scoped to.
 */
export function assertStreamAccess(principal: Principal | undefined, streamId: string): void {
  if (streamId.startsWith('$')) {
    throw new InvalidStreamIdError(streamId, 'ids starting with "$" are reserved for Cairn\'s system streams, which the HTTP API does not expose');
  }
  const prefix = principal?.streamPrefix;
  if (prefix !== undefined && !streamId.startsWith(prefix)) {
    throw new HttpProblem(403, ServerErrorCodes.FORBIDDEN, `API key ${principal?.keyId} may only access streams starting with ${JSON.stringify(prefix)}.`, {
      streamId,
      streamPrefix: prefix,
    });
  }
}

/** True when the key may see events of this stream (for filtering the global log). */
export function canSeeStream(principal: Principal | undefined, streamId: string): boolean {
  const prefix = principal?.streamPrefix;
  return prefix === undefined || streamId.startsWith(prefix);
}

/**
 * The prefix to list streams with, narrowed to the key's scope: a request outside the scope
 * is refused rather than silently answered with nothing.
 */
export function scopedPrefix(principal: Principal | undefined, requested: string | undefined): string | undefined {
  const scope = principal?.streamPrefix;
  if (scope === undefined) return requested;
  if (requested === undefined || scope.startsWith(requested)) return scope;
  if (requested.startsWith(scope)) return requested;
  throw new HttpProblem(403, ServerErrorCodes.FORBIDDEN, `API key ${principal?.keyId} may only list streams starting with ${JSON.stringify(scope)}.`, {
    streamPrefix: scope,
  });
}
