export type { EventStore } from './event-store.js';
export type {
  AppendOptions,
  AppendResult,
  Direction,
  EventInput,
  EventMetadata,
  EventShape,
  EventStream,
  ExpectedVersion,
  ListStreamsOptions,
  Position,
  ReadAllOptions,
  ReadStreamOptions,
  StoredEvent,
  StreamInfo,
  SubscribeOptions,
} from './types.js';
export { ErrorCodes, type ErrorCode } from './error-codes.js';
export {
  BatchTooLargeError,
  CairnError,
  ConcurrencyError,
  EventTooLargeError,
  IdempotencyError,
  InvalidArgumentError,
  InvalidEventError,
  InvalidStreamIdError,
  isCairnError,
  MigrationError,
  SchemaTooNewError,
  StoreClosedError,
  StoreUnavailableError,
  StreamNotFoundError,
  UnsupportedStoreUrlError,
} from './errors.js';
export { createMemoryStore, type MemoryStoreOptions } from './memory/create-memory-store.js';
export { DEFAULT_STORE_URL, openStore, registerStoreDriver } from './open-store.js';

// For store implementers: the backend contract and the helpers every backend shares.
export type { AllPage, AllPageRequest, AppendRequest, ListStreamsRequest, PreparedEvent, StoreBackend, StreamPageRequest, Wakeups } from './backend.js';
export { createEventStore, type EventStoreOptions } from './create-event-store.js';
export { resolveDuplicateAppend } from './duplicate.js';
export { assertExpectedVersion, categoryOf, versionMatches } from './expected-version.js';
export { Notifier } from './notifier.js';
export { DEFAULT_LIMITS, type StoreLimits } from './validate.js';
