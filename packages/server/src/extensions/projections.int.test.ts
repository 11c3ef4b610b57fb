import { createProjectionRunner, defineProjection, type EventStore, projectionAdmin, type ProjectionRunner, type SqlExecutor } from '@cairn/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectionsExtension } from '../index.js';
import { bearer, createKeys, postJson, type RunningServer, startServer } from '../test-support/servers.js';
import { eventually, StoreFactory } from '../test-support/stores.js';

interface Report {
  name: string;
  generation: number;
  status: string;
  paused: boolean;
  position: string;
  head: string;
  eventsBehind: number;
  deadLetters: number;
  progress: number;
}
interface Letter {
  id: string;
  projection: string;
  position: string;
  streamId: string;
  type: string;
  error: string;
  status: string;
}

// A read model that counts events per stream and refuses "poison" events until cured.
const cure = { poison: true };
const counts = defineProjection({
  name: 'counts',
  tables: ['counts'],
  setup: ({ sql, table }) => sql?.query(`CREATE TABLE IF NOT EXISTS ${table('counts')} (stream_id text PRIMARY KEY, n bigint NOT NULL)`),
  handle: async (e, { sql, table }) => {
    if ((e.data as { poison?: boolean }).poison && cure.poison) throw new Error(`poisoned event at ${e.position}`);
    await (sql as SqlExecutor).query(
      `INSERT INTO ${table('counts')} (stream_id, n) VALUES ($1, 1) ON CONFLICT (stream_id) DO UPDATE SET n = ${table('counts')}.n + 1`,
      [e.streamId],
    );
  },
});

describe.each(['sqlite', 'postgres'] as const)('projections extension over a real socket [%s]', (backend) => {
  const factory = new StoreFactory(backend);
  let store: EventStore;
  let runner: ProjectionRunner;
  let server: RunningServer;
  let keys: Awaited<ReturnType<typeof createKeys>>;

  const get = async <T>(path: string, key = keys.read): Promise<T> => {
    const res = await fetch(`${server.url}${path}`, { headers: bearer(key) });
    expect(res.status, `${path}: ${res.status}`).toBe(200);
    return (await res.json()) as T;
  };
  const post = (path: string, key = keys.admin) => postJson(`${server.url}${path}`, {}, bearer(key));
  const statusOf = async (name: string): Promise<Report[]> => (await get<{ projections: Report[] }>('/projections')).projections.filter((p) => p.name === name);

  beforeAll(async () => {
    cure.poison = true;
    store = await factory.open();
    keys = await createKeys(store);
    for (let i = 0; i < 30; i++) await store.append(`thing-${i % 3}`, [{ type: 'Happened', data: { i } }]);
    await store.append('thing-bad', [{ type: 'Happened', data: { poison: true } }]);
    runner = createProjectionRunner({ store, projections: [counts], superviseMs: 50, pollIntervalMs: 50, maxAttempts: 2, retryDelayMs: 5 });
    await runner.start();
    server = await startServer(store, { extensions: [projectionsExtension({ runner, sampleMs: 100 })] });
  });
  afterAll(async () => {
    await server?.close();
    await runner?.stop();
    await factory.cleanup();
  });

  it('reports status and lag per generation, with positions as strings', async () => {
    await runner.idle();
    const [live] = await statusOf('counts');
    expect(live).toMatchObject({ name: 'counts', generation: 1, status: 'live', paused: false, eventsBehind: 0, deadLetters: 1, progress: 1 });
    expect(live?.position).toMatch(/^[0-9]+$/);
    expect(live?.head).toBe((await store.headPosition()).toString());
  });

  it('lists the dead letter and refuses to replay it while the handler still fails', async () => {
    const { deadLetters } = await get<{ deadLetters: Letter[] }>('/dead-letters?projection=counts&status=parked');
    expect(deadLetters).toHaveLength(1);
    const [letter] = deadLetters as [Letter];
    expect(letter).toMatchObject({ projection: 'counts', streamId: 'thing-bad', type: 'Happened', status: 'parked' });
    expect(letter.error).toContain('poisoned event');
    // The stack stays in the store: over HTTP it would name the server's files.
    expect(letter.error).not.toMatch(/\n\s+at |\.(ts|js):\d+/);

    const failed = await post(`/dead-letters/${letter.id}/replay`);
    expect(failed.status).toBe(409);
    expect(failed.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await failed.json()).toMatchObject({ code: 'REPLAY_FAILED' });

    cure.poison = false;
    const replayed = await post(`/dead-letters/${letter.id}/replay`);
    expect(replayed.status).toBe(200);
    expect(await replayed.json()).toMatchObject({ id: letter.id, status: 'replayed' });
    const [row] = await (store.sql as SqlExecutor).query<{ n: number | string }>(`SELECT n FROM counts WHERE stream_id = 'thing-bad'`);
    expect(Number(row?.n)).toBe(1);

    const again = await post(`/dead-letters/${letter.id}/replay`);
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ code: 'DEAD_LETTER_NOT_PARKED', letterStatus: 'replayed' });
    expect((await get<{ deadLetters: Letter[] }>('/dead-letters?status=parked')).deadLetters).toEqual([]);
  });

  it('skips a dead letter', async () => {
    cure.poison = true;
    const { position } = await store.append('thing-bad', [{ type: 'Happened', data: { poison: true } }]);
    let letter: Letter | undefined;
    await eventually(async () => {
      letter = (await get<{ deadLetters: Letter[] }>('/dead-letters?status=parked')).deadLetters[0];
      expect(letter?.position).toBe(position.toString());
    });
    const skipped = await post(`/dead-letters/${letter?.id}/skip`);
    expect(skipped.status).toBe(200);
    expect(await skipped.json()).toMatchObject({ status: 'skipped' });
    expect((await get<{ deadLetters: Letter[] }>('/dead-letters?status=skipped')).deadLetters.map((l) => l.id)).toEqual([letter?.id]);
  });

  it('rebuilds beside the live generation, which takes over when caught up', async () => {
    cure.poison = false;
    const started = await post('/projections/counts/rebuild');
    expect(started.status).toBe(202);
    const { generation } = (await started.json()) as { generation: number };
    expect(generation).toBe(2);
    await eventually(async () => {
      const reports = await statusOf('counts');
      expect(reports.map((r) => [r.generation, r.status])).toEqual([[2, 'live']]);
    });
    // The new generation applied both poison events now that the handler is fixed.
    const [row] = await (store.sql as SqlExecutor).query<{ n: number | string }>(`SELECT n FROM counts WHERE stream_id = 'thing-bad'`);
    expect(Number(row?.n)).toBe(2);
  });

  it('pauses and resumes', async () => {
    expect(await (await post('/projections/counts/pause')).json()).toEqual({ name: 'counts', paused: true });
    expect((await statusOf('counts'))[0]?.paused).toBe(true);
    await store.append('thing-0', [{ type: 'Happened', data: { late: true } }]);
    await new Promise((r) => setTimeout(r, 300));
    expect((await statusOf('counts'))[0]?.eventsBehind).toBe(1);
    expect(await (await post('/projections/counts/resume')).json()).toEqual({ name: 'counts', paused: false });
    await eventually(async () => expect((await statusOf('counts'))[0]?.eventsBehind).toBe(0));
  });

  it('keeps lag samples and exports lag gauges', async () => {
    await eventually(async () => {
      const { samples } = await get<{ samples: Array<{ at: string; projections: Array<{ name: string; eventsBehind: number }> }> }>('/projections/lag');
      expect(samples.length).toBeGreaterThan(2);
      expect(samples.at(-1)?.projections.find((p) => p.name === 'counts')).toBeDefined();
    });
    const metrics = await (await fetch(`${server.url}/metrics`, { headers: bearer(keys.read) })).text();
    expect(metrics).toMatch(/cairn_projection_lag_events\{projection="counts",generation="\d+",status="live"\} \d+/);
    expect(metrics).toMatch(/cairn_projection_lag_seconds\{projection="counts"/);
  });

  it('needs read for GETs and admin for the rest; unknown names and ids are 404 problems', async () => {
    expect((await fetch(`${server.url}/projections`)).status).toBe(401);
    expect((await post('/projections/counts/rebuild', keys.write)).status).toBe(403);
    expect((await post('/projections/counts/pause', keys.read)).status).toBe(403);
    expect((await post('/dead-letters/x/skip', keys.write)).status).toBe(403);
    const missing = await post('/projections/nope/rebuild');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 'PROJECTION_NOT_FOUND', name: 'nope' });
    const noLetter = await post('/dead-letters/00000000-0000-4000-8000-000000000000/replay');
    expect(noLetter.status).toBe(404);
    expect(await noLetter.json()).toMatchObject({ code: 'DEAD_LETTER_NOT_FOUND' });
    const badStatus = await fetch(`${server.url}/dead-letters?status=lost`, { headers: bearer(keys.read) });
    expect(badStatus.status).toBe(400);
    expect(await badStatus.json()).toMatchObject({ code: 'INVALID_REQUEST' });
  });

  it('appears in /openapi.json', async () => {
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/projections', '/projections/lag', '/projections/{name}/rebuild', '/projections/{name}/pause', '/projections/{name}/resume', '/dead-letters', '/dead-letters/{id}/replay', '/dead-letters/{id}/skip']),
    );
  });
});

