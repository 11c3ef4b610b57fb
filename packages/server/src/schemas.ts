import { type Static, Type } from 'typebox';
import { POSITION_PATTERN } from './positions.js';

/**
 * Request and response schemas. Requests are validated from them by Fastify (Ajv) and
 * /openapi.json is generated from them. Deeper event rules (control characters, NUL,
 * sizes, UUID form) are the store's, so every client of the store gets the same answers.
 */

const MAX_VERSION = Number.MAX_SAFE_INTEGER;

export const Position = Type.String({ pattern: POSITION_PATTERN, description: 'A global position as a decimal string.', examples: ['42'] });

export const StreamIdParams = Type.Object({
  id: Type.String({ description: 'Stream id, URL-encoded: 1–256 printable characters, by habit "category-id". Ids starting with "$" are reserved.' }),
});
export type StreamIdParams = Static<typeof StreamIdParams>;

export const Metadata = Type.Record(Type.String(), Type.Unknown(), {
  description: 'Free-form; correlationId, causationId, actor and tenant are strings Cairn understands.',
});

export const EventInput = Type.Object(
  {
    type: Type.String({ minLength: 1, maxLength: 200, examples: ['MoneyDeposited'] }),
    data: Type.Unknown({ description: 'Any JSON value (use null or {} for none).' }),
    metadata: Type.Optional(Metadata),
    id: Type.Optional(Type.String({ description: 'A UUID; resend the same id to make a retry idempotent. Generated when absent.' })),
    tags: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 64 })),
    schemaVersion: Type.Optional(Type.Integer({ minimum: 1, maximum: 2_147_483_647 })),
  },
  { additionalProperties: false },
);

export const ExpectedVersion = Type.Union(
  [Type.Integer({ minimum: 0, maximum: MAX_VERSION }), Type.Literal('any'), Type.Literal('no-stream'), Type.Literal('exists')],
  { description: 'The version the stream must be at (0 = absent), or "any", "no-stream", "exists". Same as If-Match.' },
);

export const AppendBody = Type.Object(
  {
    events: Type.Array(EventInput, { minItems: 1 }),
    expectedVersion: Type.Optional(ExpectedVersion),
  },
  { additionalProperties: false },
);
export type AppendBody = Static<typeof AppendBody>;

export const AppendHeaders = Type.Object({
  'if-match': Type.Optional(Type.String({ description: 'Expected version as an entity tag, e.g. "5"; * means the stream must exist.' })),
  'if-none-match': Type.Optional(Type.String({ description: '* means the stream must not exist yet.' })),
});

export const AppendResult = Type.Object({ streamId: Type.String(), version: Type.Integer(), position: Position });

export const StoredEvent = Type.Object({
  position: Position,
  streamId: Type.String(),
  version: Type.Integer({ minimum: 1 }),
  eventId: Type.String(),
  type: Type.String(),
  schemaVersion: Type.Integer(),
  data: Type.Unknown(),
  metadata: Metadata,
  tags: Type.Array(Type.String()),
  recordedAt: Type.String({ description: 'ISO-8601 instant.' }),
});

export const ReadStreamQuery = Type.Object({
  from: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_VERSION, description: 'First version (inclusive). Default 1, or the last version backward.' })),
  to: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_VERSION, description: 'Last version (inclusive).' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_VERSION, description: 'Page size (default 100, at most the server limit, 1,000 by default).' })),
  direction: Type.Optional(Type.Union([Type.Literal('forward'), Type.Literal('backward')])),
  until: Type.Optional(Type.String({ description: 'Only events recorded at or before this ISO-8601 instant: the stream as it was then.' })),
});
export type ReadStreamQuery = Static<typeof ReadStreamQuery>;

export const ReadStreamResult = Type.Object({
  streamId: Type.String(),
  version: Type.Integer({ description: 'The stream version the page was read at (also the ETag).' }),
  position: Position,
  events: Type.Array(StoredEvent),
  next: Type.Union([Type.Integer(), Type.Null()], { description: 'Pass as `from` for the next page; null at the end.' }),
});

export const ListStreamsQuery = Type.Object({
  prefix: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  category: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  after: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'Keyset paging: streams whose id sorts after this one.' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_VERSION })),
});
export type ListStreamsQuery = Static<typeof ListStreamsQuery>;

export const StreamInfo = Type.Object({
  streamId: Type.String(),
  category: Type.String(),
  version: Type.Integer(),
  position: Position,
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

export const ListStreamsResult = Type.Object({
  streams: Type.Array(StreamInfo),
  next: Type.Union([Type.String(), Type.Null()], { description: 'Pass as `after` for the next page; null at the end.' }),
});

const Names = Type.Array(Type.String({ minLength: 1, maxLength: 256 }), {
  maxItems: 100,
  description: 'Repeat the parameter or separate with commas.',
});

export const ReadAllQuery = Type.Object({
  after: Type.Optional(Position),
  types: Type.Optional(Names),
  categories: Type.Optional(Names),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_VERSION })),
});
export type ReadAllQuery = Static<typeof ReadAllQuery>;

export const ReadAllResult = Type.Object({
  events: Type.Array(StoredEvent),
  next: Position,
  hasMore: Type.Boolean({ description: 'True when reading again from `next` may return more events now.' }),
});

export const SubscribeQuery = Type.Object({
  after: Type.Optional(Type.Union([Position, Type.Literal('end')], { description: 'Start after this position ("end": live only). Last-Event-ID wins when present.' })),
  types: Type.Optional(Names),
  categories: Type.Optional(Names),
});
export type SubscribeQuery = Static<typeof SubscribeQuery>;

export const SubscribeHeaders = Type.Object({
  'last-event-id': Type.Optional(Type.String({ description: 'Resume after this position (sent by EventSource on reconnect).' })),
});

export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.String({ description: 'Stable error code, e.g. CONCURRENCY, INVALID_EVENT, UNAUTHORIZED.' }),
    detail: Type.String(),
    instance: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);

/** Problem responses for the given statuses, for the OpenAPI description. */
export function problems(...statuses: number[]): Record<number, unknown> {
  const out: Record<number, unknown> = {};
  for (const status of statuses) out[status] = { ...ProblemSchema, description: 'application/problem+json' };
  return out;
}
