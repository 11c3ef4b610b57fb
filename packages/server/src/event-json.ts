import type { EventMetadata, StoredEvent } from '@cairn/core';

/**
 * A stored event as JSON, the one shape shared by the HTTP API, SSE, `cairn read --json`
 * and NDJSON export: the position is a decimal string (a JSON number would lose precision
 * past 2^53) and `recordedAt` an ISO-8601 instant.
 */
export interface EventJson {
  position: string;
  streamId: string;
  version: number;
  eventId: string;
  type: string;
  schemaVersion: number;
  data: unknown;
  metadata: EventMetadata;
  tags: string[];
  recordedAt: string;
}

export function eventToJson(event: StoredEvent): EventJson {
  return {
    position: event.position.toString(),
    streamId: event.streamId,
    version: event.version,
    eventId: event.eventId,
    type: event.type,
    schemaVersion: event.schemaVersion,
    data: event.data,
    metadata: event.metadata,
    tags: [...event.tags],
    recordedAt: event.recordedAt.toISOString(),
  };
}
