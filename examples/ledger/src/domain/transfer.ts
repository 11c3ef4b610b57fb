import { type Decider, DomainError } from '@cairn/core';

/**
 * A transfer between two accounts (seed 002). Each account is its own consistency boundary,
 * so a transfer cannot be one atomic append: it is a process — debit, then credit — and
 * when the credit side fails the debit is undone by a compensating deposit, never by editing
 * history. Its own stream records where it got to, so it can be resumed after a crash.
 */
export type TransferEvent =
  | { type: 'TransferRequested'; data: { transferId: string; from: string; to: string; amountCents: number; note: string } }
  | { type: 'TransferDebited'; data: { transferId: string } }
  | { type: 'TransferCompleted'; data: { transferId: string } }
  | { type: 'TransferRejected'; data: { transferId: string; reason: string } }
  | { type: 'TransferFailed'; data: { transferId: string; reason: string; refunded: boolean } };

export type TransferCommand =
  | { type: 'RequestTransfer'; transferId: string; from: string; to: string; amountCents: number; note?: string }
  | { type: 'MarkDebited' }
  | { type: 'Complete' }
  | { type: 'Reject'; reason: string }
  | { type: 'Fail'; reason: string; refunded: boolean };

export type TransferStatus = 'none' | 'requested' | 'debited' | 'completed' | 'rejected' | 'failed';

export interface Transfer {
  status: TransferStatus;
  transferId: string;
  from: string;
  to: string;
  amountCents: number;
  note: string;
  reason?: string;
}

export class TransferNotPossible extends DomainError {
  constructor(message: string, details: Record<string, unknown>) {
    super('TRANSFER_NOT_POSSIBLE', message, details);
  }
}

const next: Record<TransferCommand['type'], TransferStatus[]> = {
  RequestTransfer: ['none'],
  MarkDebited: ['requested'],
  Complete: ['debited'],
  Reject: ['requested'],
  Fail: ['debited'],
};

export const transfer: Decider<Transfer, TransferCommand, TransferEvent> = {
  initialState: () => ({ status: 'none', transferId: '', from: '', to: '', amountCents: 0, note: '' }),
  evolve(s, e) {
    switch (e.type) {
      case 'TransferRequested':
        return { ...s, status: 'requested', ...e.data };
      case 'TransferDebited':
        return { ...s, status: 'debited' };
      case 'TransferCompleted':
        return { ...s, status: 'completed' };
      case 'TransferRejected':
        return { ...s, status: 'rejected', reason: e.data.reason };
      case 'TransferFailed':
        return { ...s, status: 'failed', reason: e.data.reason };
    }
  },
  decide(c, s) {
    if (!next[c.type].includes(s.status)) {
      // Already past this step (a retried process step): nothing to do.
      if (s.status !== 'none') return [];
      throw new TransferNotPossible(`Transfer ${s.transferId || '(new)'} cannot ${c.type} while ${s.status}.`, { status: s.status });
    }
    const transferId = s.transferId;
    switch (c.type) {
      case 'RequestTransfer':
        if (c.from === c.to) throw new TransferNotPossible('A transfer needs two different accounts.', { from: c.from, to: c.to });
        if (!Number.isSafeInteger(c.amountCents) || c.amountCents <= 0) {
          throw new TransferNotPossible(`The amount must be a positive whole number of cents, got ${String(c.amountCents)}.`, { amountCents: c.amountCents });
        }
        return { type: 'TransferRequested', data: { transferId: c.transferId, from: c.from, to: c.to, amountCents: c.amountCents, note: c.note ?? '' } };
      case 'MarkDebited':
        return { type: 'TransferDebited', data: { transferId } };
      case 'Complete':
        return { type: 'TransferCompleted', data: { transferId } };
      case 'Reject':
        return { type: 'TransferRejected', data: { transferId, reason: c.reason } };
      case 'Fail':
        return { type: 'TransferFailed', data: { transferId, reason: c.reason, refunded: c.refunded } };
    }
  },
};

export const transferStream = (transferId: string): string => `transfer-${transferId}`;
