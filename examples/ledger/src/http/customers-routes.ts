import { StreamNotFoundError } from '@cairn/core';
import { assertStreamAccess } from '@cairn/server';
import type { FastifyInstance } from 'fastify';
import { type Static, Type } from 'typebox';
import { type User, userStream } from '../domain/user.js';
import type { Ledger } from '../ledger.js';
import { commandOptions } from './command-options.js';
import { ChangeEmailBody, CommandHeaders, CreateCustomerBody, CustomerParams, ForgetBody } from './schemas.js';

const tags = ['ledger: customers'];
type Params = { Params: Static<typeof CustomerParams> };
const CustomerJson = Type.Object({
  customerId: Type.String(),
  streamId: Type.String(),
  version: Type.Integer(),
  name: Type.Union([Type.String(), Type.Null()]),
  email: Type.Union([Type.String(), Type.Null()]),
  active: Type.Boolean(),
  emailHistory: Type.Array(Type.String()),
});

function customerJson(customerId: string, user: User) {
  return { customerId, streamId: userStream(customerId), version: user.version, name: user.name, email: user.email, active: user.active, emailHistory: [...user.emailHistory] };
}

/**
 * Customers (the User aggregate). Their name and email are personal data: stored encrypted
 * with a key per customer, so forgetting a customer destroys the key and every copy in the
 * log reads as "[redacted]" from then on, while the events themselves stay.
 */
export async function customersRoutes(app: FastifyInstance, ledger: Ledger): Promise<void> {
  app.post<{ Body: Static<typeof CreateCustomerBody> }>(
    '/customers',
    { config: { role: 'write' }, schema: { summary: 'Create a customer', tags, headers: CommandHeaders, body: CreateCustomerBody, response: { 201: CustomerJson } } },
    async (request, reply) => {
      const { customerId, name, email } = request.body;
      const streamId = userStream(customerId);
      const r = await ledger.users.handle(streamId, (u) => u.create(email, name), commandOptions(request, streamId, 'create-customer'));
      return reply.code(201).header('etag', `"${r.version}"`).send(customerJson(customerId, r.state));
    },
  );

  app.post<Params & { Body: Static<typeof ChangeEmailBody> }>(
    '/customers/:customerId/email',
    { config: { role: 'write' }, schema: { summary: 'Change a customer\'s email', tags, params: CustomerParams, headers: CommandHeaders, body: ChangeEmailBody, response: { 200: CustomerJson } } },
    async (request, reply) => {
      const { customerId } = request.params;
      const streamId = userStream(customerId);
      const options = commandOptions(request, streamId, 'change-email');
      if ((await ledger.store.streamInfo(streamId)) === null) throw new StreamNotFoundError(streamId);
      const r = await ledger.users.handle(streamId, (u) => u.changeEmail(request.body.email), options);
      return reply.header('etag', `"${r.version}"`).send(customerJson(customerId, r.state));
    },
  );

  app.get<Params>(
    '/customers/:customerId',
    { config: { role: 'read' }, schema: { summary: 'A customer (personal fields read "[redacted]" once forgotten)', tags, params: CustomerParams, response: { 200: CustomerJson } } },
    async (request) => {
      const { customerId } = request.params;
      const streamId = userStream(customerId);
      assertStreamAccess(request.principal, streamId);
      const user = await ledger.user(customerId);
      if (user.version === 0) throw new StreamNotFoundError(streamId);
      return customerJson(customerId, user);
    },
  );

  app.post<Params & { Body: Static<typeof ForgetBody> }>(
    '/customers/:customerId/forget',
    {
      config: { role: 'admin' },
      schema: {
        summary: 'Forget a customer (crypto-shredding)',
        description: 'Destroys the customer\'s key: their name and emails read as "[redacted]" everywhere from now on. The events, versions and positions stay; a SubjectForgotten event is recorded in the $audit stream.',
        tags,
        params: CustomerParams,
        body: ForgetBody,
        response: { 200: Type.Object({ subject: Type.String(), keysDestroyed: Type.Integer(), auditPosition: Type.String() }) },
      },
    },
    async (request) => {
      const streamId = userStream(request.params.customerId);
      assertStreamAccess(request.principal, streamId);
      if ((await ledger.store.streamInfo(streamId)) === null) throw new StreamNotFoundError(streamId);
      const result = await ledger.store.forget(streamId, { reason: request.body.reason, actor: request.principal?.name ?? 'anonymous' });
      return { subject: result.subject, keysDestroyed: result.keysDestroyed, auditPosition: result.auditPosition.toString() };
    },
  );
}
