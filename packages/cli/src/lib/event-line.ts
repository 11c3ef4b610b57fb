import type { EventInput, EventMetadata, StoredEvent } from '@cairn/core';
import { usageError } from './cli-error.js';

/**
 * A stored event as one NDJSON line: the same shape as events in the HTTP API (`eventToJson`
 * of @cairn/server; a test keeps the two identical). Kept here so that reading and exporting
 * do not load the server package: the CLI starts in a fraction of the time.
 */
export function eventToJson(event: StoredEvent): Record<string, unknown> {
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

/** One event of an NDJSON export, as import and copy-stream append it. */
export interface PortableEvent {
  streamId: string;
  version: number;
  eventId: string;
  type: string;
  schemaVersion: number;
  data: unknown;
  metadata: EventMetadata;
  tags: string[];
  recordedAt?: Date;
  /** Size of its line, for batching and progress. */
  bytes: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Parse one NDJSON line (the shape `cairn export` writes: `eventToJson`). `position` is
 * ignored (the target store assigns its own); everything that identifies the event is kept.
 * A bad line stops the import with its line number; nothing after it is written.
 */
export function parseEventLine(text: string, lineNo: number): PortableEvent {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw usageError('INVALID_IMPORT_LINE', `line ${lineNo} is not valid JSON: ${(error as Error).message}`);
  }
  const bad = (field: string, problem: string): Error => usageError('INVALID_IMPORT_LINE', `line ${lineNo}: "${field}" ${problem}`);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw usageError('INVALID_IMPORT_LINE', `line ${lineNo} is not a JSON object`);
  const o = value as Record<string, unknown>;
  if (typeof o.streamId !== 'string' || o.streamId.length === 0) throw bad('streamId', 'must be a non-empty string');
  if (typeof o.version !== 'number' || !Number.isSafeInteger(o.version) || o.version < 1) throw bad('version', 'must be a whole number of 1 or more');
  if (typeof o.eventId !== 'string' || !UUID.test(o.eventId)) throw bad('eventId', 'must be a UUID');
  if (typeof o.type !== 'string' || o.type.length === 0) throw bad('type', 'must be a non-empty string');
  if (!('data' in o)) throw bad('data', 'is missing');
  const schemaVersion = o.schemaVersion ?? 1;
  if (typeof schemaVersion !== 'number' || !Number.isSafeInteger(schemaVersion) || schemaVersion < 1) throw bad('schemaVersion', 'must be a whole number of 1 or more');
  const metadata = o.metadata ?? {};
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) throw bad('metadata', 'must be an object');
  const tags = o.tags ?? [];
  if (!Array.isArray(tags) || !tags.every((t) => typeof t === 'string')) throw bad('tags', 'must be an array of strings');
  let recordedAt: Date | undefined;
  if (o.recordedAt !== undefined) {
    recordedAt = typeof o.recordedAt === 'string' ? new Date(o.recordedAt) : new Date(Number.NaN);
    if (Number.isNaN(recordedAt.getTime())) throw bad('recordedAt', 'must be an ISO-8601 instant');
  }
  return {
    streamId: o.streamId,
    version: o.version,
    eventId: o.eventId.toLowerCase(),
    type: o.type,
    schemaVersion,
    data: o.data,
    metadata: metadata as EventMetadata,
    tags: tags as string[],
    ...(recordedAt ? { recordedAt } : {}),
    bytes: Buffer.byteLength(text) + 1,
  };
}

export function toEventInput(event: PortableEvent, keepTimes: boolean): EventInput {
  return {
    id: event.eventId,
    type: event.type,
    data: event.data,
    metadata: event.metadata,
    schemaVersion: event.schemaVersion,
    ...(event.tags.length > 0 ? { tags: event.tags } : {}),
    ...(keepTimes && event.recordedAt ? { recordedAt: event.recordedAt } : {}),
  };
}
