import { categoryOf, type StoredEvent, type StreamInfo } from '@cairn/core';

export interface EventRow {
  position: string;
  stream_id: string;
  version: string;
  event_id: string;
  type: string;
  schema_version: number;
  data: unknown;
  metadata: StoredEvent['metadata'];
  tags: string[] | null;
  recorded_at: Date;
}

export interface StreamRow {
  stream_id: string;
  version: string;
  last_position: string;
  created_at: Date;
  updated_at: Date;
}

export const EVENT_COLUMNS = 'position, stream_id, version, event_id, type, schema_version, data, metadata, tags, recorded_at';

const NO_TAGS: readonly string[] = Object.freeze([]);

export function toStoredEvent(row: EventRow): StoredEvent {
  return {
    streamId: row.stream_id,
    version: Number(row.version),
    position: BigInt(row.position),
    eventId: row.event_id,
    type: row.type,
    schemaVersion: row.schema_version,
    data: row.data,
    metadata: row.metadata,
    tags: row.tags ?? NO_TAGS,
    recordedAt: row.recorded_at,
  };
}

export function toStreamInfo(row: StreamRow): StreamInfo {
  return {
    streamId: row.stream_id,
    category: categoryOf(row.stream_id),
    version: Number(row.version),
    position: BigInt(row.last_position),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** A PostgreSQL array literal for text[] (tags); every element quoted and escaped. */
export function textArrayLiteral(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`;
}
