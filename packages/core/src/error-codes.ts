/**
 * Every error Cairn throws carries one of these stable codes. Tests and programs
 * branch on the code; people read the message. The HTTP status for each code is
 * chosen by the server, not here.
 *
 * | code                  | meaning                                                    | what to do                                               |
 * |-----------------------|------------------------------------------------------------|----------------------------------------------------------|
 * | CONCURRENCY           | the stream's version is not the one the append expected    | reload the stream, decide again, retry                   |
 * | IDEMPOTENCY_CONFLICT  | an event id is already stored with other content           | use a fresh event id, or resend the original content     |
 * | INVALID_EVENT         | an event is malformed (type, data, metadata, id, tags)     | fix the field named in the message                       |
 * | INVALID_STREAM_ID     | a stream id is empty, too long or has control characters   | use 1–256 printable characters, `category-id` by habit   |
 * | EVENT_TOO_LARGE       | one event's JSON is over the store's `maxEventBytes`       | store large blobs elsewhere and keep a reference         |
 * | BATCH_TOO_LARGE       | one append carries more events than `maxBatchEvents`       | split the append, or raise the limit                     |
 * | INVALID_ARGUMENT      | an option has the wrong type or range                      | fix the option named in the message                      |
 * | STREAM_NOT_FOUND      | an operation needs a stream that does not exist            | check the id; create the stream by appending to it       |
 * | STORE_CLOSED          | the store was closed                                       | open a new store                                         |
 * | STORE_UNAVAILABLE     | the database cannot be reached or refused the operation    | check the connection; the message says how               |
 * | UNSUPPORTED_STORE_URL | `openStore` got a URL it does not know                     | use memory:, sqlite:<path> or postgres://…               |
 * | MIGRATION_FAILED      | the schema could not be created or upgraded                | read the cause; the database is left at its old version  |
 * | SCHEMA_TOO_NEW        | the database was migrated by a newer Cairn                 | upgrade this program                                     |
 * | UPCAST_FAILED         | an old event could not be brought to its current schema    | add the missing upcaster step or fix the one that threw  |
 * | DOMAIN_RULE           | a command broke a business rule (default DomainError code) | show the message; domain errors are never retried        |
 */
export const ErrorCodes = {
  CONCURRENCY: 'CONCURRENCY',
  IDEMPOTENCY_CONFLICT: 'IDEMPOTENCY_CONFLICT',
  INVALID_EVENT: 'INVALID_EVENT',
  INVALID_STREAM_ID: 'INVALID_STREAM_ID',
  EVENT_TOO_LARGE: 'EVENT_TOO_LARGE',
  BATCH_TOO_LARGE: 'BATCH_TOO_LARGE',
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  STREAM_NOT_FOUND: 'STREAM_NOT_FOUND',
  STORE_CLOSED: 'STORE_CLOSED',
  STORE_UNAVAILABLE: 'STORE_UNAVAILABLE',
  UNSUPPORTED_STORE_URL: 'UNSUPPORTED_STORE_URL',
  MIGRATION_FAILED: 'MIGRATION_FAILED',
  SCHEMA_TOO_NEW: 'SCHEMA_TOO_NEW',
  UPCAST_FAILED: 'UPCAST_FAILED',
  DOMAIN_RULE: 'DOMAIN_RULE',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];
