import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { HttpProblem } from '../problem.js';
import { problems } from '../schemas.js';

const READY_TIMEOUT_MS = 2000;

/** `GET /health` (the process answers) and `GET /ready` (the store answers too). Both public. */
export async function healthRoutes(app: FastifyInstance): Promise<void> {
  const { store } = app.cairn;

  app.get(
    '/health',
    {
      config: { role: 'public' },
      schema: {
        summary: 'Liveness',
        tags: ['operations'],
        security: [],
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/ready',
    {
      config: { role: 'public' },
      schema: {
        summary: 'Readiness: the event store is reachable',
        tags: ['operations'],
        security: [],
        response: { 200: Type.Object({ status: Type.Literal('ready'), store: Type.String() }), ...problems(503) },
      },
    },
    async (request) => {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          store.headPosition(),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no answer within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
          }),
        ]);
      } catch (error) {
        request.log.warn({ err: error }, 'readiness check failed');
        throw new HttpProblem(503, 'STORE_UNAVAILABLE', 'The event store does not answer; the server is not ready.');
      } finally {
        clearTimeout(timer);
      }
      return { status: 'ready' as const, store: store.kind };
    },
  );
}
