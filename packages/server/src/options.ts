import type { EventStore } from '@cairn/core';
import type { FastifyPluginAsync, FastifyServerOptions } from 'fastify';
import type { CairnContext } from './context.js';
import type { MetricsOptions } from './metrics.js';

export interface ServerLimits {
  /** Largest request body, in bytes. Default 5 MiB. Bigger bodies get 413 PAYLOAD_TOO_LARGE. */
  bodyLimit?: number;
  /** Default page size of GET /streams/:id, /streams and /events. Default 100. */
  defaultPageSize?: number;
  /** Largest `limit` a client may ask for. Default 1,000. */
  maxPageSize?: number;
  /** Most SSE subscribers at once; more get 503 TOO_MANY_SUBSCRIBERS. Default 1,000. */
  maxSubscribers?: number;
  /** Interval of SSE heartbeat comments, which keep proxies from closing idle streams. Default 15,000 ms. */
  heartbeatMs?: number;
  /**
   * Most events GET /events scans for a key limited to a stream prefix (it filters the global
   * log server-side) before answering with what it found and `hasMore: true`. Default 10,000.
   */
  scanBudget?: number;
  /**
   * Time a client has to send a whole request, headers and body, from its first byte. A
   * client that trickles its body (or never finishes it) is answered 408 REQUEST_TIMEOUT and
   * cut off. Default 30,000 ms.
   */
  requestTimeoutMs?: number;
  /** Time a client has to send the request line and headers. Default 10,000 ms (slow-loris). */
  headersTimeoutMs?: number;
  /**
   * A connection on which nothing moves either way for this long is closed, even mid-request
   * (an SSE stream whose client stopped reading, say). Must exceed `heartbeatMs`, which keeps
   * live SSE streams moving. Default 120,000 ms.
   */
  idleTimeoutMs?: number;
  /** How long an idle keep-alive connection stays open between requests. Default 72,000 ms. */
  keepAliveTimeoutMs?: number;
  /** Largest request line plus headers, in bytes. More is 431 HEADERS_TOO_LARGE. Default 16 KiB. */
  maxHeaderBytes?: number;
}

export interface AuthOptions {
  /**
   * Open every route without a key, for local demos only. The server logs a loud warning at
   * start. Default false: every route except /health, /ready and /openapi.json needs a key.
   */
  insecureDev?: boolean;
  /** Wait before re-following the `$keys` stream after a store error. Default 1,000 ms. */
  keyRetryMs?: number;
}

export interface CorsOptions {
  /** Allowed origins, e.g. ['https://console.example.com']; `true` reflects any origin. */
  origin: string[] | true;
}

/**
 * A Fastify plugin registered inside the API, after the built-in routes: the seam for later
 * endpoints (projections, snapshots, dead letters). It sees `app.cairn` (store, metrics,
 * stream access checks) and gets auth, problem+json errors, metrics and tracing for free.
 * Each route declares its role with `config: { role: 'read' | 'write' | 'admin' | 'public' }`;
 * a route that declares none needs `admin`.
 */
export interface ServerExtension {
  name: string;
  plugin: FastifyPluginAsync<{ cairn: CairnContext }>;
  /** URL prefix, e.g. '/projections'. */
  prefix?: string;
}

export interface ServerOptions {
  store: EventStore;
  auth?: AuthOptions;
  limits?: ServerLimits;
  /** Fastify's logger option: `true`, `false` (default) or a pino config such as `{ level: 'info' }`. */
  logger?: FastifyServerOptions['logger'];
  /** CORS is off unless origins are given. */
  cors?: CorsOptions | false;
  metrics?: MetricsOptions;
  /** Wrap the store in OpenTelemetry spans. Default true (no-op without an SDK). */
  tracing?: boolean;
  /** Trust X-Forwarded-* from a proxy in front. Default false. */
  trustProxy?: FastifyServerOptions['trustProxy'];
  extensions?: readonly ServerExtension[];
  /** Extra code → HTTP status entries for errors thrown by extensions. */
  errorStatus?: Readonly<Record<string, number>>;
}

export interface ResolvedLimits {
  bodyLimit: number;
  defaultPageSize: number;
  maxPageSize: number;
  maxSubscribers: number;
  heartbeatMs: number;
  scanBudget: number;
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  idleTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxHeaderBytes: number;
}

export const DEFAULT_BODY_LIMIT = 5 * 1024 * 1024;

export function resolveLimits(limits: ServerLimits = {}): ResolvedLimits {
  const resolved: ResolvedLimits = {
    bodyLimit: limits.bodyLimit ?? DEFAULT_BODY_LIMIT,
    defaultPageSize: limits.defaultPageSize ?? 100,
    maxPageSize: limits.maxPageSize ?? 1000,
    maxSubscribers: limits.maxSubscribers ?? 1000,
    heartbeatMs: limits.heartbeatMs ?? 15_000,
    scanBudget: limits.scanBudget ?? 10_000,
    requestTimeoutMs: limits.requestTimeoutMs ?? 30_000,
    headersTimeoutMs: limits.headersTimeoutMs ?? 10_000,
    idleTimeoutMs: limits.idleTimeoutMs ?? 120_000,
    keepAliveTimeoutMs: limits.keepAliveTimeoutMs ?? 72_000,
    maxHeaderBytes: limits.maxHeaderBytes ?? 16 * 1024,
  };
  for (const [name, value] of Object.entries(resolved)) {
    if (!Number.isSafeInteger(value) || value < 1) throw new TypeError(`limits.${name} must be a positive integer, got ${String(value)}`);
  }
  if (resolved.defaultPageSize > resolved.maxPageSize) throw new TypeError('limits.defaultPageSize must not exceed limits.maxPageSize');
  // Node refuses a headers timeout longer than the request timeout; say so in our terms.
  if (resolved.headersTimeoutMs > resolved.requestTimeoutMs) throw new TypeError('limits.headersTimeoutMs must not exceed limits.requestTimeoutMs');
  // A live SSE stream that is quiet between events must not look idle.
  if (resolved.idleTimeoutMs <= resolved.heartbeatMs) throw new TypeError('limits.idleTimeoutMs must exceed limits.heartbeatMs');
  return resolved;
}
