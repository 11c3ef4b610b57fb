import type { EventStore } from '@cairn/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from './index.js';
import { bearer, createKeys, postJson, type RunningServer, startServer } from './test-support/servers.js';
import { SseClient } from './test-support/sse-client.js';
import { BACKENDS, eventually, StoreFactory } from './test-support/stores.js';

interface Sent {
  position: string;
  streamId: string;
  version: number;
  eventId: string;
}

describe.each(BACKENDS)('SSE subscriptions [%s]', (backend) => {
  const factory = new StoreFactory(backend);
  let store: EventStore;
  let server: RunningServer;
  let keys: Awaited<ReturnType<typeof createKeys>>;

  beforeAll(async () => {
    store = await factory.open();
    keys = await createKeys(store);
    server = await startServer(store, { limits: { heartbeatMs: 100 } });
  });
  afterAll(async () => {
    await server?.close();
    await factory.cleanup();
  });

  it('a client that disconnects and resumes with Last-Event-ID misses and repeats nothing while writers append', async () => {
    const auth = bearer(keys.write);
    const start = await store.headPosition();
    const WRITERS = 3;
    const PER_WRITER = 60;
    let writing = true;
    const writers = Promise.all(
      Array.from({ length: WRITERS }, async (_, w) => {
        for (let i = 0; i < PER_WRITER; i++) {
          const res = await postJson(`${server.url}/streams/sse-${w}`, { events: [{ type: 'Tick', data: { w, i } }, { type: 'Tock', data: { w, i } }] }, auth);
          expect(res.status).toBe(200);
          await res.arrayBuffer();
          if (i % 10 === 0) await new Promise((r) => setTimeout(r, 5));
        }
      }),
    ).finally(() => (writing = false));

    const total = WRITERS * PER_WRITER * 2;
    const received: Sent[] = [];
    let lastId: string | undefined;
    let connections = 0;
    while (received.length < total) {
      const client = new SseClient();
      const headers: Record<string, string> = { ...bearer(keys.read), ...(lastId ? { 'last-event-id': lastId } : {}) };
      await client.connect(`${server.url}/subscribe?after=${start}`, headers);
      expect(client.status).toBe(200);
      expect(client.contentType).toMatch(/^text\/event-stream/);
      connections++;
      // Take a bite, then hang up mid-stream (while writers may still be going).
      const want = Math.min(total - received.length, writing ? 40 : total);
      await client.waitFor(want, 20_000);
      await client.close();
      for (const m of client.messages) {
        const event = JSON.parse(m.data) as Sent;
        expect(m.id).toBe(event.position);
        received.push(event);
      }
      lastId = client.messages.at(-1)?.id ?? lastId;
    }
    await writers;

    expect(connections).toBeGreaterThan(2);
    const positions = received.map((e) => BigInt(e.position));
    expect(new Set(received.map((e) => e.eventId)).size).toBe(received.length); // no repeats
    for (let i = 1; i < positions.length; i++) expect(positions[i]! > positions[i - 1]!).toBe(true); // in order
    const log = await store.readAll({ after: start }).toArray();
    expect(received.map((e) => e.eventId)).toEqual(log.map((e) => e.eventId)); // nothing missed
    expect(received).toHaveLength(total);
    for (let w = 0; w < WRITERS; w++) {
      expect(received.filter((e) => e.streamId === `sse-${w}`).map((e) => e.version)).toEqual(Array.from({ length: PER_WRITER * 2 }, (_, i) => i + 1));
    }
  });

  it('filters by type and category, starts live with after=end, and sends heartbeats', async () => {
    const client = new SseClient();
    await client.connect(`${server.url}/subscribe?after=end&types=Wanted&categories=filter`, bearer(keys.read));
    expect(client.status).toBe(200);
    await store.append('filter-1', [{ type: 'Unwanted', data: 1 }, { type: 'Wanted', data: 2 }]);
    await store.append('other-1', [{ type: 'Wanted', data: 3 }]);
    await store.append('filter-2', [{ type: 'Wanted', data: 4 }]);
    await client.waitFor(2);
    await eventually(async () => expect(client.comments).toBeGreaterThan(2)); // heartbeats every 100 ms
    await client.close();
    expect(client.messages.map((m) => (JSON.parse(m.data) as { data: number }).data)).toEqual([2, 4]);
  });

  it('never sends system streams, and a prefix-scoped key only its own streams', async () => {
    const client = new SseClient();
    await client.connect(`${server.url}/subscribe?after=end`, bearer(keys.scoped));
    await store.append('tenant-b/1', [{ type: 'Theirs', data: 1 }]);
    await store.append('$audit', [{ type: 'Internal', data: 1 }], { system: true });
    await store.append('tenant-a/1', [{ type: 'Mine', data: 1 }]);
    await client.waitFor(1);
    await new Promise((r) => setTimeout(r, 100));
    await client.close();
    expect(client.messages.map((m) => (JSON.parse(m.data) as { type: string }).type)).toEqual(['Mine']);
  });

  it('stops the subscription when the client disconnects', async () => {
    const metrics = async (): Promise<string> => (await fetch(`${server.url}/metrics`, { headers: bearer(keys.read) })).text();
    const clients = await Promise.all(
      Array.from({ length: 3 }, async () => {
        const c = new SseClient();
        await c.connect(`${server.url}/subscribe?after=end`, bearer(keys.read));
        return c;
      }),
    );
    await eventually(async () => expect(await metrics()).toContain('cairn_sse_subscribers 3'));
    await Promise.all(clients.map((c) => c.close()));
    await eventually(async () => expect(await metrics()).toContain('cairn_sse_subscribers 0'));
  });

  it('ends open streams when the server closes, so close() does not hang', async () => {
    // A server of its own, closed with a plain close(): nothing forces the sockets shut.
    const app = buildServer({ store, metrics: { defaultMetrics: false }, limits: { heartbeatMs: 60_000 } });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const client = new SseClient();
    await client.connect(`http://127.0.0.1:${(app.server.address() as { port: number }).port}/subscribe?after=end`, bearer(keys.read));
    expect(client.status).toBe(200);
    const started = Date.now();
    await app.close();
    await client.ended();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(client.endedCleanly).toBe(true);
  });
});
