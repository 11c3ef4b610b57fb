import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiKey, ERROR_STATUS } from '@cairn/server';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { hostileJson, hostileNumberJson, hostileNumberText, hostileString } from '../../../../test/hostile/arbitraries.js';
import { checkAnswer, leakPatterns, stateChanges, storeState } from '../../../../test/hostile/checks.js';
import { fuzz, fuzzRuns } from '../../../../test/hostile/fuzz-run.js';
import { describeRequest, hostileRequests, type RouteSpec } from '../../../../test/hostile/requests.js';
import { enforcementProblems } from '../../../../test/hostile/route-table.js';
import { exchange } from '../../../../test/hostile/wire.js';
import { type LedgerApp, startLedgerApp } from '../app.js';
import { LEDGER_ERROR_STATUS } from './ledger-extension.js';

/**
 * Hostile input over the ledger's HTTP API (commands, queries, time travel, customers and
 * forgetting), mounted beside the Cairn API the way `npm start` runs it, on SQLite and
 * PostgreSQL. Same properties as the server's own fuzz: no 5xx, no hang, problem+json with a
 * known code, no leaks, and a refused command writes nothing. Also walks the assembled app's
 * route table: every ledger route declares its role, and the role holds.
 */

const RUNS = fuzzRuns(300);
const MAX_MS = 5_000;

const CODES = {
  ...ERROR_STATUS,
  ...LEDGER_ERROR_STATUS,
  INSUFFICIENT_FUNDS: 422,
  PROJECTION_NOT_FOUND: 404,
  DEAD_LETTER_NOT_FOUND: 404,
  DEAD_LETTER_NOT_PARKED: 409,
  REPLAY_FAILED: 409,
  DOMAIN_RULE: 422,
};

const id = fc.oneof({ arbitrary: fc.constantFrom('acc1', 'acc2', 'u1', 'nobody', 'a:b.c_d-e'), weight: 3 }, { arbitrary: hostileString, weight: 2 });
const cents = fc.oneof({ arbitrary: fc.integer({ min: 1, max: 5_000 }), weight: 3 }, { arbitrary: hostileNumberJson, weight: 2 });
const note = fc.oneof(fc.constant('rent'), hostileString);
const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const body = <T>(sound: fc.Arbitrary<T>) => fc.oneof({ arbitrary: sound, weight: 4 }, { arbitrary: hostileJson, weight: 1 }, { arbitrary: fc.record({ extra: hostileJson }), weight: 1 });
const commandHeaders = {
  'Idempotency-Key': fc.oneof(fc.constantFrom('k-1', 'k-2'), hostileString),
  'If-Match': fc.oneof(fc.constantFrom('"1"', '"2"', 'W/"3"', '*', '"-1"', '"1e3"'), hostileString),
};
const email = fc.oneof(fc.constantFrom('ada@example.com', 'a@b.c', 'not-an-email', '@', 'x@y'), hostileString);
const date = fc.oneof(fc.constantFrom('2026-01-01', '2026-02-30', '0000-00-00', '9999-12-31', '2026-1-1'), hostileString);
const instant = fc.oneof(fc.constantFrom('2026-01-01T00:00:00Z', '2001-01-01T00:00:00.000+01:00', '9999-12-31T23:59:59Z', '2026-13-01T00:00:00Z'), hostileString);

const ROUTES: RouteSpec[] = [
  { method: 'POST', path: '/ledger/accounts', body: body(fc.record({ accountId: id, owner: fc.oneof(fc.constant('Ada'), hostileString), currency: optional(fc.oneof(fc.constantFrom('EUR', 'eur', 'EURO'), hostileString)) })), headers: commandHeaders, writes: true, weight: 2 },
  { method: 'GET', path: '/ledger/accounts', query: { search: hostileString, after: id, limit: hostileNumberText } },
  { method: 'GET', path: '/ledger/accounts/:accountId', params: { accountId: id } },
  { method: 'POST', path: '/ledger/accounts/:accountId/deposits', params: { accountId: id }, body: body(fc.record({ amountCents: cents, note: optional(note) })), headers: commandHeaders, writes: true, weight: 3 },
  { method: 'POST', path: '/ledger/accounts/:accountId/withdrawals', params: { accountId: id }, body: body(fc.record({ amountCents: cents, note: optional(note) })), headers: commandHeaders, writes: true, weight: 3 },
  { method: 'POST', path: '/ledger/accounts/:accountId/close', params: { accountId: fc.oneof(fc.constant('acc9'), hostileString) }, body: body(fc.record({ reason: optional(note) })), headers: commandHeaders, writes: true },
  { method: 'GET', path: '/ledger/accounts/:accountId/at', params: { accountId: id }, query: { version: hostileNumberText, at: instant } },
  { method: 'GET', path: '/ledger/accounts/:accountId/balance-on', params: { accountId: id }, query: { date } },
  { method: 'GET', path: '/ledger/accounts/:accountId/daily-balances', params: { accountId: id } },
  {
    method: 'POST',
    path: '/ledger/transfers',
    body: body(fc.record({ from: id, to: id, amountCents: cents, note: optional(note), waitMs: optional(fc.oneof(fc.constantFrom(0, 50, 2_000), hostileNumberJson)) })),
    headers: commandHeaders,
    writes: true,
    weight: 2,
  },
  { method: 'GET', path: '/ledger/transfers/:transferId', params: { transferId: id } },
  { method: 'POST', path: '/ledger/customers', body: body(fc.record({ customerId: id, name: fc.oneof(fc.constant('Ada'), hostileString), email })), headers: commandHeaders, writes: true, weight: 2 },
  { method: 'POST', path: '/ledger/customers/:customerId/email', params: { customerId: id }, body: body(fc.record({ email })), headers: commandHeaders, writes: true },
  { method: 'GET', path: '/ledger/customers/:customerId', params: { customerId: id } },
  { method: 'POST', path: '/ledger/customers/:customerId/forget', params: { customerId: fc.oneof(fc.constant('u9'), hostileString) }, body: body(fc.record({ reason: note })), writes: true },
  // Sound commands too, so accepted writes (and idempotent repeats) are part of the mix.
  { method: 'POST', path: '/ledger/accounts/:accountId/deposits', params: { accountId: fc.constantFrom('acc1', 'acc2') }, body: fc.record({ amountCents: fc.integer({ min: 1, max: 500 }) }), headers: { 'Idempotency-Key': fc.constantFrom('k-1', 'k-2', 'k-3') }, writes: true, weight: 3 },
  { method: 'POST', path: '/ledger/transfers', body: fc.record({ from: fc.constantFrom('acc1', 'acc2'), to: fc.constantFrom('acc1', 'acc2', 'nobody'), amountCents: fc.integer({ min: 1, max: 20_000 }) }), writes: true, weight: 2 },
  { method: 'POST', path: '/ledger/customers', body: fc.record({ customerId: fc.nat({ max: 30 }).map((n) => `c${n}`), name: fc.constant('Ada'), email: fc.constant('ada@example.com') }), writes: true, weight: 1 },
  { method: 'GET', path: '/projections' },
  { method: 'GET', path: '/dead-letters', query: { projection: hostileString, status: hostileString } },
];

