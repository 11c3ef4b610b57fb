import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { cairnTracer } from '../traced-store.js';

/**
 * One SERVER span per request (`GET /streams/:id`), continuing an incoming W3C trace
 * context when the app registered a propagator. The rest of the request runs inside the
 * span's context, so the store spans (`cairn.append`, …) become its children. The span
 * ends when the response closes, which also covers SSE streams that Fastify hands over.
 */
export const tracingPlugin = fp(
  async (app: FastifyInstance) => {
    const tracer = cairnTracer();
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
      reply.raw.once('close', () => {
        const status = reply.raw.statusCode;
        span.setAttribute('http.response.status_code', status);
        if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      });
      context.with(trace.setSpan(parent, span), done);
    });
  },
  { name: 'cairn-tracing', fastify: '5.x' },
);
