import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { cairnTracer } from '../traced-store.js';

/**
 * One SERVER span per request (`GET /streams/:id`), continuing an incoming W3C trace
 * context when the app registered a propagator. The rest of the request runs inside the
 * span's context, so the store spans (`cairn.append`, …) become its children. The span
 * ends with the response, or when the socket closes for SSE streams that Fastify hands over.
 */
export const tracingPlugin = fp(
  async (app: FastifyInstance) => {
    const tracer = cairnTracer();
    // Ends on onResponse, or on the socket's close for responses Fastify hands over (SSE).
    const spans = new WeakMap<object, () => void>();
    app.addHook('onRequest', (request, reply, done) => {
      const route = request.routeOptions.url ?? 'unmatched';
      const parent = propagation.extract(context.active(), request.headers);
      const span = tracer.startSpan(
        `${request.method} ${route}`,
        {
          kind: SpanKind.SERVER,
          attributes: { 'http.request.method': request.method, 'http.route': route, 'url.path': request.url.split('?')[0] ?? '' },
        },
        parent,
      );
      let ended = false;
      const end = (): void => {
        if (ended) return;
        ended = true;
        const status = reply.raw.statusCode;
        span.setAttribute('http.response.status_code', status);
        if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      };
      spans.set(request, end);
      reply.raw.once('close', end);
      context.with(trace.setSpan(parent, span), done);
    });
    app.addHook('onResponse', (request, _reply, done) => {
      spans.get(request)?.();
      done();
    });
  },
  { name: 'cairn-tracing', fastify: '5.x' },
);
