import { type DeadLetter, type ProjectionAdmin, type ProjectionRunner } from '@cairn/core';
import { type Static, Type } from 'typebox';
import type { ServerExtension } from '../options.js';
import { HttpProblem } from '../problem.js';
import { problems } from '../schemas.js';
import { canSeeStream } from '../stream-access.js';
import { LagHistory, registerLagMetrics } from './lag-history.js';
import { controlFromAdmin, controlFromRunner, type ProjectionControl } from './projection-control.js';
import { DEAD_LETTER_STATUSES, DeadLetterSchema, deadLetterToJson, ProjectionReportSchema, reportToJson } from './projection-json.js';

export interface ProjectionsExtensionOptions {
  /**
   * The runner of this process: rebuilds start at once and replays run inside the request.
   * Give either `runner` or `admin`.
   */
  runner?: ProjectionRunner;
  /**
   * `projectionAdmin(store)` for a server that runs no projections: requests are recorded in
   * the store and the runners act on them within their supervision interval. Pass the store
   * itself, not the server's traced wrapper.
   */
  admin?: ProjectionAdmin;
  /** How often lag is sampled for `GET /projections/lag` and the metrics. Default 5,000 ms. */
  sampleMs?: number;
  /** Samples kept. Default 120 (ten minutes at the default interval). */
  historySize?: number;
}

const NameParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }) });
const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });
const DeadLettersQuery = Type.Object({
  projection: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  status: Type.Optional(Type.Union(DEAD_LETTER_STATUSES.map((s) => Type.Literal(s)))),
});
const LagSampleSchema = Type.Object({
  at: Type.String(),
  projections: Type.Array(
    Type.Object({ name: Type.String(), generation: Type.Integer(), status: Type.String(), eventsBehind: Type.Integer(), secondsBehind: Type.Number(), progress: Type.Number() }),
  ),
});

/**
 * Projection operations over HTTP: status and lag per generation, rebuild, pause/resume, and
 * the dead letters with replay and skip. GETs need `read`, the rest `admin`.
 *
 * @example
 * const runner = createProjectionRunner({ store, projections });
 * const app = buildServer({ store, extensions: [projectionsExtension({ runner })] });
 */
