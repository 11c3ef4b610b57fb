import { StreamNotFoundError } from '@cairn/core';
import { assertStreamAccess } from '@cairn/server';
import type { FastifyInstance } from 'fastify';
import { type Static, Type } from 'typebox';
import { accountStream } from '../domain/account.js';
import type { Ledger } from '../ledger.js';
import { commandOptions } from './command-options.js';
import { commandJson, summaryJson } from './json.js';
import {
  AccountParams,
  AccountState,
  AccountSummaryJson,
  CloseBody,
  CommandHeaders,
  CommandResult,
  ListAccountsQuery,
  MoneyBody,
  OpenAccountBody,
} from './schemas.js';

type Params = { Params: Static<typeof AccountParams> };
const tags = ['ledger: accounts'];

/** Open, deposit, withdraw, close; the account list from the read model; one account's live state. */
export async function accountsRoutes(app: FastifyInstance, ledger: Ledger): Promise<void> {
  app.post<{ Body: Static<typeof OpenAccountBody> }>(
    '/accounts',
    {
      config: { role: 'write' },
      schema: { summary: 'Open an account', tags, headers: CommandHeaders, body: OpenAccountBody, response: { 201: CommandResult } },
    },
    async (request, reply) => {
      const { accountId, owner, currency } = request.body;
      const r = await ledger.openAccount({ accountId, owner, ...(currency ? { currency } : {}) }, commandOptions(request, accountStream(accountId), 'open'));
      return reply.code(201).header('etag', `"${r.version}"`).send(commandJson(r));
    },
  );

  const money = (path: string, summary: string, run: (id: string, body: Static<typeof MoneyBody>, o: ReturnType<typeof commandOptions>) => ReturnType<Ledger['deposit']>) =>
    app.post<Params & { Body: Static<typeof MoneyBody> }>(
      `/accounts/:accountId/${path}`,
      { config: { role: 'write' }, schema: { summary, tags, params: AccountParams, headers: CommandHeaders, body: MoneyBody, response: { 200: CommandResult } } },
      async (request, reply) => {
        const id = request.params.accountId;
        const r = await run(id, request.body, commandOptions(request, accountStream(id), path));
        return reply.header('etag', `"${r.version}"`).send(commandJson(r));
      },
    );
  money('deposits', 'Deposit money', (id, b, o) => ledger.deposit(id, b.amountCents, b.note ?? '', o));
  money('withdrawals', 'Withdraw money (never below zero)', (id, b, o) => ledger.withdraw(id, b.amountCents, b.note ?? '', o));

  app.post<Params & { Body: Static<typeof CloseBody> }>(
    '/accounts/:accountId/close',
    { config: { role: 'write' }, schema: { summary: 'Close an account', tags, params: AccountParams, headers: CommandHeaders, body: CloseBody, response: { 200: CommandResult } } },
    async (request, reply) => {
      const id = request.params.accountId;
      const r = await ledger.closeAccount(id, request.body.reason ?? '', commandOptions(request, accountStream(id), 'close'));
      return reply.header('etag', `"${r.version}"`).send(commandJson(r));
    },
  );

  app.get<{ Querystring: Static<typeof ListAccountsQuery> }>(
    '/accounts',
    {
      config: { role: 'read' },
      schema: {
        summary: 'Account summaries (read model), by owner or id prefix',
        description: 'From the account_summaries projection, in id order; page with `after` = `next`.',
        tags,
        querystring: ListAccountsQuery,
        response: { 200: Type.Object({ accounts: Type.Array(AccountSummaryJson), next: Type.Union([Type.String(), Type.Null()]) }) },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      const rows = await ledger.summaries({ limit: limit + 1, ...(request.query.search ? { search: request.query.search } : {}), ...(request.query.after ? { after: request.query.after } : {}) });
      const more = rows.length > limit;
      if (more) rows.pop();
      return { accounts: rows.map(summaryJson), next: more ? (rows.at(-1)?.accountId ?? null) : null };
    },
  );

  app.get<Params>(
    '/accounts/:accountId',
    {
      config: { role: 'read' },
      schema: {
        summary: 'One account: its state from the stream, and its read-model row',
        description: '`state` is folded from the account\'s events (always current); `summary` is the account_summaries row (null until the projection has seen the account).',
        tags,
        params: AccountParams,
        response: { 200: Type.Object({ accountId: Type.String(), streamId: Type.String(), version: Type.Integer(), state: AccountState, summary: Type.Union([AccountSummaryJson, Type.Null()]) }) },
      },
    },
    async (request, reply) => {
      const id = request.params.accountId;
      const streamId = accountStream(id);
      assertStreamAccess(request.principal, streamId);
      const [loaded, summary] = await Promise.all([ledger.accounts.load(streamId), ledger.summary(id)]);
      if (loaded.version === 0) throw new StreamNotFoundError(streamId);
      return reply.header('etag', `"${loaded.version}"`).send({ accountId: id, streamId, version: loaded.version, state: loaded.state, summary: summary ? summaryJson(summary) : null });
    },
  );
}
