import { createCommandHandler, createProjectionRunner, defineProjection, type EventStore, snapshotEvery } from '@cairn/core';
import { afterAll, describe, expect, it } from 'vitest';
import { cairn, ndjson } from './test-support/cli.js';
import { type Backend, StoreUrls } from './test-support/stores.js';

/** The operating commands: projections, snapshots, forget. Each runs the built CLI against a real store. */
const urls = new StoreUrls();
afterAll(() => urls.cleanup());

const poison = defineProjection<{ type: 'Counted'; data: { n: number; poison?: boolean } }>({
  name: 'counter',
  handlers: {
    Counted: (e) => {
      if (e.data.poison) throw new Error(`poison at ${e.data.n}`);
    },
  },
});

describe.each(['sqlite', 'postgres'] as Backend[])('cairn operate [%s]', (backend) => {
  it('projections status, rebuild, pause/resume, dead letters list and skip', async () => {
    const url = urls.url(backend);
    const store: EventStore = await urls.open(url);
    await store.append('count-1', [
      { type: 'Counted', data: { n: 1 } },
      { type: 'Counted', data: { n: 2, poison: true } },
      { type: 'Counted', data: { n: 3 } },
    ]);
    const runner = createProjectionRunner({ store, projections: [poison], maxAttempts: 1, superviseMs: 100 });
    await runner.start();
    await runner.idle();
    await runner.stop();

    const status = await cairn(['projections', 'status', '--db', url, '--json']);
    expect(status.code, status.stderr).toBe(0);
    const [report] = ndjson<{ name: string; status: string; eventsBehind: number; deadLetters: number; position: string }>(status.stdout);
    expect(report).toMatchObject({ name: 'counter', status: 'live', eventsBehind: 0, deadLetters: 1 });
    expect(typeof report?.position).toBe('string');
    expect((await cairn(['projections', 'status', '--db', url])).stdout).toMatch(/^counter\tgeneration 1\tlive\t.*caught up\t1 dead letters/m);

    const letters = ndjson<{ id: string; status: string; streamId: string }>((await cairn(['projections', 'dead-letters', 'list', '--db', url, '--json'])).stdout);
    expect(letters).toMatchObject([{ status: 'parked', streamId: 'count-1' }]);
    expect((await cairn(['projections', 'dead-letters', 'skip', letters[0]!.id, '--db', url])).code).toBe(0);
    expect(ndjson<{ status: string }>((await cairn(['projections', 'dead-letters', 'list', '--db', url, '--json'])).stdout)[0]?.status).toBe('skipped');
    const missing = await cairn(['projections', 'dead-letters', 'replay', 'nope', '--db', url]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^error INVALID_ARGUMENT: .*no dead letter nope/);

    expect((await cairn(['projections', 'pause', 'counter', '--db', url])).code).toBe(0);
    expect(ndjson<{ paused: boolean }>((await cairn(['projections', 'status', '--db', url, '--json'])).stdout)[0]?.paused).toBe(true);
    expect((await cairn(['projections', 'resume', 'counter', '--db', url])).code).toBe(0);
    const rebuild = await cairn(['projections', 'rebuild', 'counter', '--db', url, '--json']);
    expect(JSON.parse(rebuild.stdout)).toEqual({ projection: 'counter', action: 'rebuild', generation: 2 });
    expect(ndjson<{ generation: number; status: string }>((await cairn(['projections', 'status', '--db', url, '--json'])).stdout).map((r) => [r.generation, r.status])).toEqual([
      [1, 'live'],
      [2, 'building'],
    ]);
    expect((await cairn(['projections', 'pause', 'unknown', '--db', url])).code).toBe(2);
  }, 60_000);

  it('snapshot show and delete', async () => {
    const url = urls.url(backend);
    const store: EventStore = await urls.open(url);
    const counter = createCommandHandler({
      store,
      decider: { initialState: () => ({ n: 0 }), evolve: (s: { n: number }) => ({ n: s.n + 1 }), decide: () => [{ type: 'Inc', data: {} }] },
      snapshots: { policy: snapshotEvery(3) },
    });
    for (let i = 0; i < 4; i++) await counter.handle('counter-1', {});
    await counter.load('counter-1');
    const shown = await cairn(['snapshot', 'show', 'counter-1', '--db', url, '--json']);
    expect(shown.code, shown.stderr).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ streamId: 'counter-1', name: 'state', version: 3, schemaVersion: 1, state: { n: 3 } });
    expect((await cairn(['snapshot', 'show', 'counter-2', '--db', url])).code).toBe(4);
    expect(JSON.parse((await cairn(['snapshot', 'delete', '--db', url, '--json'])).stdout)).toEqual({ deleted: 1 });
    expect((await counter.load('counter-1')).state).toEqual({ n: 4 });
  }, 60_000);

  it('forget destroys the keys, records it in $audit, and the fields read as [redacted]', async () => {
    const url = urls.url(backend);
    const { openStore } = await import('@cairn/core');
    const personal = await openStore(url, { personalData: { UserCreated: { subject: (_d, streamId) => streamId, fields: ['email'] } } });
    try {
      await personal.append('user-9', [{ type: 'UserCreated', data: { email: 'nine@example.com', plan: 'pro' } }]);
      const run = await cairn(['forget', 'user-9', '--reason', 'request 42', '--actor', 'dpo', '--db', url, '--json']);
      expect(run.code, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ subject: 'user-9', keysDestroyed: 1 });
      const fresh = await openStore(url, { personalData: { UserCreated: { subject: (_d, streamId) => streamId, fields: ['email'] } } });
      try {
        expect((await fresh.readStream('user-9').toArray())[0]?.data).toEqual({ email: '[redacted]', plan: 'pro' });
        expect((await fresh.readStream('$audit').toArray()).at(-1)).toMatchObject({ type: 'SubjectForgotten', data: { subject: 'user-9', reason: 'request 42' }, metadata: { actor: 'dpo' } });
      } finally {
        await fresh.close();
      }
      const again = await cairn(['forget', 'user-9', '--db', url]);
      expect(again.stderr).toContain('no key existed');
    } finally {
      await personal.close();
    }
  }, 60_000);
});
