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
  recorded_ms: number;
}

export interface StreamRow {
  stream_id: string;
  version: string;
  last_position: string;
  created_at: Date;
  updated_at: Date;
}

/** Event columns in the order `arrayToStoredEvent` reads them; the time as epoch milliseconds (cheaper than parsing timestamptz text). */
export const EVENT_COLUMNS = 'position, stream_id, version, event_id, type, schema_version, data, metadata, tags, extract(epoch FROM recorded_at)::float8 * 1000 AS recorded_ms';

/**
 * A row read with rowMode 'array' in EVENT_COLUMNS order, from `offset` on (read_all puts
 * the page head first).
 */
export function arrayToStoredEvent(r: unknown[], offset = 0): StoredEvent {
  return {
    position: BigInt(r[offset] as string),
    streamId: r[offset + 1] as string,
    version: Number(r[offset + 2]),
    eventId: r[offset + 3] as string,
    type: r[offset + 4] as string,
    schemaVersion: r[offset + 5] as number,
    data: r[offset + 6],
    metadata: r[offset + 7] as StoredEvent['metadata'],
    tags: (r[offset + 8] as string[] | null) ?? NO_TAGS,
    recordedAt: new Date(r[offset + 9] as number),
  };
}

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
    recordedAt: new Date(row.recorded_ms),
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
