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
  Query,
  QueryItem,
  QueryResult,
  ReadAllOptions,
  ReadQueryOptions,
  AppendCondition,
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
export type { AllPage, AllPageRequest, AppendRequest, ListStreamsRequest, PreparedEvent, QueryPageRequest, StoreBackend, StreamPageRequest, Wakeups } from './backend.js';
export { createEventStore, type EventStoreOptions } from './create-event-store.js';
export { resolveDuplicateAppend } from './duplicate.js';
export { assertExpectedVersion, categoryOf, versionMatches } from './expected-version.js';
export { Notifier } from './notifier.js';
export { DEFAULT_LIMITS, type StoreLimits } from './validate.js';

// Schema evolution and snapshots.
export { upcaster, type Upcaster } from './upcasting/upcasters.js';
export type { Snapshot, SnapshotStore } from './snapshots/snapshot-store.js';
export type { SnapshotBackend, StoredSnapshot } from './backend.js';
export { conditionFailed, DomainError, UpcastError } from './errors.js';
export { matchesQuery, streamForTags } from './dcb/query.js';

// Domain modelling: deciders, aggregates, the command handler, snapshots policies, time travel.
export { type Decider, fold } from './domain/decider.js';
export {
  type CommandHandler,
  type CommandHandlerOptions,
  createCommandHandler,
  type HandleOptions,
  type HandleResult,
} from './domain/command-handler.js';
export { type Loaded, type SnapshotOptions, stateAt as loadAt, type TimePoint } from './domain/load-state.js';
export { type SnapshotContext, type SnapshotPolicy, snapshotEvery, snapshotWhenLoadCosts } from './domain/snapshot-policy.js';
export type { RetryOptions } from './domain/retry.js';
export { commandEventId } from './domain/command-id.js';
export { Aggregate } from './domain/aggregate.js';
export {
  type AggregateCommand,
  aggregateDecider,
  type AggregateRepository,
  type AggregateRepositoryOptions,
  aggregateRepository,
} from './domain/aggregate-repository.js';
export { type ReplayOptions, replayInto } from './domain/replay.js';
export {
  createDecisionHandler,
  type DecisionHandler,
  type DecisionHandlerOptions,
  type DecisionResult,
} from './domain/decision-handler.js';

// Projections: inline and async read models, rebuilds, leases, dead letters, lag.
export type { SqlAccess, SqlExecutor, Lease } from './sql.js';
export { toSqlitePlaceholders } from './sql.js';
export { partitionOf } from './partition.js';
export type { InlineHandler, PartitionFilter } from './backend.js';
export type { DeadLetter, GenerationState, Projection, ProjectionContext, ProjectionReport, ProjectionStatus, SetupContext } from './projections/types.js';
export { defineProjection } from './projections/define-projection.js';
export { createProjectionRunner, type ProjectionRunner, type ProjectionRunnerOptions } from './projections/runner.js';
export { projectionAdmin, type ProjectionAdmin } from './projections/admin.js';

// Tamper evidence.
export { type ChainFields, chainInput, type IntegrityProblem, type IntegrityReport, type IntegrityRow } from './integrity.js';

// Personal data and crypto-shredding.
export { type ForgetResult, type PersonalDataRule, type PersonalDataRules, REDACTED } from './privacy/personal-data.js';
export type { KeyBackend } from './backend.js';