describe.each(['sqlite', 'postgres'] as const)('hostile input to the ledger API [%s]', (backend) => {
  let app: LedgerApp;
  let dir: string;
  let schema: string | undefined;
  let keys: Record<'read' | 'write' | 'admin', string>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cairn-ledger-fuzz-'));
    let db = `sqlite:${join(dir, 'cairn.db')}`;
    if (backend === 'postgres') {
      schema = `ledger_fuzz_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
      const url = new URL(inject('databaseUrl'));
      url.searchParams.set('schema', schema);
      db = url.toString();
    }
    app = await startLedgerApp({ db, port: 0, dataDir: dir, seed: false, runner: { superviseMs: 100, pollIntervalMs: 50 } });
    keys = {
      read: (await createApiKey(app.store, { name: 'reader', roles: ['read'] })).key,
      write: (await createApiKey(app.store, { name: 'teller', roles: ['write'] })).key,
      admin: (await createApiKey(app.store, { name: 'auditor', roles: ['admin'] })).key,
    };
    await app.ledger.openAccount({ accountId: 'acc1', owner: 'Grace Hopper' });
    await app.ledger.deposit('acc1', 10_000, 'salary');
    await app.ledger.openAccount({ accountId: 'acc2', owner: 'Alan Turing' });
    await app.ledger.users.handle('user-u1', (u) => u.create('ada@example.com', 'Ada Lovelace'));
    await app.runner.idle();
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

  it(`every ledger route: no 5xx, no hang, problem+json with a stable code, no leaks, a refused command writes nothing (${RUNS} cases)`, async () => {
    const port = Number(new URL(app.url).port);
    const leaks = leakPatterns([dir]);
    const tally = await fuzz(`ledger api [${backend}]`, hostileRequests(ROUTES, keys, { bodyLimit: 5 * 1024 * 1024 }), RUNS, async (request, tally) => {
      const before = await storeState(app.store);
      const outcome = await exchange(port, request, MAX_MS + 1_000);
      const problems = checkAnswer(outcome, request.method, { codes: CODES, leaks, maxMs: MAX_MS });
      if (outcome.kind === 'response') {
        tally.count(outcome.status);
        // CAIRN_FUZZ_DEBUG=1 breaks the tally down by route and detail: what the cases reach.
        if (process.env.CAIRN_FUZZ_DEBUG) tally.count(`${request.method} ${request.route.path} → ${outcome.status} ${/"detail":"([^"]{0,90})/.exec(outcome.body)?.[1] ?? ''}`);
        const accepted = outcome.status < 300 && request.route.writes === true && request.method === 'POST';
        if (accepted) {
          tally.count('accepted');
          // A transfer goes on in the background: let it finish before the next case looks.
          await app.runner.idle();
        } else {
          const changes = stateChanges(before, await storeState(app.store));
          if (changes.length > 0) problems.push(`the store changed: ${changes.join(', ')}`);
        }
      } else tally.count(outcome.kind);
      if (problems.length > 0) throw new Error(`${describeRequest(request)}\n→ ${outcome.kind === 'response' ? outcome.status : outcome.kind}\n${problems.join('\n')}`);
    });
    expect(tally.fiveHundreds()).toBe(0);
    expect((await fetch(`${app.url}/health`)).status).toBe(200);
  });

  it('every route of the assembled app declares a role, and each role holds', async () => {
    const routes = app.server.cairn.routes;
    const ledgerRoutes = routes.filter((r) => r.url.startsWith('/ledger'));
    expect(ledgerRoutes.length).toBeGreaterThanOrEqual(15);
    expect(routes.filter((r) => r.role === undefined).map((r) => `${r.method} ${r.url}`)).toEqual([]);
    expect(ledgerRoutes.filter((r) => r.role === 'public')).toEqual([]);
    const fill = (url: string): string => url.replace(/:[A-Za-z]+/g, 'zz-none');
    const port = Number(new URL(app.url).port);
    expect(await enforcementProblems(port, routes, keys, fill)).toEqual([]);
  });
});
