import type { StreamInfo } from '@cairn/core';
import type { FastifyInstance } from 'fastify';
import { ListStreamsQuery, ListStreamsResult, problems } from '../schemas.js';
import { scopedPrefix } from '../stream-access.js';
import { pageSize } from './paging.js';

/** `GET /streams`: the stream catalogue in id order, by prefix or category, keyset-paged. */
export async function listStreamsRoute(app: FastifyInstance): Promise<void> {
  const { store, limits } = app.cairn;

  app.get<{ Querystring: ListStreamsQuery }>(
    '/streams',
    {
      config: { role: 'read' },
      schema: {
        summary: 'List streams',
        description: 'Streams in id order. Filter by id prefix or category; page with `after`. System ($) streams are never listed.',
        tags: ['streams'],
        querystring: ListStreamsQuery,
        response: { 200: ListStreamsResult, ...problems(400, 401, 403) },
      },
    },
    async (request) => {
      const query = request.query;
      const limit = pageSize(query.limit, limits);
      const prefix = scopedPrefix(request.principal, query.prefix);
      const streams = await store.listStreams({
        limit: limit + 1,
        ...(prefix !== undefined ? { prefix } : {}),
        ...(query.category !== undefined ? { category: query.category } : {}),
        ...(query.after !== undefined ? { afterStreamId: query.after } : {}),
      });
      const more = streams.length > limit;
      if (more) streams.pop();
      return { streams: streams.map(streamToJson), next: more ? (streams.at(-1)?.streamId ?? null) : null };
    },
  );
}

export function streamToJson(info: StreamInfo): Record<string, unknown> {
  return {
    streamId: info.streamId,
    category: info.category,
    version: info.version,
    position: info.position.toString(),
    createdAt: info.createdAt.toISOString(),
    updatedAt: info.updatedAt.toISOString(),
  };
}
