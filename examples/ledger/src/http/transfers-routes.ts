import { commandEventId, StreamNotFoundError } from '@cairn/core';
import { assertStreamAccess } from '@cairn/server';
import type { FastifyInstance } from 'fastify';
import { type Static, Type } from 'typebox';
import { accountStream } from '../domain/account.js';
import { type Transfer, transferStream } from '../domain/transfer.js';
import type { Ledger } from '../ledger.js';
import { CommandHeaders, TransferBody, TransferParams } from './schemas.js';

const tags = ['ledger: transfers'];
const TransferJson = Type.Object({
  transferId: Type.String(),
  status: Type.String({ description: 'requested, debited, completed, rejected (the debit was refused) or failed (the credit was refused and the debit refunded).' }),
  from: Type.String(),
  to: Type.String(),
  amountCents: Type.Integer(),
  note: Type.String(),
  reason: Type.Optional(Type.String()),
});

function transferJson(t: Transfer) {
  return { transferId: t.transferId, status: t.status, from: t.from, to: t.to, amountCents: t.amountCents, note: t.note, ...(t.reason !== undefined ? { reason: t.reason } : {}) };
}

/** Transfers: requested here, carried out by the transfer_process projection, awaited for the answer. */
export async function transfersRoutes(app: FastifyInstance, ledger: Ledger): Promise<void> {
  app.post<{ Body: Static<typeof TransferBody> }>(
    '/transfers',
    {
      config: { role: 'write' },
      schema: {
        summary: 'Transfer money between two accounts',
        description:
          'Records the request and waits (up to `waitMs`) while the transfer process debits one account and credits the other. 200 with the outcome when it finished (completed, rejected or failed-and-refunded); 202 with the transfer as it stands when it is still running.',
        tags,
        headers: CommandHeaders,
        body: TransferBody,
        response: { 200: TransferJson, 202: TransferJson },
      },
    },
    async (request, reply) => {
      const { from, to, amountCents, note, waitMs } = request.body;
      for (const id of [from, to]) assertStreamAccess(request.principal, accountStream(id));
      const key = (request.headers as Record<string, string | undefined>)['idempotency-key'];
      // The same Idempotency-Key names the same transfer, so a retry finds it instead of paying twice.
      const transferId = key !== undefined ? await commandEventId(`ledger-transfer:${key}`, 0) : crypto.randomUUID();
      assertStreamAccess(request.principal, transferStream(transferId));
      await ledger.requestTransfer({ transferId, from, to, amountCents, ...(note ? { note } : {}) }, { actor: request.principal?.name ?? 'anonymous' });
      const outcome = await ledger.waitForTransfer(transferId, waitMs ?? 10_000);
      const done = ['completed', 'rejected', 'failed'].includes(outcome.status);
      return reply.code(done ? 200 : 202).send(transferJson(outcome));
    },
  );

  app.get<{ Params: Static<typeof TransferParams> }>(
    '/transfers/:transferId',
    { config: { role: 'read' }, schema: { summary: 'A transfer and where it got to', tags, params: TransferParams, response: { 200: TransferJson } } },
    async (request) => {
      const streamId = transferStream(request.params.transferId);
      assertStreamAccess(request.principal, streamId);
      const { state, version } = await ledger.transfers.load(streamId);
      if (version === 0) throw new StreamNotFoundError(streamId);
      return transferJson(state);
    },
  );
}
