export { buildServer, INSECURE_DEV_WARNING } from './build-server.js';
export type { AuthOptions, CorsOptions, ServerExtension, ServerLimits, ServerOptions } from './options.js';
export { DEFAULT_BODY_LIMIT } from './options.js';
export type { CairnContext, RouteInfo, RouteRole } from './context.js';
export { ERROR_STATUS, statusForCode } from './error-status.js';
export { HttpProblem, PROBLEM_CONTENT_TYPE, type Problem, ServerErrorCodes, type ServerErrorCode } from './problem.js';
export { assertStreamAccess, canSeeStream } from './stream-access.js';
export { eventToJson, type EventJson } from './event-json.js';
export { MAX_POSITION, parsePosition } from './positions.js';
export { isRole, ROLES, roleAllows, type Role } from './roles.js';
export { CairnMetrics, type MetricsOptions } from './metrics.js';
export { cairnTracer, traceStore } from './traced-store.js';
export { KeyRing, type Principal } from './keys/key-ring.js';
export { KEYS_STREAM, type ApiKeyInfo } from './keys/key-events.js';
export {
  ApiKeyNotFoundError,
  createApiKey,
  type CreateApiKeyOptions,
  type CreatedApiKey,
  isApiKeyNotFound,
  listApiKeys,
  revokeApiKey,
} from './keys/manage-keys.js';
export { generateApiKey, hashApiKey } from './keys/api-key.js';
export { projectionsExtension, type ProjectionsExtensionOptions } from './extensions/projections.js';
export { staticFiles, type StaticFilesOptions } from './extensions/static-files.js';
