import type { Duplex } from 'node:stream';
import cors from '@fastify/cors';
import Fastify, { type FastifyInstance } from 'fastify';
import type { CairnContext, RouteInfo } from './context.js';
import { KeyRing } from './keys/key-ring.js';
import { CairnMetrics } from './metrics.js';
import { resolveLimits, type ServerOptions } from './options.js';
import { authPlugin } from './plugins/auth.js';
import { clientErrorHandler, refuseConnect } from './plugins/client-errors.js';
import { errorsPlugin, sendProblem, toProblem } from './plugins/errors.js';
import { jsonBodyPlugin } from './plugins/json-body.js';
import { metricsPlugin } from './plugins/metrics.js';
import { openapiPlugin } from './plugins/openapi.js';
import { tracingPlugin } from './plugins/tracing.js';
import { apiRoutes } from './routes/index.js';
import { traceStore } from './traced-store.js';
import { createValidatorCompiler } from './validation.js';

export const INSECURE_DEV_WARNING =
  'INSECURE DEV MODE: authentication is OFF. Anyone who can reach this port can read and append every stream. Never use --insecure-dev outside a local demo.';

/**
 * The Cairn HTTP API as a Fastify instance, not yet listening: call `listen()` (or
 * `inject()` in tests). Closing the server ends SSE streams and stops following `$keys`;
 * the store stays open (it is the caller's).
 *
 * @example
 * const app = buildServer({ store: await openStore('sqlite:./data/cairn.db') });
 * await app.listen({ port: 4480, host: '127.0.0.1' });
 */
export function buildServer(options: ServerOptions): FastifyInstance {
  if (options?.store === undefined) throw new TypeError('buildServer needs { store }');
  const limits = resolveLimits(options.limits);
  const insecureDev = options.auth?.insecureDev === true;
  const store = options.tracing === false ? options.store : traceStore(options.store);

  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: limits.bodyLimit,
    // Stream ids may be 256 characters; a longer parameter is refused before routing (414).
    routerOptions: { maxParamLength: 1024 },
    trustProxy: options.trustProxy ?? false,
    return503OnClosing: true,
    // Slow or stuck clients are cut off instead of holding a socket and a parser for ever:
    // headers and body must arrive in time, and a connection on which nothing moves is
    // closed (live SSE streams send heartbeats, so they never look idle).
    requestTimeout: limits.requestTimeoutMs,
    connectionTimeout: limits.idleTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    http: {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      maxHeaderSize: limits.maxHeaderBytes,
      // Node would refuse an HTTP/1.1 request without Host with a bare 400 of its own; the
      // errors plugin refuses it the same way, as problem+json.
      requireHostHeader: false,
      // Node enforces the two timeouts above only when it sweeps its connections (every
      // 30 s by default): sweep often enough that a timeout means what it says.
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4))),
    },
    clientErrorHandler,
    // Errors raised before routing (a malformed URL) get the same problem+json as the rest.
    frameworkErrors: (error, request, reply) => {
      void sendProblem(reply, toProblem(error, request));
    },
  });

  app.server.on('connect', (_request, socket: Duplex) => refuseConnect(socket));

  const metrics = new CairnMetrics(options.metrics);
  // Untraced: following $keys is housekeeping that lives as long as the server, not a request.
  const keys = new KeyRing(options.store, {
    ...(options.auth?.keyRetryMs !== undefined ? { retryMs: options.auth.keyRetryMs } : {}),
    onError: (error) => app.log.warn({ err: error }, 'following the $keys stream failed; retrying'),
  });
  const routes: RouteInfo[] = [];
  const cairn: CairnContext = { store, metrics, keys, limits, insecureDev, routes };
  app.decorate('cairn', cairn);
  // The route table with each route's role, for audits: a test walks it and fails on a route
  // that declares none (such a route is not open, it needs admin, but it should say so).
  app.addHook('onRoute', (route) => {
    const role = route.config?.role;
    for (const method of Array.isArray(route.method) ? route.method : [route.method]) routes.push({ method: String(method), url: route.url, role });
  });

  app.setValidatorCompiler(createValidatorCompiler());
  // Response schemas document the API; bodies are serialized with JSON.stringify, so event
  // data of any shape goes out exactly as stored, never filtered through a schema.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  app.register(errorsPlugin, { ...(options.errorStatus ? { errorStatus: options.errorStatus } : {}) });
  app.register(jsonBodyPlugin);
  app.register(tracingPlugin);
  if (options.cors) {
    app.register(cors, {
      origin: options.cors.origin,
      allowedHeaders: ['Authorization', 'Content-Type', 'If-Match', 'If-None-Match', 'Last-Event-ID'],
      exposedHeaders: ['ETag'],
      methods: ['GET', 'POST'],
    });
  }
  app.register(authPlugin);
  app.register(openapiPlugin);
  app.register(metricsPlugin, { public: options.metrics?.public === true });
  app.register(apiRoutes);
  for (const extension of options.extensions ?? []) {
    app.register(extension.plugin, { cairn, ...(extension.prefix ? { prefix: extension.prefix } : {}) });
  }

  // Every answer is data for a program, never a page to sniff into HTML (the console's files
  // set their own, stricter headers).
  // onSend, not onRequest: it also runs for errors thrown by earlier hooks (auth, Host).
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    return payload;
  });

  app.addHook('onReady', async () => {
    if (insecureDev) app.log.warn(INSECURE_DEV_WARNING);
    await keys.start();
  });
  app.addHook('onClose', async () => {
    await keys.stop();
  });
  return app;
}
