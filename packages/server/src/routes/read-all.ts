import type { StoredEvent } from '@cairn/core';
import type { FastifyInstance } from 'fastify';
import { eventToJson } from '../event-json.js';
import { parsePosition } from '../positions.js';
import { problems, ReadAllQuery, ReadAllResult } from '../schemas.js';
import { canSeeStream } from '../stream-access.js';
import { names, pageSize } from './paging.js';

/** `GET /events`: a page of the global log, in position order. */
export async function readAllRoute(app: FastifyInstance): Promise<void> {
  const { store, limits } = app.cairn;

  app.get<{ Querystring: ReadAllQuery }>(
    '/events',
    {
      config: { role: 'read' },
      schema: {
        summary: 'Read the global log',
        description:
          'Events of all streams after a position, in position order, filtered by type and category. Page by passing `next` as `after` while `hasMore`. ' +
          'System ($) streams are never included; a key limited to a stream prefix only sees its own streams.',
        tags: ['log'],
        querystring: ReadAllQuery,
        response: { 200: ReadAllResult, ...problems(400, 401, 403) },
      },
    },
    async (request) => {
      const query = request.query;
      const limit = pageSize(query.limit, limits);
      const after = query.after === undefined ? 0n : parsePosition(query.after, 'after');
      const types = names(query.types);
      const categories = names(query.categories);
      const principal = request.principal;
      // A prefix-scoped key filters the log here, so it may scan past events it cannot see;
      // the budget bounds the work of one request (the client resumes from `next`).
      const scoped = principal?.streamPrefix !== undefined;
      const budget = scoped ? Math.max(limits.scanBudget, limit + 1) : limit + 1;
      const events: StoredEvent[] = [];
      let next = after;
      let scanned = 0;
      let hasMore = false;
      for await (const event of store.readAll({
        after,
        limit: budget,
        pageSize: Math.min(budget, 1000),
        ...(types ? { types } : {}),
        ...(categories ? { categories } : {}),
      })) {
        scanned++;
        if (canSeeStream(principal, event.streamId)) {
          if (events.length === limit) {
            hasMore = true;
            break;
          }
          events.push(event);
        }
        next = event.position;
      }
      if (scanned >= budget) hasMore = true;
      return { events: events.map(eventToJson), next: next.toString(), hasMore };
    },
  );
}
