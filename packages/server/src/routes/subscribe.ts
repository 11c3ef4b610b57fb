import type { Position } from '@cairn/core';
import type { FastifyInstance } from 'fastify';
import { eventToJson } from '../event-json.js';
import { parsePosition } from '../positions.js';
import { HttpProblem, problem, ServerErrorCodes } from '../problem.js';
import { problems, SubscribeHeaders, SubscribeQuery } from '../schemas.js';
import { canSeeStream } from '../stream-access.js';
import { names } from './paging.js';
import { writeSse } from './sse-writer.js';

/**
 * `GET /subscribe`: Server-Sent Events. Catch up from `after` (or from `Last-Event-ID`, which
 * EventSource sends on reconnect), then follow live. Each event's SSE id is its position, so
 * a client that reconnects resumes exactly after the last event it received: the store's
 * subscription delivers every event once, in order, and resuming after a position neither
 * skips nor repeats.
 */
export async function subscribeRoute(app: FastifyInstance): Promise<void> {
  const { store, metrics, limits, keys, insecureDev } = app.cairn;
  const open = new Set<AbortController>();
  let shuttingDown = false;

  // Before the server stops accepting: end every stream, or close() would wait for them.
  app.addHook('preClose', async () => {
    shuttingDown = true;
    for (const controller of open) controller.abort();
  });

  app.get<{ Querystring: SubscribeQuery; Headers: { 'last-event-id'?: string } }>(
    '/subscribe',
    {
      config: { role: 'read' },
      schema: {
        summary: 'Subscribe to the global log (SSE)',
        description:
          'text/event-stream. Each message: `id: <position>` and `data: <event JSON>`. Heartbeat comments keep the connection alive. ' +
          'Reconnect with Last-Event-ID to resume without gaps or repeats. System ($) streams are never included.',
        tags: ['log'],
        querystring: SubscribeQuery,
        headers: SubscribeHeaders,
        response: { 200: { description: 'An endless text/event-stream', type: 'string' }, ...problems(400, 401, 403, 503) },
      },
    },
    async (request, reply) => {
      if (metrics.subscriberCount >= limits.maxSubscribers) {
        throw new HttpProblem(503, ServerErrorCodes.TOO_MANY_SUBSCRIBERS, `This server already serves ${limits.maxSubscribers} subscribers; retry later or use another instance.`);
      }
      const lastEventId = request.headers['last-event-id'];
      let after: Position | 'end';
      if (lastEventId !== undefined && lastEventId.trim() !== '') after = parsePosition(lastEventId.trim(), 'Last-Event-ID');
      else if (request.query.after === 'end') after = 'end';
      else after = request.query.after === undefined ? 0n : parsePosition(request.query.after, 'after');
      const types = names(request.query.types);
      const categories = names(request.query.categories);
      const principal = request.principal;

      const controller = new AbortController();
      // Created before hijacking, so bad options still answer with a problem response.
      const events = store.subscribe({ after, signal: controller.signal, ...(types ? { types } : {}), ...(categories ? { categories } : {}) });

      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        'x-content-type-options': 'nosniff',
      });
      // Sends the headers now, so the client knows it is subscribed before the first event.
      res.write(`retry: 1000\n: subscribed after ${String(after)}\n\n`);

      open.add(controller);
      const probe = { lastLagSeconds: 0 };
      const unregister = metrics.addSubscriber(probe);
      const stop = (): void => controller.abort();
      res.once('close', stop);
      const stillAllowed = (): boolean => insecureDev || principal === undefined || keys.isActive(principal.keyId);
      const heartbeat = setInterval(() => {
        if (!stillAllowed()) stop();
        else res.write(': heartbeat\n\n');
      }, limits.heartbeatMs);
      heartbeat.unref();

      try {
        for await (const event of events) {
          if (!stillAllowed()) break;
          if (!canSeeStream(principal, event.streamId)) continue;
          await writeSse(res, `id: ${event.position}\ndata: ${JSON.stringify(eventToJson(event))}\n\n`, controller.signal);
          probe.lastLagSeconds = Math.max(0, (Date.now() - event.recordedAt.getTime()) / 1000);
          metrics.sseEventsSent.inc();
        }
      } catch (error) {
        if (!controller.signal.aborted) {
          request.log.error({ err: error }, 'subscription failed');
          const body = problem(503, 'STORE_UNAVAILABLE', 'The subscription failed; reconnect with Last-Event-ID to resume.');
          res.write(`event: error\ndata: ${JSON.stringify(body)}\n\n`);
        }
      } finally {
        clearInterval(heartbeat);
        unregister();
        open.delete(controller);
        res.off('close', stop);
        // On shutdown the socket must go too: left idle in keep-alive, it would hold close() up.
        if (shuttingDown) {
          const socket = res.socket; // detached from the response once it finishes
          res.end(() => socket?.destroy());
        } else res.end();
      }
    },
  );
}

