import { ErrorCodes, type ErrorCode } from './error-codes.js';
import type { ExpectedVersion } from './types.js';

/**
 * Base class of every error Cairn throws. `code` is stable across releases;
 * `details` holds the structured facts (stream, version, field) the message names.
 */
export class CairnError extends Error {
  /** One of `ErrorCodes`, or a domain error's own code. */
  readonly code: ErrorCode | (string & {});
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode | (string & {}), message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.details = Object.freeze({ ...details });
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, ...this.details };
  }
}

/** True when `error` is a CairnError, optionally with the given code. */
export function isCairnError(error: unknown, code?: ErrorCode | (string & {})): error is CairnError {
  return error instanceof CairnError && (code === undefined || error.code === code);
}

function describeExpected(expected: ExpectedVersion | 'condition'): string {
  if (typeof expected === 'number') return `version ${expected}`;
  return expected;
}

/** The stream was not at the expected version: somebody else appended first. */
export class ConcurrencyError extends CairnError {
  readonly streamId: string;
  readonly expected: ExpectedVersion | 'condition';
  /** The stream's version when the append was refused; 0 when it does not exist. */
  readonly actual: number;

  constructor(streamId: string, expected: ExpectedVersion | 'condition', actual: number, message?: string) {
    super(
      ErrorCodes.CONCURRENCY,
      message ??
        `Stream "${streamId}" is at version ${actual}, but the append expected ${describeExpected(expected)}. ` +
          'Another writer got there first: reload the stream, decide again and retry.',
      { streamId, expected, actual },
    );
    this.streamId = streamId;
    this.expected = expected;
    this.actual = actual;
  }
}

/** An event id is already stored, but with different content. */
export class IdempotencyError extends CairnError {
  readonly streamId: string;
  readonly eventId: string;

  constructor(streamId: string, eventId: string, reason: string) {
    super(
      ErrorCodes.IDEMPOTENCY_CONFLICT,
      `Event id ${eventId} (append to stream "${streamId}") is already stored ${reason}. ` +
        'Resending an append with the same ids is safe only with the same content; use a fresh id for a new event.',
      { streamId, eventId },
    );
    this.streamId = streamId;
    this.eventId = eventId;
  }
}

/** An event is malformed; `field` names the offending part, e.g. `events[2].data.amount`. */
export class InvalidEventError extends CairnError {
  readonly field: string;

  constructor(field: string, problem: string, details: Record<string, unknown> = {}) {
    super(ErrorCodes.INVALID_EVENT, `Invalid event: ${field} ${problem}. Nothing was written.`, { field, ...details });
    this.field = field;
  }
}

export class InvalidStreamIdError extends CairnError {
  constructor(streamId: unknown, problem: string) {
    const shown = typeof streamId === 'string' ? JSON.stringify(streamId.slice(0, 80)) : String(typeof streamId);
    super(
      ErrorCodes.INVALID_STREAM_ID,
      `Invalid stream id ${shown}: ${problem}. Use 1 to 256 printable characters, by habit "category-id" (e.g. "account-42").`,
      { streamId: typeof streamId === 'string' ? streamId : undefined },
    );
  }
}

export class EventTooLargeError extends CairnError {
  readonly field: string;
  readonly bytes: number;
  readonly limit: number;

  constructor(field: string, bytes: number, limit: number) {
    super(
      ErrorCodes.EVENT_TOO_LARGE,
      `${field} is ${bytes} bytes of JSON, over the store's limit of ${limit} bytes. Nothing was written. ` +
        'Keep large blobs outside the event store and put a reference in the event, or raise maxEventBytes.',
      { field, bytes, limit },
    );
    this.field = field;
    this.bytes = bytes;
    this.limit = limit;
  }
}

export class BatchTooLargeError extends CairnError {
  readonly count: number;
  readonly limit: number;

