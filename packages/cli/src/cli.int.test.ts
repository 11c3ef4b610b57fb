import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cairn, ndjson } from './test-support/cli.js';
import { type Backend, StoreUrls } from './test-support/stores.js';

beforeAll(() => assertBuilt());

// Tests are independent (their own streams, or their own store) and run concurrently: each
// spawns processes, so they overlap on two cores instead of queueing.
describe.concurrent('cairn without a store', () => {
  it('prints help with the exit codes and exits 0', async () => {
    const run = await cairn(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Exit codes:');
    for (const command of ['serve', 'migrate', 'append', 'read', 'tail', 'streams', 'export', 'import', 'copy-stream', 'verify', 'keys']) {
      expect(run.stdout).toContain(command);
    }
  });

  it('answers usage errors with exit 2 and one line', async () => {
    for (const args of [['bogus'], ['read'], ['append', 'x-1', '--type', 'A'], ['append', 'x-1', '--type', 'A', '--data', '{nope'], ['read', 'x-1', '--limit', '0'], ['keys', 'create', '--name', 'n', '--role', 'root']]) {
      const run = await cairn(args);
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(2);
      expect(run.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(run.stderr).toMatch(/^error USAGE: /);
      expect(run.stdout).toBe('');
    }
  });

  it('refuses an unknown store URL with exit 2 and a missing SQLite file with exit 4', async () => {
    const bad = await cairn(['read', 'x-1', '--db', 'mysql://localhost/x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error UNSUPPORTED_STORE_URL: /);
    const missing = await cairn(['read', 'x-1', '--db', 'sqlite:/nonexistent/dir/cairn.db']);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toMatch(/^error STORE_NOT_FOUND: No SQLite database at \/nonexistent\/dir\/cairn\.db/);
  });
});

describe.concurrent.each(['sqlite', 'postgres'] as Backend[])('cairn commands [%s]', (backend) => {
  const urls = new StoreUrls();
  let db: string;

  beforeAll(async () => {
    db = urls.url(backend);
    const run = await cairn(['migrate', '--db', db, '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ migrated: true, store: backend });
  });
  afterAll(() => urls.cleanup());

  it('appends, reads back (text and NDJSON), and exits 3 on a version conflict', async () => {
    const first = await cairn(['append', 'account-1', '--type', 'Opened', '--data', '{"owner":"Ada"}', '--expected-version', 'no-stream', '--db', db]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^appended to account-1: version 1, position \d+\n$/);
    const second = await cairn([
      'append', 'account-1', '--type', 'Deposited', '--data', '{"cents":500}', '--metadata', '{"actor":"ada"}', '--tag', 'user:1,vip', '--expected-version', '1', '--db', db, '--json',
    ]);
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ streamId: 'account-1', version: 2, position: expect.stringMatching(/^\d+$/) });

    const text = await cairn(['read', 'account-1', '--db', db]);
    expect(text.code).toBe(0);
    expect(text.stdout.trimEnd().split('\n')).toEqual([expect.stringMatching(/^ +1 +@\d+ +\S+Z +Opened +\{"owner":"Ada"\}$/), expect.stringMatching(/^ +2 .*Deposited +\{"cents":500\}$/)]);

    const json = ndjson(( await cairn(['read', 'account-1', '--db', db, '--json', '--backward', '--limit', '1'])).stdout);
    expect(json).toEqual([
      expect.objectContaining({ streamId: 'account-1', version: 2, type: 'Deposited', data: { cents: 500 }, metadata: { actor: 'ada' }, tags: ['user:1', 'vip'], position: expect.stringMatching(/^\d+$/) }),
    ]);

    const stale = await cairn(['append', 'account-1', '--type', 'Deposited', '--data', '1', '--expected-version', '1', '--db', db]);
    expect(stale.code).toBe(3);
    expect(stale.stderr).toMatch(/^error CONCURRENCY: Stream "account-1" is at version 2, but the append expected version 1\./);
    expect(stale.stderr.trim().split('\n')).toHaveLength(1);

    const jsonError = await cairn(['append', 'account-1', '--type', 'X', '--data', '1', '--expected-version', '0', '--db', db, '--json']);
    expect(jsonError.code).toBe(3);
    expect(JSON.parse(jsonError.stderr)).toEqual({ error: expect.objectContaining({ code: 'CONCURRENCY', streamId: 'account-1', expected: 0, actual: 2 }) });
  });

  it('is idempotent with --id: a retried append writes nothing', async () => {
    const id = '6f1c3d2a-9b7e-4c1a-8d2f-0e9a8b7c6d5e';
    const args = ['append', 'retry-1', '--type', 'Paid', '--data', '{"cents":1}', '--id', id, '--db', db, '--json'];
    const a = await cairn(args);
    const b = await cairn(args);
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    expect(JSON.parse(b.stdout)).toEqual(JSON.parse(a.stdout));
    expect(ndjson((await cairn(['read', 'retry-1', '--db', db, '--json'])).stdout)).toHaveLength(1);
  });

  it('exits 4 for an unknown stream, 2 for a bad event, and shows a stack only with --verbose', async () => {
    const missing = await cairn(['read', 'nobody-1', '--db', db]);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toMatch(/^error STREAM_NOT_FOUND: Stream "nobody-1" does not exist/);
    expect(missing.stderr).not.toMatch(/\n\s+at /);
    const verbose = await cairn(['read', 'nobody-1', '--db', db, '--verbose']);
    expect(verbose.code).toBe(4);
    expect(verbose.stderr).toMatch(/\n\s+at /);
    const system = await cairn(['append', '$mine', '--type', 'A', '--data', '1', '--db', db]);
    expect(system.code).toBe(2);
    expect(system.stderr).toMatch(/^error INVALID_STREAM_ID: /);
    const control = await cairn(['append', 'ok-1', '--type', 'A\u0007', '--data', '1', '--db', db]);
    expect(control.code).toBe(2);
    expect(control.stderr).toMatch(/^error INVALID_EVENT: /);
  });

  it('lists streams by prefix, category and event type', async () => {
    for (const [id, type] of [['order-1', 'Placed'], ['order-2', 'Cancelled'], ['order-3', 'Placed'], ['invoice-1', 'Placed']] as const) {
      expect((await cairn(['append', id, '--type', type, '--data', '{}', '--db', db])).code).toBe(0);
    }
    const byCategory = ndjson<{ streamId: string; version: number }>((await cairn(['streams', '--category', 'order', '--db', db, '--json'])).stdout);
    expect(byCategory.map((s) => s.streamId)).toEqual(['order-1', 'order-2', 'order-3']);
    const byPrefix = await cairn(['streams', '--prefix', 'order-', '--limit', '2', '--db', db]);
    expect(byPrefix.stdout.trim().split('\n').map((l) => l.split('\t')[0])).toEqual(['order-1', 'order-2']);
    const byType = ndjson<{ streamId: string }>((await cairn(['streams', '--type', 'Placed', '--db', db, '--json'])).stdout);
    expect(byType.map((s) => s.streamId)).toEqual(['order-1', 'order-3', 'invoice-1']);
    const both = ndjson<{ streamId: string }>((await cairn(['streams', '--type', 'Placed', '--category', 'order', '--db', db, '--json'])).stdout);
    expect(both.map((s) => s.streamId)).toEqual(['order-1', 'order-3']);
    const system = ndjson<{ streamId: string }>((await cairn(['streams', '--db', db, '--json'])).stdout);
    expect(system.some((s) => s.streamId.startsWith('$'))).toBe(false);
  });

  it('tails the log from the start, with filters, and stops at --limit', async () => {
    const store = await urls.open(db);
    await store.append('tailcat-1', [{ type: 'Tailed', data: 1 }, { type: 'Other', data: 2 }]);
    await store.append('elsewhere-1', [{ type: 'Tailed', data: 3 }]);
    await store.append('tailcat-2', [{ type: 'Tailed', data: 4 }]);
    const run = await cairn(['tail', '--from-start', '--category', 'tailcat', '--type', 'Tailed', '--limit', '2', '--db', db, '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(ndjson<{ streamId: string; data: number }>(run.stdout).map((e) => [e.streamId, e.data])).toEqual([['tailcat-1', 1], ['tailcat-2', 4]]);
  });

  it('takes the store from CAIRN_DB when --db is absent', async () => {
    await (await urls.open(db)).append('envtest-1', [{ type: 'A', data: 1 }, { type: 'B', data: 2 }]);
    const run = await cairn(['read', 'envtest-1', '--json'], { env: { CAIRN_DB: db } });
    expect(run.code, run.stderr).toBe(0);
    expect(ndjson(run.stdout)).toHaveLength(2);
  });

  it('creates, lists and revokes API keys, printing the key once', async () => {
    const created = await cairn(['keys', 'create', '--name', 'ci', '--role', 'write', '--prefix', 'tenant-a/', '--db', db]);
    expect(created.code, created.stderr).toBe(0);
    const key = created.stdout.trim();
    expect(key).toMatch(/^cairn_[A-Za-z0-9_-]{43}$/);
    expect(created.stderr).toMatch(/created key_[0-9a-f]{12} "ci" with role write/);
    const json = JSON.parse((await cairn(['keys', 'create', '--name', 'ops', '--role', 'admin', '--db', db, '--json'])).stdout) as { key: string; keyId: string; roles: string[] };
    expect(json).toMatchObject({ key: expect.stringMatching(/^cairn_/), keyId: expect.stringMatching(/^key_/), name: 'ops', roles: ['admin'] });

    const listed = ndjson<{ keyId: string; name: string; revokedAt?: string; hash?: string }>((await cairn(['keys', 'list', '--db', db, '--json'])).stdout);
    expect(listed.map((k) => k.name)).toEqual(['ci', 'ops']);
    expect(JSON.stringify(listed)).not.toContain(key);
    expect(listed.every((k) => k.hash === undefined)).toBe(true);

    const revoke = await cairn(['keys', 'revoke', json.keyId, '--db', db]);
    expect(revoke.code).toBe(0);
    expect(revoke.stdout).toContain(`revoked ${json.keyId}`);
    const again = JSON.parse((await cairn(['keys', 'revoke', json.keyId, '--db', db, '--json'])).stdout) as { alreadyRevoked: boolean };
    expect(again.alreadyRevoked).toBe(true);
    const unknown = await cairn(['keys', 'revoke', 'key_000000000000', '--db', db]);
    expect(unknown.code).toBe(4);
    expect(unknown.stderr).toMatch(/^error API_KEY_NOT_FOUND: /);
    const table = await cairn(['keys', 'list', '--db', db]);
    expect(table.stdout).toMatch(new RegExp(`${json.keyId}\\tops\\tadmin\\t\\*\\t\\S+\\trevoked `));
  });

  it('verifies a healthy store with exit 0', async () => {
    // A store of its own: the check compares the catalogue with the log, which the other
    // tests keep writing to.
    const own = urls.url(backend);
    const store = await urls.open(own);
    for (let i = 0; i < 3; i++) await store.append(`healthy-${i}`, [{ type: 'A', data: i }, { type: 'B', data: i }]);
    const run = await cairn(['verify', '--db', own, '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, events: 6, streams: 3 });
    const text = await cairn(['verify', '--db', own]);
    expect(text.stderr).toBe(`ok: 6 events in 3 streams, up to position ${JSON.parse(run.stdout).head}\n`);
  });
});