describe('projections extension without a runner in the process (projectionAdmin)', () => {
  const factory = new StoreFactory('sqlite');
  afterAll(() => factory.cleanup());

  it('records requests that the runner elsewhere carries out', async () => {
    const url = factory.freshUrl();
    const store = await factory.open(url);
    const other = await factory.open(url); // the runner's own connection, as another process would have
    const keys = await createKeys(store);
    cure.poison = true;
    await store.append('thing-x', [{ type: 'Happened', data: { poison: true } }]);
    const runner = createProjectionRunner({ store: other, projections: [counts], superviseMs: 50, pollIntervalMs: 50, maxAttempts: 1 });
    await runner.start();
    const server = await startServer(store, { extensions: [projectionsExtension({ admin: projectionAdmin(store) })] });
    try {
      let letter: Letter | undefined;
      await eventually(async () => {
        const res = await fetch(`${server.url}/dead-letters`, { headers: bearer(keys.read) });
        letter = ((await res.json()) as { deadLetters: Letter[] }).deadLetters[0];
        expect(letter?.status).toBe('parked');
      });
      cure.poison = false;
      const replay = await postJson(`${server.url}/dead-letters/${letter?.id}/replay`, {}, bearer(keys.admin));
      expect(await replay.json()).toMatchObject({ status: 'replay-requested' });
      await eventually(async () => {
        const res = await fetch(`${server.url}/dead-letters`, { headers: bearer(keys.read) });
        expect(((await res.json()) as { deadLetters: Letter[] }).deadLetters[0]?.status).toBe('replayed');
      });
    } finally {
      await server.close();
      await runner.stop();
    }
  });
});
