import type { EventStore } from '@cairn/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createKeys, postJson, type RunningServer, startServer } from './test-support/servers.js';
import { BACKENDS, StoreFactory } from './test-support/stores.js';

const CLIENTS = 8;
const ROUNDS = 6;
const PER_CLIENT = 3;

describe.each(BACKENDS)('concurrent appends through HTTP keep exact-version semantics [%s]', (backend) => {
  const factory = new StoreFactory(backend);
  let store: EventStore;
  let server: RunningServer;
  let auth: Record<string, string>;

  beforeAll(async () => {
    store = await factory.open();
    auth = bearer((await createKeys(store)).write);
    server = await startServer(store);
  });
  afterAll(async () => {
    await server?.close();
    await factory.cleanup();
  });

  it(`${CLIENTS} clients racing with If-Match: one winner per version, the rest 409, nothing lost or doubled`, async () => {
    const stream = `race-${backend}`;
    await postJson(`${server.url}/streams/${stream}`, { events: [{ type: 'Opened', data: {} }] }, auth);
    let wins = 0;
    let conflicts = 0;
    const winners: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // Every client reads the same version, then all append at once with it as If-Match:
      // exactly one may win.
      const reads = await Promise.all(Array.from({ length: CLIENTS }, () => fetch(`${server.url}/streams/${stream}?limit=1`, { headers: auth })));
      const etags = reads.map((r) => r.headers.get('etag') as string);
      await Promise.all(reads.map((r) => r.arrayBuffer()));
      expect(new Set(etags).size).toBe(1);
      const results = await Promise.all(
        etags.map((etag, client) =>
          postJson(`${server.url}/streams/${stream}`, { events: [{ type: 'Bid', data: { client, round } }] }, { ...auth, 'if-match': etag }),
        ),
      );
      let roundWins = 0;
      for (const res of results) {
        const body = (await res.json()) as { version?: number; code?: string; actual?: number };
        if (res.status === 200) {
          roundWins++;
          winners.push(body.version as number);
        } else {
          expect(res.status).toBe(409);
          expect(body.code).toBe('CONCURRENCY');
          expect(body.actual).toBe(Number(JSON.parse(etags[0] as string)) + 1);
          conflicts++;
        }
      }
      expect(roundWins).toBe(1);
      wins += roundWins;
    }
    expect(conflicts).toBe(ROUNDS * (CLIENTS - 1));
    expect(winners).toEqual(Array.from({ length: ROUNDS }, (_, i) => i + 2));
    const info = await store.streamInfo(stream);
    expect(info?.version).toBe(1 + wins);
    const events = await store.readStream(stream).toArray();
    expect(events.map((e) => e.version)).toEqual(Array.from({ length: 1 + wins }, (_, i) => i + 1));
  });

  it('free-running writers with read-decide-append retries end at exactly the number of successes', async () => {
    const stream = `counter-${backend}`;
    let successes = 0;
    let conflicts = 0;
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, client) => {
        for (let done = 0; done < PER_CLIENT; ) {
          const read = await fetch(`${server.url}/streams/${stream}?direction=backward&limit=1`, { headers: auth });
          const etag = read.status === 404 ? '"0"' : (read.headers.get('etag') as string);
          await read.arrayBuffer();
          const res = await postJson(`${server.url}/streams/${stream}`, { events: [{ type: 'Incremented', data: { client } }] }, { ...auth, 'if-match': etag });
          await res.arrayBuffer();
          if (res.status === 200) {
            successes++;
            done++;
          } else {
            expect(res.status).toBe(409);
            conflicts++;
          }
        }
      }),
    );
    expect(successes).toBe(CLIENTS * PER_CLIENT);
    expect((await store.streamInfo(stream))?.version).toBe(successes);
    const perClient = new Map<number, number>();
    for await (const e of store.readStream<{ type: string; data: { client: number } }>(stream)) perClient.set(e.data.client, (perClient.get(e.data.client) ?? 0) + 1);
    expect([...perClient.values()]).toEqual(Array.from({ length: CLIENTS }, () => PER_CLIENT));
    expect(conflicts).toBeGreaterThanOrEqual(0);
  });
});
