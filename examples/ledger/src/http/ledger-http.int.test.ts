import { createApiKey } from '@cairn/server';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type LedgerApp, startLedgerApp } from '../app.js';
import { accountStream } from '../domain/account.js';

type Json = Record<string, any>;

/** The ledger API over a real socket, on SQLite and PostgreSQL, started the way `npm start` starts it. */
describe.each(['sqlite', 'postgres'] as const)('ledger HTTP API [%s]', (backend) => {
  let app: LedgerApp;
  let dir: string;
  let schema: string | undefined;
  const keys: Record<'read' | 'write', string> = { read: '', write: '' };

  const call = async (method: string, path: string, body?: unknown, key = app.key, headers: Record<string, string> = {}) => {
    const res = await fetch(`${app.url}/ledger${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, type: res.headers.get('content-type') ?? '', body: (await res.json()) as Json };
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cairn-ledger-http-'));
    let db = `sqlite:${join(dir, 'cairn.db')}`;
    if (backend === 'postgres') {
      schema = `ledger_http_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
      const url = new URL(inject('databaseUrl'));
      url.searchParams.set('schema', schema);
      db = url.toString();
    }
    app = await startLedgerApp({ db, port: 0, dataDir: dir, seed: false, runner: { superviseMs: 100, pollIntervalMs: 100 } });
    keys.read = (await createApiKey(app.store, { name: 'reader', roles: ['read'] })).key;
    keys.write = (await createApiKey(app.store, { name: 'teller', roles: ['write'] })).key;
    await new Promise((r) => setTimeout(r, 300)); // the key ring follows $keys
  });
  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
    if (schema) {
      const client = new pg.Client({ connectionString: inject('databaseUrl') });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    }
  });

  it('opens an account, deposits with an Idempotency-Key, and answers with the events it appended', async () => {
    const opened = await call('POST', '/accounts', { accountId: 'h1', owner: 'Grace Hopper' }, keys.write);
    expect(opened.status).toBe(201);
    expect(opened.body).toMatchObject({ streamId: 'account-h1', version: 1, duplicate: false, state: { status: 'open', owner: 'Grace Hopper' } });
    expect(opened.body.events[0]).toMatchObject({ type: 'AccountOpened', version: 1, metadata: { actor: 'teller' } });
    expect(typeof opened.body.position).toBe('string');

    const deposit = () => call('POST', '/accounts/h1/deposits', { amountCents: 10_000, note: 'salary' }, keys.write, { 'idempotency-key': 'pay-1' });
    const first = await deposit();
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ version: 2, duplicate: false, state: { balanceCents: 10_000 } });
    const again = await deposit();
    expect(again.body).toMatchObject({ version: 2, duplicate: true });
    expect(again.body.events[0].eventId).toBe(first.body.events[0].eventId);
    expect((await app.store.streamInfo(accountStream('h1')))?.version).toBe(2);
  });

  it('maps domain errors to 409/422/404 problems with their codes, and validates bodies', async () => {
    const over = await call('POST', '/accounts/h1/withdrawals', { amountCents: 99_999 }, keys.write);
    expect(over.status).toBe(422);
    expect(over.type).toMatch(/^application\/problem\+json/);
    expect(over.body).toMatchObject({ code: 'INSUFFICIENT_FUNDS', balanceCents: 10_000, amountCents: 99_999 });
    expect((await call('POST', '/accounts', { accountId: 'h1', owner: 'Again' }, keys.write)).body).toMatchObject({ status: 409, code: 'ACCOUNT_ALREADY_OPEN' });
    expect((await call('POST', '/accounts/ghost/deposits', { amountCents: 1 }, keys.write)).body).toMatchObject({ status: 404, code: 'ACCOUNT_NOT_OPEN', detail: 'Account ghost has not been opened.' });
    const stale = await call('POST', '/accounts/h1/deposits', { amountCents: 1 }, keys.write, { 'if-match': '"1"' });
    expect(stale.body).toMatchObject({ status: 409, code: 'CONCURRENCY', expected: 1, actual: 2 });
    const bad = await call('POST', '/accounts/h1/deposits', { amountCents: 1.5, extra: true }, keys.write);
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('INVALID_REQUEST');
    expect((await call('POST', '/accounts', { accountId: 'bad id!', owner: 'X' }, keys.write)).status).toBe(400);
    expect((await call('POST', '/accounts/h1/deposits', { amountCents: 5 }, keys.read)).status).toBe(403);
  });

  it('transfers: waits for the outcome — completed, rejected, or failed and refunded', async () => {
    await call('POST', '/accounts', { accountId: 'h2', owner: 'Alan Turing' }, keys.write);
    await call('POST', '/accounts', { accountId: 'gone', owner: 'Left' }, keys.write);
    await call('POST', '/accounts/gone/close', { reason: 'moved' }, keys.write);
    const ok = await call('POST', '/transfers', { from: 'h1', to: 'h2', amountCents: 2_500 }, keys.write, { 'idempotency-key': 'tr-1' });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ status: 'completed', from: 'h1', to: 'h2', amountCents: 2_500 });
    const retried = await call('POST', '/transfers', { from: 'h1', to: 'h2', amountCents: 2_500 }, keys.write, { 'idempotency-key': 'tr-1' });
    expect(retried.body.transferId).toBe(ok.body.transferId);
    expect((await call('POST', '/transfers', { from: 'h1', to: 'h2', amountCents: 1_000_000 }, keys.write)).body).toMatchObject({ status: 'rejected' });
    const failed = await call('POST', '/transfers', { from: 'h1', to: 'gone', amountCents: 100 }, keys.write);
    expect(failed.body).toMatchObject({ status: 'failed', reason: expect.stringContaining('closed') });
    expect((await call('GET', `/transfers/${failed.body.transferId}`, undefined, keys.read)).body.status).toBe('failed');
    // Paid once, refunded once: 10,000 - 2,500.
    expect((await app.ledger.accounts.load(accountStream('h1'))).state.balanceCents).toBe(7_500);
  });

  it('lists summaries with keyset paging, shows one account, its daily balances and its balance on a day', async () => {
    await app.runner.idle();
    const page1 = await call('GET', '/accounts?limit=2', undefined, keys.read);
    expect(page1.body.accounts.map((a: Json) => a.accountId)).toEqual(['gone', 'h1']);
    expect(page1.body.next).toBe('h1');
    expect((await call('GET', `/accounts?limit=2&after=${page1.body.next}`, undefined, keys.read)).body).toMatchObject({ accounts: [{ accountId: 'h2' }], next: null });
    expect((await call('GET', '/accounts?search=grace', undefined, keys.read)).body.accounts.map((a: Json) => a.accountId)).toEqual(['h1']);

    const one = await call('GET', '/accounts/h1', undefined, keys.read);
    expect(one.body).toMatchObject({ version: 5, state: { balanceCents: 7_500 }, summary: { balanceCents: 7_500, owner: 'Grace Hopper' } });
    const today = new Date().toISOString().slice(0, 10);
    expect((await call('GET', '/accounts/h1/daily-balances', undefined, keys.read)).body.days).toEqual([{ day: today, balanceCents: 7_500 }]);
    expect((await call('GET', `/accounts/h1/balance-on?date=${today}`, undefined, keys.read)).body).toMatchObject({ balanceCents: 7_500, fromReadModel: 7_500, agree: true });
    expect((await call('GET', '/accounts/h1/balance-on?date=2001-01-01', undefined, keys.read)).body).toMatchObject({ balanceCents: 0, version: 0, fromReadModel: null });
    expect((await call('GET', '/accounts/h1/balance-on?date=2026-02-30', undefined, keys.read)).status).toBe(400);
    expect((await call('GET', '/accounts/nobody', undefined, keys.read)).body).toMatchObject({ status: 404, code: 'STREAM_NOT_FOUND' });
  });

  it('time travel: state at a version or an instant, with the events up to there and the timeline', async () => {
    const at2 = await call('GET', '/accounts/h1/at?version=2', undefined, keys.read);
    expect(at2.body).toMatchObject({ version: 2, state: { balanceCents: 10_000, transactions: 1 }, streamVersion: 5 });
    expect(at2.body.events.map((e: Json) => e.type)).toEqual(['AccountOpened', 'MoneyDeposited']);
    expect(at2.body.timeline).toHaveLength(5);
    expect(at2.body.timeline[1]).toMatchObject({ version: 2, type: 'MoneyDeposited', amountCents: 10_000 });
    const before = await call('GET', `/accounts/h1/at?at=${encodeURIComponent('2001-01-01T00:00:00Z')}`, undefined, keys.read);
    expect(before.body).toMatchObject({ version: 0, at: null, state: { status: 'none', balanceCents: 0 }, events: [] });
    const now = await call('GET', '/accounts/h1/at', undefined, keys.read);
    expect(now.body).toMatchObject({ version: 5, state: { balanceCents: 7_500 } });
    expect((await call('GET', '/accounts/h1/at?version=1&at=2020-01-01T00:00:00Z', undefined, keys.read)).status).toBe(400);
  });

  it('customers: personal data encrypted, email changes, and forgetting (admin only) redacts them', async () => {
    const created = await call('POST', '/customers', { customerId: 'u1', name: 'Ada Lovelace', email: 'ada@example.com' }, keys.write);
    expect(created.status).toBe(201);
    expect((await call('POST', '/customers/u1/email', { email: 'countess@example.org' }, keys.write)).body).toMatchObject({ email: 'countess@example.org', emailHistory: ['ada@example.com', 'countess@example.org'] });
    expect((await call('POST', '/customers/u1/email', { email: 'not-an-email' }, keys.write)).status).toBe(400);
    expect((await call('POST', '/customers', { customerId: 'u1', name: 'Ada', email: 'a@example.com' }, keys.write)).body).toMatchObject({ status: 409, code: 'USER_EXISTS' });

    expect((await call('POST', '/customers/u1/forget', { reason: 'request #1' }, keys.write)).status).toBe(403);
    const forgot = await call('POST', '/customers/u1/forget', { reason: 'request #1' });
    expect(forgot.body).toMatchObject({ subject: 'user-u1', keysDestroyed: 1 });
    expect(typeof forgot.body.auditPosition).toBe('string');
    expect((await call('GET', '/customers/u1', undefined, keys.read)).body).toMatchObject({ version: 2, name: '[redacted]', email: '[redacted]' });
    // The raw API shows the same: the events stay, their personal fields do not.
    const raw = (await (await fetch(`${app.url}/streams/user-u1`, { headers: { authorization: `Bearer ${keys.read}` } })).json()) as Json;
    expect(raw.events.map((e: Json) => e.data)).toEqual([{ contactEmail: '[redacted]', name: '[redacted]' }, { oldEmail: '[redacted]', newEmail: '[redacted]' }]);
  });

  it('documents every ledger route in /openapi.json', async () => {
    const doc = (await (await fetch(`${app.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/ledger/accounts',
        '/ledger/accounts/{accountId}',
        '/ledger/accounts/{accountId}/deposits',
        '/ledger/accounts/{accountId}/withdrawals',
        '/ledger/accounts/{accountId}/close',
        '/ledger/accounts/{accountId}/at',
        '/ledger/accounts/{accountId}/balance-on',
        '/ledger/accounts/{accountId}/daily-balances',
        '/ledger/transfers',
        '/ledger/transfers/{transferId}',
        '/ledger/customers',
        '/ledger/customers/{customerId}',
        '/ledger/customers/{customerId}/email',
        '/ledger/customers/{customerId}/forget',
        '/projections',
        '/dead-letters',
      ]),
    );
  });
});
