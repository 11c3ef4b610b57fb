import { categoryOf, type StoredEvent, type StreamInfo } from '@cairn/core';

export interface EventRow {
  position: number;
  stream_id: string;
  version: number;
  event_id: string;
  type: string;
  schema_version: number;
  data: string;
  metadata: string;
  tags: string | null;
  recorded_at: number;
}

export interface StreamRow {
  stream_id: string;
  version: number;
  last_position: number;
  last_hash: string | null;
  created_at: number;
  updated_at: number;
}

export const EVENT_COLUMNS = 'position, stream_id, version, event_id, type, schema_version, data, metadata, tags, recorded_at';

const NO_TAGS: readonly string[] = Object.freeze([]);

/**
 * A row read as an array in EVENT_COLUMNS order (the read path's fast form). Empty metadata,
 * the common case, is not parsed.
 */
export function arrayToStoredEvent(r: unknown[]): StoredEvent {
  const metadata = r[7] as string;
  const tags = r[8] as string | null;
  return {
    streamId: r[1] as string,
    version: r[2] as number,
    position: BigInt(r[0] as number),
    eventId: r[3] as string,
    type: r[4] as string,
    schemaVersion: r[5] as number,
    data: JSON.parse(r[6] as string) as unknown,
    metadata: metadata === '{}' ? {} : (JSON.parse(metadata) as StoredEvent['metadata']),
    tags: tags === null ? NO_TAGS : (JSON.parse(tags) as string[]),
    recordedAt: new Date(r[9] as number),
  };
}

export function toStoredEvent(row: EventRow): StoredEvent {
  return {
    streamId: row.stream_id,
    version: row.version,
    position: BigInt(row.position),
    eventId: row.event_id,
    type: row.type,
    schemaVersion: row.schema_version,
    data: JSON.parse(row.data) as unknown,
    metadata: JSON.parse(row.metadata) as StoredEvent['metadata'],
    tags: row.tags === null ? NO_TAGS : (JSON.parse(row.tags) as string[]),
    recordedAt: new Date(row.recorded_at),
  };
}

export function toStreamInfo(row: StreamRow): StreamInfo {
  return {
    streamId: row.stream_id,
    category: categoryOf(row.stream_id),
    version: row.version,
    position: BigInt(row.last_position),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}
