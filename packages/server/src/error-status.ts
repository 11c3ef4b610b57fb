import { ServerErrorCodes } from './problem.js';

/**
 * HTTP status for each error code. Core errors carry no status (the mapping belongs to the
 * transport); this table is the one place it is decided.
 *
 * | code                         | status | why                                                     |
 * |------------------------------|--------|---------------------------------------------------------|
 * | CONCURRENCY                  | 409    | the stream moved on: reload and retry                   |
 * | IDEMPOTENCY_CONFLICT         | 409    | the event id is taken by other content                  |
 * | INVALID_EVENT                | 400    | malformed event (the `field` member names it)           |
 * | INVALID_STREAM_ID            | 400    | bad or reserved (`$…`) stream id                        |
 * | INVALID_ARGUMENT             | 400    | a query or body option out of range                     |
 * | BATCH_TOO_LARGE              | 400    | more events than the store accepts in one append        |
 * | MALFORMED_JSON               | 400    | the body is not JSON                                    |
 * | INVALID_REQUEST              | 400    | the request does not match the route's schema           |
 * | UNAUTHORIZED                 | 401    | no, malformed, unknown or revoked API key               |
 * | FORBIDDEN                    | 403    | the key's role or stream prefix does not allow this     |
 * | REQUEST_TIMEOUT              | 408    | headers or body not sent in time (slow or stuck client) |
 * | STREAM_NOT_FOUND / NOT_FOUND | 404    | unknown stream / unknown route                          |
 * | EVENT_TOO_LARGE              | 413    | one event over the store's maxEventBytes                |
 * | PAYLOAD_TOO_LARGE            | 413    | the body is over the server's bodyLimit                 |
 * | URI_TOO_LONG                 | 414    | a path segment over 1,024 characters                    |
 * | UNSUPPORTED_MEDIA_TYPE       | 415    | send `Content-Type: application/json`                   |
 * | HEADERS_TOO_LARGE            | 431    | request line and headers over the server's limit        |
 * | DOMAIN_RULE (any DomainError)| 422    | a command broke a business rule                         |
 * | STORE_UNAVAILABLE            | 503    | the database is unreachable (details only in the log)   |
 * | STORE_CLOSED                 | 503    | the server is shutting down                             |
 * | TOO_MANY_SUBSCRIBERS         | 503    | the SSE subscriber limit is reached                     |
 * | anything else                | 500    | INTERNAL: a bug; details only in the log                |
 */
export const ERROR_STATUS: Readonly<Record<string, number>> = Object.freeze({
  CONCURRENCY: 409,
  IDEMPOTENCY_CONFLICT: 409,
  INVALID_EVENT: 400,
  INVALID_STREAM_ID: 400,
  INVALID_ARGUMENT: 400,
  BATCH_TOO_LARGE: 400,
  STREAM_NOT_FOUND: 404,
  EVENT_TOO_LARGE: 413,
  DOMAIN_RULE: 422,
  STORE_UNAVAILABLE: 503,
  STORE_CLOSED: 503,
  [ServerErrorCodes.MALFORMED_JSON]: 400,
  [ServerErrorCodes.INVALID_REQUEST]: 400,
  [ServerErrorCodes.UNAUTHORIZED]: 401,
  [ServerErrorCodes.FORBIDDEN]: 403,
  [ServerErrorCodes.NOT_FOUND]: 404,
  [ServerErrorCodes.PAYLOAD_TOO_LARGE]: 413,
  [ServerErrorCodes.UNSUPPORTED_MEDIA_TYPE]: 415,
  [ServerErrorCodes.TOO_MANY_SUBSCRIBERS]: 503,
  [ServerErrorCodes.REQUEST_TIMEOUT]: 408,
  [ServerErrorCodes.HEADERS_TOO_LARGE]: 431,
  [ServerErrorCodes.URI_TOO_LONG]: 414,
});

/** The status for `code`; `overrides` lets an extension map codes of its own. */
export function statusForCode(code: string, overrides: Readonly<Record<string, number>> = {}): number {
  return overrides[code] ?? ERROR_STATUS[code] ?? 500;
}
