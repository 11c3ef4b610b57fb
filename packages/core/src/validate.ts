import type { AppendRequest, ListStreamsRequest, PreparedEvent } from './backend.js';
import { BatchTooLargeError, EventTooLargeError, InvalidArgumentError, InvalidEventError, InvalidStreamIdError } from './errors.js';
import { validateCondition } from './dcb/query.js';
import { assertJsonValue, utf8Length } from './json.js';
import { uuidv7 } from './uuid.js';
import type { AppendOptions, ExpectedVersion, ListStreamsOptions, Position } from './types.js';

export interface StoreLimits {
  /** Largest JSON size of one event's data plus metadata, in bytes. Default 4 MiB. */
  maxEventBytes: number;
  /** Most events in one append. Default 10,000. */
  maxBatchEvents: number;
}

export const DEFAULT_LIMITS: StoreLimits = Object.freeze({ maxEventBytes: 4 * 1024 * 1024, maxBatchEvents: 10_000 });

export const MAX_STREAM_ID_LENGTH = 256;
export const MAX_TYPE_LENGTH = 200;
export const MAX_TAGS = 64;
const CONTROL = /[\u0000-\u001f\u007f]/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EVENT_KEYS = new Set(['type', 'data', 'metadata', 'id', 'tags', 'schemaVersion', 'recordedAt']);
/** Clock skew tolerated for an explicit recordedAt "in the future". */
const FUTURE_SLACK_MS = 5000;

/** `system` admits Cairn's own `$` streams (reads always may; appends must ask). */
export function validateStreamId(streamId: unknown, system = false): asserts streamId is string {
  if (typeof streamId !== 'string') throw new InvalidStreamIdError(streamId, `expected a string, got ${describe(streamId)}`);
  if (streamId.length === 0) throw new InvalidStreamIdError(streamId, 'it is empty');
  if (streamId.length > MAX_STREAM_ID_LENGTH) throw new InvalidStreamIdError(streamId, `it is ${streamId.length} characters long`);
  if (CONTROL.test(streamId)) throw new InvalidStreamIdError(streamId, 'it contains a control character');
  if (!streamId.isWellFormed()) throw new InvalidStreamIdError(streamId, 'it is not valid Unicode');
  if (streamId.trim() !== streamId) throw new InvalidStreamIdError(streamId, 'it starts or ends with whitespace');
  if (!system && streamId.startsWith('$')) throw new InvalidStreamIdError(streamId, 'ids starting with "$" are reserved for Cairn');
}

export function validateExpectedVersion(value: unknown): ExpectedVersion {
  if (value === undefined) return 'any';
  if (value === 'any' || value === 'no-stream' || value === 'exists') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  throw new InvalidArgumentError(
    'expectedVersion',
    `got ${describe(value)}; use a version number (0 or more), 'any', 'no-stream' or 'exists'`,
  );
}

/** Validate and serialize an append. Throws before anything reaches the database. */
export function prepareAppend(
  streamId: unknown,
  events: unknown,
  options: AppendOptions | undefined,
  limits: StoreLimits,
  currentSchemaVersion: (type: string) => number = () => 1,
): AppendRequest {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new InvalidArgumentError('options', `expected an object, got ${describe(options)}`);
  }
  validateStreamId(streamId, options?.system === true);
  const expectedVersion = validateExpectedVersion(options?.expectedVersion);
  if (!Array.isArray(events)) throw new InvalidArgumentError('events', `expected an array of events, got ${describe(events)}`);
  if (events.length === 0) throw new InvalidArgumentError('events', `an append to "${streamId}" needs at least one event`);
  if (events.length > limits.maxBatchEvents) throw new BatchTooLargeError(streamId, events.length, limits.maxBatchEvents);
  const prepared: PreparedEvent[] = new Array(events.length);
  const ids = new Set<string>();
  for (let i = 0; i < events.length; i++) {
    const event = prepareEvent(events[i], `events[${i}]`, limits, currentSchemaVersion);
    if (ids.has(event.eventId)) throw new InvalidEventError(`events[${i}].id`, `repeats id ${event.eventId} from earlier in the same append`);
    ids.add(event.eventId);
    prepared[i] = event;
  }
  const timed = prepared.filter((e) => e.recordedAt !== undefined).length;
  if (timed > 0) {
    if (timed !== prepared.length) throw new InvalidEventError('events[].recordedAt', 'is given on some events of the append but not all; give it on every event or on none');
    if (typeof expectedVersion !== 'number' && expectedVersion !== 'no-stream') {
      throw new InvalidArgumentError('expectedVersion', "events with recordedAt need an exact expectedVersion (a number or 'no-stream'), so no other append can slip in between");
    }
    for (let i = 1; i < prepared.length; i++) {
      if ((prepared[i]?.recordedAt as Date) < (prepared[i - 1]?.recordedAt as Date)) {
        throw new InvalidEventError(`events[${i}].recordedAt`, 'is earlier than the event before it; times must not go backwards along a stream');
      }
    }
  }
  const condition = validateCondition(options?.condition);
  return condition ? { streamId, expectedVersion, events: prepared, condition } : { streamId, expectedVersion, events: prepared };
}

