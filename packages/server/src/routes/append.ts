import { isCairnError } from '@cairn/core';
import type { FastifyInstance } from 'fastify';
import { AppendBody, AppendHeaders, AppendResult, problems, StreamIdParams } from '../schemas.js';
import { assertStreamAccess } from '../stream-access.js';
import { resolveExpectedVersion } from './expected-version.js';

/** `POST /streams/:id`: append a batch atomically, with optimistic concurrency. */
export async function appendRoute(app: FastifyInstance): Promise<void> {
  const { store, metrics } = app.cairn;

  app.post<{ Params: StreamIdParams; Body: AppendBody; Headers: { 'if-match'?: string; 'if-none-match'?: string } }>(
    '/streams/:id',
    {
      config: { role: 'write' },
      schema: {
        summary: 'Append events to a stream',
        description:
          'All events commit atomically or none do. Expected version in the body or as If-Match: "<version>"; a mismatch is 409 CONCURRENCY. ' +
          'Resending the same event ids with the same content returns the original result and writes nothing.',
        tags: ['streams'],
        params: StreamIdParams,
        headers: AppendHeaders,
        body: AppendBody,
        response: { 200: AppendResult, ...problems(400, 401, 403, 409, 413, 415) },
      },
    },
    async (request, reply) => {
      const streamId = request.params.id;
      assertStreamAccess(request.principal, streamId);
      const expectedVersion = resolveExpectedVersion(request.body.expectedVersion, request.headers['if-match'], request.headers['if-none-match']);
      const started = performance.now();
      let outcome = 'error';
      try {
        const result = await store.append(streamId, request.body.events, { expectedVersion });
        outcome = 'ok';
        metrics.eventsAppended.inc(request.body.events.length);
        reply.header('etag', `"${result.version}"`);
        return { streamId: result.streamId, version: result.version, position: result.position.toString() };
      } catch (error) {
        if (isCairnError(error, 'CONCURRENCY') || isCairnError(error, 'IDEMPOTENCY_CONFLICT')) outcome = 'conflict';
        else if (isCairnError(error) && error.code !== 'STORE_UNAVAILABLE' && error.code !== 'STORE_CLOSED') outcome = 'rejected';
        throw error;
      } finally {
        metrics.appendDuration.observe({ outcome }, (performance.now() - started) / 1000);
      }
    },
  );
}
