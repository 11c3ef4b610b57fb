import type { AppendRequest } from './backend.js';
import { IdempotencyError } from './errors.js';
import { jsonEqual } from './json.js';
import type { AppendResult, StoredEvent } from './types.js';

/**
 * Decide what an append whose event ids are (partly) stored already means. It is an
 * idempotent retry only when the whole batch is stored, in the same stream, as consecutive
 * versions, with the same type, schema version and data; then the original result is
 * returned. Metadata may differ (retries often carry a new timestamp or trace id).
 */
export function resolveDuplicateAppend(request: AppendRequest, stored: readonly StoredEvent[]): AppendResult {
  const byId = new Map(stored.map((e) => [e.eventId, e]));
  const { streamId, events } = request;
  let previous: StoredEvent | undefined;
  for (const event of events) {
    const found = byId.get(event.eventId);
    if (found === undefined) {
      const clash = events.find((e) => byId.has(e.eventId));
      throw new IdempotencyError(streamId, clash?.eventId ?? event.eventId, 'but the rest of this append is not; a retry must resend exactly the same batch');
    }
    if (found.streamId !== streamId) {
      throw new IdempotencyError(streamId, event.eventId, `in stream "${found.streamId}" (version ${found.version})`);
    }
    if (previous !== undefined && found.version !== previous.version + 1) {
      throw new IdempotencyError(streamId, event.eventId, 'as part of a different append');
    }
    if (found.type !== event.type || found.schemaVersion !== event.schemaVersion || !jsonEqual(found.data, JSON.parse(event.dataJson))) {
      throw new IdempotencyError(streamId, event.eventId, `with other content (stored type "${found.type}", version ${found.version})`);
    }
    previous = found;
  }
  const last = previous as StoredEvent;
  return { streamId, version: last.version, position: last.position };
}
