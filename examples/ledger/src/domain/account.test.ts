import { given } from '@cairn/testing';
import { describe, it } from 'vitest';
import { account } from './account.js';

const opened = { type: 'AccountOpened' as const, data: { accountId: '42', owner: 'Ada', currency: 'EUR' } };
const deposited = (amountCents: number) => ({ type: 'MoneyDeposited' as const, data: { accountId: '42', amountCents, note: '' } });
const withdrawn = (amountCents: number) => ({ type: 'MoneyWithdrawn' as const, data: { accountId: '42', amountCents, note: '' } });
const closed = { type: 'AccountClosed' as const, data: { accountId: '42', reason: 'moved away' } };

describe('account decider (seed 000/002)', () => {
  it('opens an account', () => {
    given(account).when({ type: 'OpenAccount', accountId: '42', owner: 'Ada' }).then(opened);
  });

  it('cannot open twice', () => {
    given(account, [opened]).when({ type: 'OpenAccount', accountId: '42', owner: 'Ada' }).thenThrows('ACCOUNT_ALREADY_OPEN');
  });

  it('deposits and withdraws', () => {
    given(account, [opened]).when({ type: 'Deposit', amountCents: 500 }).then(deposited(500));
    given(account, [opened, deposited(500)]).when({ type: 'Withdraw', amountCents: 200 }).then(withdrawn(200));
    given(account, [opened, deposited(500), withdrawn(200)])
      .when({ type: 'Deposit', amountCents: 1 })
      .thenState((s) => {
        if (s.balanceCents !== 301 || s.transactions !== 3) throw new Error(`unexpected state ${JSON.stringify(s)}`);
      });
  });

  it('refuses to withdraw beyond the balance', () => {
    given(account, [opened, deposited(500)]).when({ type: 'Withdraw', amountCents: 501 }).thenThrows('INSUFFICIENT_FUNDS');
  });

  it('refuses amounts that are not positive whole cents', () => {
    for (const amountCents of [0, -5, 1.5, Number.NaN]) {
      given(account, [opened]).when({ type: 'Deposit', amountCents }).thenThrows('INVALID_AMOUNT');
    }
  });

  it('a closed account rejects every command', () => {
    const history = [opened, deposited(100), closed];
    given(account, history).when({ type: 'Deposit', amountCents: 1 }).thenThrows('ACCOUNT_CLOSED');
    given(account, history).when({ type: 'Withdraw', amountCents: 1 }).thenThrows('ACCOUNT_CLOSED');
    given(account, history).when({ type: 'CloseAccount' }).thenThrows('ACCOUNT_CLOSED');
    given(account, history).when({ type: 'OpenAccount', accountId: '42', owner: 'Ada' }).thenThrows('ACCOUNT_ALREADY_OPEN');
  });

  it('an account never opened rejects money commands', () => {
    given(account).when({ type: 'Deposit', amountCents: 1 }).thenThrows('ACCOUNT_NOT_OPEN');
  });
});
