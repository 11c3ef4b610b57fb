import { InvalidArgumentError, type ReadStreamOptions, StreamNotFoundError } from '@cairn/core';
import type { FastifyInstance } from 'fastify';
import { eventToJson } from '../event-json.js';
import { pageSize } from './paging.js';
import { problems, ReadStreamQuery, ReadStreamResult, StreamIdParams } from '../schemas.js';
import { assertStreamAccess } from '../stream-access.js';

/** `GET /streams/:id`: one page of a stream, with the stream version as ETag. */
export async function readStreamRoute(app: FastifyInstance): Promise<void> {
  const { store, limits } = app.cairn;

  app.get<{ Params: StreamIdParams; Querystring: ReadStreamQuery }>(
    '/streams/:id',
    {
      config: { role: 'read' },
      schema: {
        summary: 'Read a stream',
        description:
          'A page of events in version order (or backward). The ETag is the stream version; send it back as If-None-Match to get 304 when nothing changed. ' +
          'Unknown streams are 404 STREAM_NOT_FOUND.',
        tags: ['streams'],
        params: StreamIdParams,
        querystring: ReadStreamQuery,
        response: { 200: ReadStreamResult, 304: { description: 'Not modified', type: 'null' }, ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const streamId = request.params.id;
      assertStreamAccess(request.principal, streamId);
      const query = request.query;
      const limit = pageSize(query.limit, limits);
      const until = parseUntil(query.until);
      const info = await store.streamInfo(streamId);
      if (info === null) throw new StreamNotFoundError(streamId);

      const etag = `"${info.version}"`;
      reply.header('etag', etag).header('cache-control', 'no-cache');
      if (noneMatch(request.headers['if-none-match'], etag)) return reply.code(304).send();

      // Pin the read to the version just seen, so the page agrees with its ETag even while
      // writers append; one extra event tells whether there is a next page.
      const backward = query.direction === 'backward';
      const options: ReadStreamOptions = backward
        ? { direction: 'backward', from: Math.min(query.from ?? info.version, info.version), limit: limit + 1, ...(query.to ? { to: query.to } : {}) }
        : { direction: 'forward', from: query.from ?? 1, to: Math.min(query.to ?? info.version, info.version), limit: limit + 1 };
      if (until) options.until = until;
      const events = await store.readStream(streamId, options).toArray();
      const extra = events.length > limit ? events.pop() : undefined;
      return {
        streamId,
        version: info.version,
        position: info.position.toString(),
        events: events.map(eventToJson),
        next: extra?.version ?? null,
      };
    },
  );
}

function parseUntil(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(date.getTime())) {
    throw new InvalidArgumentError('until', `expected an ISO-8601 instant such as 2026-01-01T00:00:00Z, got ${JSON.stringify(value.slice(0, 40))}`);
  }
  return date;
}

/** RFC 9110 If-None-Match: `*` or a list of entity tags, compared weakly. */
function noneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}
