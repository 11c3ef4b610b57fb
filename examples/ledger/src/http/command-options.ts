import { type EventMetadata, InvalidArgumentError } from '@cairn/core';
import { assertStreamAccess } from '@cairn/server';
import type { FastifyRequest } from 'fastify';

export interface CommandOptions {
  commandId?: string;
  metadata: EventMetadata;
  expectedVersion?: number;
}

/**
 * What every ledger command takes from the request: `Idempotency-Key` becomes the command id
 * (a retry with the same key gets the first outcome and appends nothing), `If-Match: "7"` the
 * version the client decided on, and the API key names the actor. The key's stream scope and
 * the `$` rule apply to the stream the command writes.
 */
export function commandOptions(request: FastifyRequest, streamId: string, scope: string): CommandOptions {
  assertStreamAccess(request.principal, streamId);
  const headers = request.headers as Record<string, string | undefined>;
  const key = headers['idempotency-key'];
  const ifMatch = headers['if-match'];
  let expectedVersion: number | undefined;
  if (ifMatch !== undefined) {
    const match = /^(?:W\/)?"?(\d{1,15})"?$/.exec(ifMatch.trim());
    if (!match) throw new InvalidArgumentError('If-Match', `expected a version such as "7", got ${JSON.stringify(ifMatch.slice(0, 40))}`);
    expectedVersion = Number(match[1]);
  }
  return {
    // Scoped by command and stream, so one key reused for another command is another command.
    ...(key !== undefined ? { commandId: `${scope}:${streamId}:${key}` } : {}),
    metadata: { actor: request.principal?.name ?? 'anonymous', ...(key !== undefined ? { idempotencyKey: key } : {}) },
    ...(expectedVersion !== undefined ? { expectedVersion } : {}),
  };
}
