import type { FastifyInstance } from 'fastify';
import { appendRoute } from './append.js';
import { healthRoutes } from './health.js';
import { listStreamsRoute } from './list-streams.js';
import { readAllRoute } from './read-all.js';
import { readStreamRoute } from './read-stream.js';
import { subscribeRoute } from './subscribe.js';

/** The built-in API. Extensions (projections, snapshots, dead letters) register beside it. */
export async function apiRoutes(app: FastifyInstance): Promise<void> {
  await app.register(appendRoute);
  await app.register(readStreamRoute);
  await app.register(listStreamsRoute);
  await app.register(readAllRoute);
  await app.register(subscribeRoute);
  await app.register(healthRoutes);
}
