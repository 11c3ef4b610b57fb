import { createMemoryStore, createProjectionRunner, type EventStore, type ProjectionRunner, type StoredEvent } from '@cairn/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CairnHeaders, createOutboxRunner, type NatsPublisher, NatsPublishError, natsPublisher, natsToken } from './index.js';
import { NATS_URL, type NatsAdmin, natsAdmin, readMessages } from './test-support/jetstream.js';

let admin: NatsAdmin;
const stores: EventStore[] = [];
const runners: ProjectionRunner[] = [];
const publishers: NatsPublisher[] = [];

beforeAll(async () => {
  admin = await natsAdmin();
});
afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.stop()));
  await Promise.all(publishers.splice(0).map((p) => p.close()));
  await Promise.all(stores.splice(0).map((s) => s.close()));
  await admin.cleanup();
});
afterAll(async () => {
  await admin?.close();
});

function store(): EventStore {
  const s = createMemoryStore();
  stores.push(s);
  return s;
}

function publisher(options: Partial<Parameters<typeof natsPublisher>[0]> & { stream: string }): NatsPublisher {
  const p = natsPublisher({ servers: NATS_URL, subject: (e) => `${options.stream}.${natsToken(e.type)}`, ...options });
  publishers.push(p);
  return p;
}

function runner(s: EventStore, projections: NatsPublisher[], extra: Partial<Parameters<typeof createProjectionRunner>[0]> = {}): ProjectionRunner {
  const r = createProjectionRunner({ store: s, projections, superviseMs: 100, pollIntervalMs: 100, retryDelayMs: 5, maxRetryDelayMs: 20, ...extra });
  runners.push(r);
  return r;
}

const sample = (over: Partial<StoredEvent> = {}): StoredEvent => ({
  streamId: 'account-1',
  version: 1,
  position: 1n,
  eventId: crypto.randomUUID(),
  type: 'MoneyDeposited',
  schemaVersion: 1,
  data: { amountCents: 500 },
  metadata: {},
  tags: [],
  recordedAt: new Date(),
  ...over,
});