function prepareEvent(input: unknown, at: string, limits: StoreLimits, currentSchemaVersion: (type: string) => number): PreparedEvent {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InvalidEventError(at, `must be an object like { type, data }, got ${describe(input)}`);
  }
  const event = input as Record<string, unknown>;
  for (const key of Object.keys(event)) {
    if (!EVENT_KEYS.has(key) && event[key] !== undefined) {
      throw new InvalidEventError(`${at}.${key}`, 'is not a known field; an event has type, data, metadata, id, tags and schemaVersion');
    }
  }
  const type = event.type;
  if (typeof type !== 'string' || type.length === 0) throw new InvalidEventError(`${at}.type`, `must be a non-empty string, got ${describe(type)}`);
  if (type.length > MAX_TYPE_LENGTH) throw new InvalidEventError(`${at}.type`, `is ${type.length} characters, over ${MAX_TYPE_LENGTH}`);
  if (CONTROL.test(type) || !type.isWellFormed()) throw new InvalidEventError(`${at}.type`, 'contains control characters or invalid Unicode');

  if (!('data' in event) || event.data === undefined) throw new InvalidEventError(`${at}.data`, 'is missing; use null or {} for an event without data');
  assertJsonValue(event.data, `${at}.data`);
  const dataJson = JSON.stringify(event.data);

  let metadataJson = '{}';
  if (event.metadata !== undefined) {
    const metadata = event.metadata;
    if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
      throw new InvalidEventError(`${at}.metadata`, `must be an object, got ${describe(metadata)}`);
    }
    for (const key of ['correlationId', 'causationId', 'actor', 'tenant'] as const) {
      const v = (metadata as Record<string, unknown>)[key];
      if (v !== undefined && typeof v !== 'string') throw new InvalidEventError(`${at}.metadata.${key}`, `must be a string, got ${describe(v)}`);
    }
    assertJsonValue(metadata, `${at}.metadata`);
    metadataJson = JSON.stringify(metadata);
  }

  const size = dataJson.length + metadataJson.length;
  if (size * 3 > limits.maxEventBytes) {
    const bytes = utf8Length(dataJson) + utf8Length(metadataJson);
    if (bytes > limits.maxEventBytes) throw new EventTooLargeError(at, bytes, limits.maxEventBytes);
  }

  let eventId: string;
  if (event.id === undefined) eventId = uuidv7();
  else if (typeof event.id === 'string' && UUID.test(event.id)) eventId = event.id.toLowerCase();
  else throw new InvalidEventError(`${at}.id`, `must be a UUID string, got ${describe(event.id)}`);

  // New events are written at the newest schema the upcasters know of, unless told otherwise.
  let schemaVersion = currentSchemaVersion(type);
  if (event.schemaVersion !== undefined) {
    const sv = event.schemaVersion;
    if (typeof sv !== 'number' || !Number.isInteger(sv) || sv < 1 || sv > 2_147_483_647) {
      throw new InvalidEventError(`${at}.schemaVersion`, `must be a positive integer, got ${describe(sv)}`);
    }
    schemaVersion = sv;
  }

  const prepared: PreparedEvent = { eventId, type, schemaVersion, dataJson, metadataJson, tags: prepareTags(event.tags, `${at}.tags`) };
  if (event.recordedAt !== undefined) {
    const t = event.recordedAt;
    if (!(t instanceof Date) || Number.isNaN(t.getTime())) throw new InvalidEventError(`${at}.recordedAt`, `must be a valid Date, got ${describe(t)}`);
    if (t.getTime() > Date.now() + FUTURE_SLACK_MS) throw new InvalidEventError(`${at}.recordedAt`, `is in the future (${t.toISOString()})`);
    prepared.recordedAt = t;
  }
  return prepared;
}

function prepareTags(tags: unknown, at: string): readonly string[] {
  if (tags === undefined) return EMPTY;
  if (!Array.isArray(tags)) throw new InvalidEventError(at, `must be an array of strings, got ${describe(tags)}`);
  if (tags.length > MAX_TAGS) throw new InvalidEventError(at, `has ${tags.length} tags, over ${MAX_TAGS}`);
  const seen = new Set<string>();
  tags.forEach((tag: unknown, i) => {
    if (typeof tag !== 'string' || tag.length === 0 || tag.length > MAX_TYPE_LENGTH || CONTROL.test(tag) || !tag.isWellFormed()) {
      throw new InvalidEventError(`${at}[${i}]`, `must be a non-empty printable string of at most ${MAX_TYPE_LENGTH} characters`);
    }
    seen.add(tag);
  });
  return [...seen];
}

const EMPTY: readonly string[] = Object.freeze([]);

export function validatePosition(value: unknown, name: string): Position {
  if (typeof value === 'bigint' && value >= 0n) return value;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  throw new InvalidArgumentError(name, `expected a position (a bigint of 0 or more), got ${describe(value)}`);
}

export function validateCount(value: unknown, name: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 1 && value <= max) return value;
  throw new InvalidArgumentError(name, `expected an integer from 1 to ${max}, got ${describe(value)}`);
}

export function validateVersionBound(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  throw new InvalidArgumentError(name, `expected a stream version (an integer of 0 or more), got ${describe(value)}`);
}

export function validateNames(value: unknown, name: string): readonly string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && v.length > 0)) {
    throw new InvalidArgumentError(name, `expected an array of non-empty strings, got ${describe(value)}`);
  }
  return value as string[];
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  return `a ${typeof value}`;
}

export function validateListStreams(options: ListStreamsOptions): ListStreamsRequest {
  const request: ListStreamsRequest = { limit: validateCount(options.limit, 'limit', 100, 10_000), includeSystem: options.includeSystem === true };
  for (const key of ['prefix', 'category', 'afterStreamId'] as const) {
    const value: unknown = options[key];
    if (value === undefined) continue;
    if (typeof value !== 'string') throw new InvalidArgumentError(key, `expected a string, got ${describe(value)}`);
    request[key] = value;
  }
  return request;
}

export function validateEventId(value: unknown, name: string): string {
  if (typeof value === 'string' && UUID.test(value)) return value.toLowerCase();
  throw new InvalidArgumentError(name, `expected an event id (a UUID), got ${describe(value)}`);
}