  constructor(streamId: string, count: number, limit: number) {
    super(
      ErrorCodes.BATCH_TOO_LARGE,
      `An append to stream "${streamId}" carries ${count} events, over the limit of ${limit}. Nothing was written. ` +
        'Split it into several appends, or raise maxBatchEvents.',
      { streamId, count, limit },
    );
    this.count = count;
    this.limit = limit;
  }
}

export class InvalidArgumentError extends CairnError {
  readonly argument: string;

  constructor(argument: string, problem: string) {
    super(ErrorCodes.INVALID_ARGUMENT, `Invalid argument ${argument}: ${problem}.`, { argument });
    this.argument = argument;
  }
}

export class StreamNotFoundError extends CairnError {
  readonly streamId: string;

  constructor(streamId: string) {
    super(ErrorCodes.STREAM_NOT_FOUND, `Stream "${streamId}" does not exist. Check the id; a stream is created by its first append.`, {
      streamId,
    });
    this.streamId = streamId;
  }
}

export class StoreClosedError extends CairnError {
  constructor(operation: string) {
    super(ErrorCodes.STORE_CLOSED, `Cannot ${operation}: the store was closed. Open a new store.`, { operation });
  }
}

export class StoreUnavailableError extends CairnError {
  constructor(message: string, cause?: unknown) {
    super(ErrorCodes.STORE_UNAVAILABLE, message, {}, { cause });
  }
}

export class UnsupportedStoreUrlError extends CairnError {
  constructor(url: string, problem: string) {
    super(
      ErrorCodes.UNSUPPORTED_STORE_URL,
      `Cannot open store "${url}": ${problem}. Use "memory:", "sqlite:<path>" (or "sqlite::memory:") or "postgres://user@host:port/db".`,
      { url },
    );
  }
}

export class MigrationError extends CairnError {
  constructor(message: string, cause?: unknown) {
    super(ErrorCodes.MIGRATION_FAILED, message, {}, { cause });
  }
}

export class SchemaTooNewError extends CairnError {
  constructor(found: number, supported: number) {
    super(
      ErrorCodes.SCHEMA_TOO_NEW,
      `The database schema is at version ${found}, newer than the ${supported} this Cairn knows. Upgrade Cairn before using this database.`,
      { found, supported },
    );
  }
}

/** An old event could not be upcast: a step of its chain is missing, or an upcaster threw. */
export class UpcastError extends CairnError {
  constructor(type: string, fromVersion: number, toVersion: number, where: { streamId: string; version: number; eventId: string }, problem: string, cause?: unknown) {
    super(
      ErrorCodes.UPCAST_FAILED,
      `Cannot upcast event "${type}" from schema version ${fromVersion} to ${toVersion} ` +
        `(stream "${where.streamId}" version ${where.version}, event ${where.eventId}): ${problem}. ` +
        'The stored event is unchanged; add or fix the upcaster for this step.',
      { type, fromVersion, toVersion, ...where },
      { cause },
    );
  }
}

/**
 * A command broke a business rule. Subclass it with your own code:
 *
 * @example
 * class InsufficientFunds extends DomainError {
 *   constructor(balance: number, amount: number) {
 *     super('INSUFFICIENT_FUNDS', `Cannot withdraw ${amount}: the balance is ${balance}.`, { balance, amount });
 *   }
 * }
 *
 * The command handler never retries a DomainError.
 */
export class DomainError extends CairnError {
  constructor(code: string = ErrorCodes.DOMAIN_RULE, message = 'The command was rejected by a business rule.', details: Record<string, unknown> = {}) {
    super(code, message, details);
  }
}

/**
 * A conditional append was refused: an event matching its condition's query was committed
 * after the position the decision was based on. Reload with the query, decide again, retry.
 */
export function conditionFailed(streamId: string, after: bigint, conflicting: bigint | undefined, actual: number): ConcurrencyError {
  const error = new ConcurrencyError(
    streamId,
    'condition',
    actual,
    `The append to "${streamId}" was refused: an event matching its condition was committed after position ${after}` +
      `${conflicting === undefined ? '' : ` (at position ${conflicting})`}. Read with the query again, decide again and retry.`,
  );
  return error;
}