describe('natsPublisher', () => {
  it('publishes each event with its id as Nats-Msg-Id, the envelope in headers and the data as JSON', async () => {
    const s = store();
    const stream = admin.uniqueStream();
    const p = publisher({ stream, types: ['MoneyDeposited', 'AccountOpened'] });
    const opened = await s.append('account-42', [{ type: 'AccountOpened', data: { owner: 'Ada' }, metadata: { correlationId: 'corr-1', causationId: 'cmd-1' } }]);
    await s.append('account-42', [{ type: 'Ignored', data: {} }, { type: 'MoneyDeposited', data: { amountCents: 700 } }]);
    const r = runner(s, [p]);
    await r.start();
    await r.idle();
    const events = await s.readAll().toArray();
    const messages = await readMessages(admin.jsm, stream);
    expect(messages.map((m) => m.msgId)).toEqual(events.filter((e) => e.type !== 'Ignored').map((e) => e.eventId));
    const [first, second] = messages;
    expect(first).toMatchObject({ subject: `${stream}.AccountOpened`, body: JSON.stringify({ owner: 'Ada' }) });
    expect(first?.headers).toMatchObject({
      [CairnHeaders.eventType]: 'AccountOpened',
      [CairnHeaders.streamId]: 'account-42',
      [CairnHeaders.version]: '1',
      [CairnHeaders.position]: opened.position.toString(),
      [CairnHeaders.schemaVersion]: '1',
      [CairnHeaders.correlationId]: 'corr-1',
      [CairnHeaders.causationId]: 'cmd-1',
      'Content-Type': 'application/json',
    });
    expect(second?.headers[CairnHeaders.version]).toBe('3');
    expect(second?.headers[CairnHeaders.correlationId]).toBeUndefined();
    expect(p.stats()).toEqual({ published: 2, duplicates: 0, failures: 0 });
  });

  it('a re-send of the same event id is acknowledged as a duplicate and stored once', async () => {
    const stream = admin.uniqueStream();
    const acks: boolean[] = [];
    const p = publisher({ stream, onPublished: (_e, ack) => void acks.push(ack.duplicate) });
    const event = sample();
    const ctx = { sql: undefined, generation: 1, table: (b: string) => b, store: store() };
    await p.handle?.(event, ctx);
    await p.handle?.(event, ctx);
    await p.handle?.({ ...event, eventId: crypto.randomUUID() }, ctx);
    expect(acks).toEqual([false, true, false]);
    expect(p.stats()).toMatchObject({ published: 2, duplicates: 1 });
    expect((await readMessages(admin.jsm, stream)).map((m) => m.msgId)).toEqual([event.eventId, expect.any(String)]);
  });

  it('creates the stream with the duplicate window, and widens an existing one without narrowing it', async () => {
    const ctx = { sql: undefined, generation: 1, table: (b: string) => b, store: store() };
    const created = admin.uniqueStream();
    await publisher({ stream: created, duplicateWindowMs: 90_000 }).handle?.(sample(), ctx);
    const info = await admin.jsm.streams.info(created);
    expect(info.config.duplicate_window).toBe(90_000 * 1_000_000);
    expect(info.config.subjects).toEqual([`${created}.>`]);

    const existing = admin.uniqueStream();
    await admin.jsm.streams.add({ name: existing, subjects: [`${existing}.a.>`], duplicate_window: 5_000_000_000, max_msgs: 1000 });
    await publisher({ stream: existing, subjects: [`${existing}.a.x`, `${existing}.b`], subject: () => `${existing}.b` }).handle?.(sample(), ctx);
    const widened = await admin.jsm.streams.info(existing);
    expect(widened.config.duplicate_window).toBe(10 * 60_000 * 1_000_000);
    expect(widened.config.subjects).toEqual([`${existing}.a.>`, `${existing}.b`]); // a.x was covered by a.>
    expect(widened.config.max_msgs).toBe(1000); // the rest of its settings stay
  });

  it('a subject no stream stores fails with NATS_PUBLISH_REJECTED, is parked, and the publisher goes on', async () => {
    const s = store();
    const stream = admin.uniqueStream();
    const p = publisher({ stream, subject: (e) => (e.type === 'Lost' ? `NOWHERE_${stream}.x` : `${stream}.ok`) });
    await s.append('account-1', [{ type: 'Ok', data: 1 }, { type: 'Lost', data: 2 }, { type: 'Ok', data: 3 }]);
    const r = runner(s, [p], { maxAttempts: 2 });
    await r.start();
    await r.idle();
    const [letter, ...more] = await r.deadLetters();
    expect(more).toEqual([]);
    expect(letter).toMatchObject({ type: 'Lost', attempts: 2, status: 'parked' });
    expect(letter?.error).toContain('NatsPublishError');
    expect(letter?.error).toContain(`No JetStream stream stores subject "NOWHERE_${stream}.x"`);
    expect((await readMessages(admin.jsm, stream)).map((m) => m.body)).toEqual(['1', '3']);
  });

  it('refuses an unpublishable subject with NATS_BAD_MESSAGE before touching NATS', async () => {
    const p = publisher({ stream: admin.uniqueStream(), subject: () => 'has space.>' });
    const error = await Promise.resolve(p.handle?.(sample(), { sql: undefined, generation: 1, table: (b) => b, store: store() })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NatsPublishError);
    expect((error as NatsPublishError).code).toBe('NATS_BAD_MESSAGE');
    expect(p.connected).toBe(false);
  });

  it('an unreachable server fails with NATS_UNAVAILABLE, quickly', async () => {
    const p = natsPublisher({ servers: 'nats://127.0.0.1:1', stream: 'UNREACHABLE', subject: () => 'UNREACHABLE.x', connectTimeoutMs: 500, connection: { reconnect: false } });
    publishers.push(p);
    const started = Date.now();
    const error = await Promise.resolve(p.handle?.(sample(), { sql: undefined, generation: 1, table: (b) => b, store: store() })).catch((e: unknown) => e);
    expect((error as NatsPublishError).code).toBe('NATS_UNAVAILABLE');
    expect((error as Error).message).toContain('Cannot connect to NATS at nats://127.0.0.1:1');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('connects lazily, closes on close() or when idle, and reopens on demand', async () => {
    const stream = admin.uniqueStream();
    const p = publisher({ stream, idleCloseMs: 150 });
    const ctx = { sql: undefined, generation: 1, table: (b: string) => b, store: store() };
    expect(p.connected).toBe(false);
    await p.handle?.(sample(), ctx);
    expect(p.connected).toBe(true);
    await p.close();
    expect(p.connected).toBe(false);
    await p.handle?.(sample(), ctx);
    expect(p.connected).toBe(true);
    await new Promise((r) => setTimeout(r, 400));
    expect(p.connected).toBe(false);
    expect((await readMessages(admin.jsm, stream)).length).toBe(2);
  });

  it('the outbox runner closes its publishers when it stops', async () => {
    const s = store();
    const stream = admin.uniqueStream();
    const p = publisher({ stream, idleCloseMs: 0 });
    await s.append('account-1', [{ type: 'A', data: 1 }]);
    const r = createOutboxRunner({ store: s, publishers: [p], superviseMs: 100 });
    await r.start();
    await r.idle();
    expect(p.connected).toBe(true);
    expect((await r.status())[0]).toMatchObject({ name: p.name, eventsBehind: 0 });
    await r.stop();
    expect(p.connected).toBe(false);
  });

  it('checks its options with clear errors', () => {
    const base = { servers: NATS_URL, stream: 'S', subject: () => 'S.x' };
    expect(() => natsPublisher({ ...base, stream: 'has.dot' })).toThrow(/stream.*JetStream stream name/);
    expect(() => natsPublisher({ ...base, servers: [] })).toThrow(/servers/);
    expect(() => natsPublisher({ ...base, subject: undefined as never })).toThrow(/subject/);
    expect(() => natsPublisher({ ...base, duplicateWindowMs: 10 })).toThrow(/duplicateWindowMs/);
    expect(natsPublisher({ ...base, stream: 'Ledger-Events' }).name).toBe('nats_ledger_events');
  });
});
