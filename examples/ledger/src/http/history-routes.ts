import { InvalidArgumentError, StreamNotFoundError } from '@cairn/core';
import { assertStreamAccess } from '@cairn/server';
import type { FastifyInstance } from 'fastify';
import { type Static, Type } from 'typebox';
import { accountStream } from '../domain/account.js';
import { dayOf } from '../read-models/daily-balances.js';
import type { Ledger } from '../ledger.js';
import { eventJson } from './json.js';
import { AccountParams, AccountState, DateQuery, EventJson, TimeTravelQuery } from './schemas.js';

type Params = { Params: Static<typeof AccountParams> };
const tags = ['ledger: time travel'];
/** A slider over more versions than this is not readable anyway; the newest ones are kept. */
const MAX_TIMELINE = 5000;

/** An account as it was: at a version or an instant, on a day (checked against the read model), and its daily balances. */
export async function historyRoutes(app: FastifyInstance, ledger: Ledger): Promise<void> {
  const { store } = ledger;
  const streamOf = async (principal: Parameters<typeof assertStreamAccess>[0], accountId: string): Promise<{ streamId: string; version: number }> => {
    const streamId = accountStream(accountId);
    assertStreamAccess(principal, streamId);
    const info = await store.streamInfo(streamId);
    if (info === null) throw new StreamNotFoundError(streamId);
    return { streamId, version: info.version };
  };

  app.get<Params & { Querystring: Static<typeof TimeTravelQuery> }>(
    '/accounts/:accountId/at',
    {
      config: { role: 'read' },
      schema: {
        summary: 'Time travel: the account at a version or an instant',
        description:
          'The state folded from the account\'s events up to `version` (or up to `at`), the events up to there, and the stream\'s whole timeline (version, type, time, amount) for a slider. Without either: the current state.',
        tags,
        params: AccountParams,
        querystring: TimeTravelQuery,
        response: {
          200: Type.Object({
            accountId: Type.String(),
            streamId: Type.String(),
            streamVersion: Type.Integer({ description: 'The stream\'s current version.' }),
            version: Type.Integer({ description: 'The version the state covers.' }),
            at: Type.Union([Type.String(), Type.Null()], { description: 'When that version was recorded (null for version 0).' }),
            state: AccountState,
            events: Type.Array(EventJson, { description: 'The events up to `version`, oldest first.' }),
            timeline: Type.Array(Type.Object({ version: Type.Integer(), type: Type.String(), recordedAt: Type.String(), amountCents: Type.Union([Type.Integer(), Type.Null()]) })),
          }),
        },
      },
    },
    async (request) => {
      const { accountId } = request.params;
      const { version: v, at } = request.query;
      if (v !== undefined && at !== undefined) throw new InvalidArgumentError('version', 'give version or at, not both');
      const { streamId, version: streamVersion } = await streamOf(request.principal, accountId);
      const instant = at !== undefined ? new Date(at) : undefined;
      if (instant !== undefined && Number.isNaN(instant.getTime())) throw new InvalidArgumentError('at', `not an instant: ${at}`);
      const point = instant !== undefined ? { at: instant } : { version: Math.min(v ?? streamVersion, streamVersion) };
      const travelled = await ledger.accounts.loadAt(streamId, point);
      const all = await store.readStream(streamId, { to: streamVersion }).toArray();
      const upTo = all.filter((e) => e.version <= travelled.version);
      return {
        accountId,
        streamId,
        streamVersion,
        version: travelled.version,
        at: upTo.at(-1)?.recordedAt.toISOString() ?? null,
        state: travelled.state,
        events: upTo.slice(-MAX_TIMELINE).map(eventJson),
        timeline: all.slice(-MAX_TIMELINE).map((e) => ({
          version: e.version,
          type: e.type,
          recordedAt: e.recordedAt.toISOString(),
          amountCents: typeof (e.data as { amountCents?: unknown }).amountCents === 'number' ? (e.data as { amountCents: number }).amountCents : null,
        })),
      };
    },
  );

  app.get<Params & { Querystring: Static<typeof DateQuery> }>(
    '/accounts/:accountId/balance-on',
    {
      config: { role: 'read' },
      schema: {
        summary: 'Balance at the end of a day, two ways',
        description: '`balanceCents` is time travel over the account\'s stream to the end of the day (UTC); `fromReadModel` is the daily_balances projection\'s answer (null when the account had not moved by then). `agree` compares them.',
        tags,
        params: AccountParams,
        querystring: DateQuery,
        response: {
          200: Type.Object({
            accountId: Type.String(),
            date: Type.String(),
            at: Type.String(),
            balanceCents: Type.Integer(),
            version: Type.Integer(),
            fromReadModel: Type.Union([Type.Integer(), Type.Null()]),
            agree: Type.Boolean(),
          }),
        },
      },
    },
    async (request) => {
      const { accountId } = request.params;
      await streamOf(request.principal, accountId);
      const day = new Date(`${request.query.date}T12:00:00Z`);
      if (Number.isNaN(day.getTime()) || dayOf(day) !== request.query.date) throw new InvalidArgumentError('date', `not a calendar day: ${request.query.date}`);
      const answer = await ledger.balanceOn(accountId, day);
      return {
        accountId,
        date: request.query.date,
        at: answer.at.toISOString(),
        balanceCents: answer.balanceCents,
        version: answer.version,
        fromReadModel: answer.fromReadModel,
        agree: (answer.fromReadModel ?? 0) === answer.balanceCents,
      };
    },
  );

  app.get<Params>(
    '/accounts/:accountId/daily-balances',
    {
      config: { role: 'read' },
      schema: {
        summary: 'Closing balance of every day the account moved (read model)',
        tags,
        params: AccountParams,
        response: { 200: Type.Object({ accountId: Type.String(), days: Type.Array(Type.Object({ day: Type.String(), balanceCents: Type.Integer() })) }) },
      },
    },
    async (request) => {
      const { accountId } = request.params;
      await streamOf(request.principal, accountId);
      return { accountId, days: await ledger.dailyBalances(accountId) };
    },
  );
}