export function projectionsExtension(options: ProjectionsExtensionOptions): ServerExtension {
  const control: ProjectionControl | undefined = options.runner ? controlFromRunner(options.runner) : options.admin ? controlFromAdmin(options.admin) : undefined;
  if (control === undefined) throw new TypeError('projectionsExtension needs { runner } or { admin }');
  const sampleMs = options.sampleMs ?? 5000;

  return {
    name: 'projections',
    plugin: async (app, { cairn }) => {
      const history = new LagHistory(() => control.status(), { size: options.historySize ?? 120, intervalMs: sampleMs });
      registerLagMetrics(cairn.metrics.registry, history);
      app.addHook('onReady', async () => history.start(sampleMs, (error) => app.log.warn({ err: error }, 'sampling projection lag failed')));
      app.addHook('onClose', async () => history.stop());

      const known = async (name: string): Promise<void> => {
        const reports = await control.status();
        if (!reports.some((r) => r.name === name)) {
          const names = [...new Set(reports.map((r) => r.name))];
          throw new HttpProblem(404, 'PROJECTION_NOT_FOUND', `No projection named "${name}" has run on this store (known: ${names.join(', ') || 'none'}).`, { name });
        }
      };
      const letter = async (id: string): Promise<DeadLetter> => {
        const found = (await control.deadLetters()).find((l) => l.id === id);
        if (found === undefined) throw new HttpProblem(404, 'DEAD_LETTER_NOT_FOUND', `No dead letter ${id}.`, { id });
        return found;
      };

      app.get(
        '/projections',
        {
          config: { role: 'read' },
          schema: {
            summary: 'Projection status and lag',
            description: 'One entry per projection generation that is live or being built: checkpoint, head, events and seconds behind, dead letters, rebuild progress.',
            tags: ['projections'],
            response: { 200: Type.Object({ projections: Type.Array(ProjectionReportSchema) }), ...problems(401, 403) },
          },
        },
        async () => {
          const reports = await control.status();
          history.record(reports);
          return { projections: reports.map(reportToJson) };
        },
      );

      app.get(
        '/projections/lag',
        {
          config: { role: 'read' },
          schema: {
            summary: 'Recent lag samples',
            description: `Lag of every projection generation, sampled every ${sampleMs} ms (and on each GET /projections); oldest first.`,
            tags: ['projections'],
            response: { 200: Type.Object({ intervalMs: Type.Integer(), samples: Type.Array(LagSampleSchema) }), ...problems(401, 403) },
          },
        },
        async () => ({
          intervalMs: sampleMs,
          samples: history.samples.map((s) => ({
            at: s.at.toISOString(),
            projections: s.reports.map((r) => ({ name: r.name, generation: r.generation, status: r.status, eventsBehind: r.eventsBehind, secondsBehind: r.secondsBehind, progress: r.progress })),
          })),
        }),
      );

      app.post<{ Params: Static<typeof NameParams> }>(
        '/projections/:name/rebuild',
        {
          config: { role: 'admin' },
          schema: {
            summary: 'Rebuild a projection',
            description: 'Builds a new generation from the start of the log beside the live one; it takes over once caught up. Asking again while one is building returns that one.',
            tags: ['projections'],
            params: NameParams,
            response: { 202: Type.Object({ name: Type.String(), generation: Type.Integer() }), ...problems(401, 403, 404) },
          },
        },
        async (request, reply) => {
          await known(request.params.name);
          const generation = await control.rebuild(request.params.name);
          return reply.code(202).send({ name: request.params.name, generation });
        },
      );

      for (const action of ['pause', 'resume'] as const) {
        app.post<{ Params: Static<typeof NameParams> }>(
          `/projections/:name/${action}`,
          {
            config: { role: 'admin' },
            schema: {
              summary: action === 'pause' ? 'Pause a projection' : 'Resume a paused projection',
              description: action === 'pause' ? 'Its runners finish the batch in hand and wait; the checkpoint stays.' : 'Its runners go on from the checkpoint.',
              tags: ['projections'],
              params: NameParams,
              response: { 200: Type.Object({ name: Type.String(), paused: Type.Boolean() }), ...problems(401, 403, 404) },
            },
          },
          async (request) => {
            await known(request.params.name);
            await control[action](request.params.name);
            return { name: request.params.name, paused: action === 'pause' };
          },
        );
      }

      app.get<{ Querystring: Static<typeof DeadLettersQuery> }>(
        '/dead-letters',
        {
          config: { role: 'read' },
          schema: {
            summary: 'Dead letters',
            description: 'Events a projection failed on after its retries, parked so the projection could go on. Filter by projection and status.',
            tags: ['projections'],
            querystring: DeadLettersQuery,
            response: { 200: Type.Object({ deadLetters: Type.Array(DeadLetterSchema) }), ...problems(400, 401, 403) },
          },
        },
        async (request) => {
          const { projection, status } = request.query;
          const letters = await control.deadLetters({ ...(projection ? { name: projection } : {}), ...(status ? { status } : {}) });
          // A key scoped to a stream prefix sees only its own streams' letters.
          return { deadLetters: letters.filter((l) => canSeeStream(request.principal, l.streamId)).map(deadLetterToJson) };
        },
      );

      app.post<{ Params: Static<typeof IdParams> }>(
        '/dead-letters/:id/replay',
        {
          config: { role: 'admin' },
          schema: {
            summary: 'Replay a dead letter',
            description:
              'Runs the parked event through its projection again (after a fix). With the runner in this process the answer says whether it worked (409 REPLAY_FAILED with the error if not); otherwise the status is replay-requested and a runner replays it shortly.',
            tags: ['projections'],
            params: IdParams,
            response: { 200: DeadLetterSchema, ...problems(401, 403, 404, 409) },
          },
        },
        async (request) => {
          const found = await letter(request.params.id);
          if (found.status !== 'parked') {
            throw new HttpProblem(409, 'DEAD_LETTER_NOT_PARKED', `Dead letter ${found.id} is ${found.status}; only parked ones can be replayed.`, { id: found.id, letterStatus: found.status });
          }
          try {
            await control.replay(found.id);
          } catch (error) {
            if (!control.inProcess) throw error;
            throw new HttpProblem(409, 'REPLAY_FAILED', `Replaying dead letter ${found.id} failed again: ${(error as Error)?.message ?? String(error)}. It stays parked.`, { id: found.id });
          }
          return deadLetterToJson(await letter(found.id));
        },
      );

      app.post<{ Params: Static<typeof IdParams> }>(
        '/dead-letters/:id/skip',
        {
          config: { role: 'admin' },
          schema: {
            summary: 'Skip a dead letter',
            description: 'Marks it as skipped: the projection will never apply that event.',
            tags: ['projections'],
            params: IdParams,
            response: { 200: DeadLetterSchema, ...problems(401, 403, 404, 409) },
          },
        },
        async (request) => {
          const found = await letter(request.params.id);
          if (found.status === 'replayed' || found.status === 'skipped') {
            throw new HttpProblem(409, 'DEAD_LETTER_NOT_PARKED', `Dead letter ${found.id} is already ${found.status}.`, { id: found.id, letterStatus: found.status });
          }
          await control.skip(found.id);
          return deadLetterToJson(await letter(found.id));
        },
      );
    },
  };
}
