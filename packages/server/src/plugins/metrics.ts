import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

export interface MetricsPluginOptions {
  /** Serve /metrics without a key. */
  public: boolean;
}

/**
 * HTTP request metrics for every route and the `GET /metrics` endpoint. Routes are labelled
 * by template (`/streams/:id`), never by URL, so label cardinality stays bounded.
 */
export const metricsPlugin = fp<MetricsPluginOptions>(
  async (app: FastifyInstance, options) => {
    const { metrics } = app.cairn;

    // onResponse sees every ordinary response (also under inject()); the socket's close
    // covers what Fastify hands over (SSE) and clients that hang up. Whichever comes first counts.
    const recorded = new WeakSet<object>();
    const record = (request: FastifyRequest, reply: FastifyReply): void => {
      if (recorded.has(request)) return;
      recorded.add(request);
      const labels = { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.raw.statusCode) };
      metrics.httpRequests.inc(labels);
      // An SSE response lasts as long as the subscriber stays: not a latency.
      if (!String(reply.raw.getHeader('content-type') ?? '').startsWith('text/event-stream')) {
        metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
      }
    };
    app.addHook('onRequest', (request, reply, done) => {
      reply.raw.once('close', () => record(request, reply));
      done();
    });
    app.addHook('onResponse', (request, reply, done) => {
      record(request, reply);
      done();
    });

    app.get(
      '/metrics',
      {
        config: { role: options.public ? 'public' : 'read' },
        schema: {
          summary: 'Prometheus metrics',
          description: 'Append latency, events appended, HTTP requests, SSE subscribers and lag, process metrics. Text exposition format.',
          tags: ['operations'],
          ...(options.public ? { security: [] } : {}),
          produces: ['text/plain'],
        },
      },
      async (_request, reply) => {
        reply.type(metrics.registry.contentType);
        return metrics.registry.metrics();
      },
    );
  },
  { name: 'cairn-metrics', fastify: '5.x' },
);
