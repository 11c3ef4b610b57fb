import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EventStore } from '@cairn/core';
import { createPostgresStore } from '@cairn/postgres';
import { createSqliteStore } from '@cairn/sqlite';
import { type Child, Children } from '@cairn/testing';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { CairnHeaders } from './index.js';
import { NATS_URL, type NatsAdmin, natsAdmin, readMessages } from './test-support/jetstream.js';

// The outbox across a crash: a publisher process (compiled packages) killed with SIGKILL
// after some acks whose checkpoint has not moved yet, then restarted. JetStream must hold
// every event exactly once.
const fixture = fileURLToPath(new URL('../test/publisher.fixture.mjs', import.meta.url));
const built = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const children = new Children(fixture, built);
const dir = mkdtempSync(join(tmpdir(), 'cairn-outbox-'));
const stores: EventStore[] = [];
const schemas: string[] = [];
let admin: NatsAdmin;

beforeAll(async () => {
  admin = await natsAdmin();
});
afterEach(async () => {
  await children.killAll();
  await Promise.all(stores.splice(0).map((s) => s.close()));
  await admin.cleanup();
});
afterAll(async () => {
  await children.killAll();
  await admin?.close();
  rmSync(dir, { recursive: true, force: true });
  if (schemas.length > 0) {
    const client = new pg.Client({ connectionString: inject('databaseUrl') });
    await client.connect();
    for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
    await client.end();
  }
});

async function open(kind: 'postgres' | 'sqlite'): Promise<{ store: EventStore; url: string; checkpointSql: string }> {
  if (kind === 'sqlite') {
    const path = join(dir, `outbox-${Math.random().toString(36).slice(2, 8)}.db`);
    const store = createSqliteStore({ path });
    stores.push(store);
    await store.migrate();
    return { store, url: `sqlite:${path}`, checkpointSql: 'SELECT position FROM cairn_projection_checkpoints WHERE name = $1' };
  }
  const schema = `outbox_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  schemas.push(schema);
  const store = createPostgresStore({ connectionString: inject('databaseUrl'), schema });
  stores.push(store);
  await store.migrate();
  const u = new URL(inject('databaseUrl'));
  u.searchParams.set('schema', schema);
  return { store, url: u.toString(), checkpointSql: `SELECT position FROM "${schema}".projection_checkpoints WHERE name = $1` };
}

async function seed(store: EventStore, prefix: string, streams: number, perStream: number): Promise<void> {
  for (let round = 0; round < perStream; round++) {
    await Promise.all(Array.from({ length: streams }, (_, i) => store.append(`${prefix}-${i}`, [{ type: round % 3 === 2 ? 'Withdrawn' : 'Deposited', data: { amount: round + 1 } }])));
  }
  await store.append(`${prefix}-other`, [{ type: 'NotPublished', data: {} }]); // filtered out by types
}

const acks = (c: Child) => c.tagged('ack').map(([eventId, position, seq, dup]) => ({ eventId: eventId as string, position: BigInt(position as string), seq: Number(seq), duplicate: dup === '1' }));

describe('NATS publisher across a restart', () => {
  for (const kind of ['postgres', 'sqlite'] as const) {
    it(`JetStream receives each event exactly once though the publisher is killed between acks and its checkpoint [${kind}]`, async () => {
      const { store, url, checkpointSql } = await open(kind);
      const stream = admin.uniqueStream();
      await seed(store, 'acct', 20, 12); // 240 events to publish
      const options = { url, natsUrl: NATS_URL, stream, batchSize: 25 };

      // 4 pages checkpointed, 12 events of the fifth acked and held there: the kill lands between those acks and the checkpoint.
      const first = children.spawn({ ...options, ackDelayMs: 2, holdAfter: 112 });
      await first.waitFor(() => first.tagged('holding').length > 0, 'the 112th ack');
      await first.kill();
      const [row] = await store.sql!.query<{ position: string | number }>(checkpointSql, ['nats_' + stream.toLowerCase()]);
      const checkpoint = BigInt(row?.position ?? 0);
      const ackedPastCheckpoint = acks(first).filter((a) => a.position > checkpoint);
      expect(checkpoint).toBeGreaterThan(0n);
      expect(checkpoint).toBe(acks(first)[99]?.position);
      expect(ackedPastCheckpoint.length, 'events JetStream has but the checkpoint does not cover').toBe(12);

      await seed(store, 'late', 10, 3); // more arrives while it is down
      const second = children.spawn({ ...options, exitWhenIdle: true });
      expect((await second.exited).code, second.stderr).toBe(0);

      // The restart re-sent what the checkpoint did not cover, and JetStream recognised each re-send.
      const resent = acks(second).filter((a) => a.duplicate);
      expect(resent.map((a) => a.eventId)).toEqual(ackedPastCheckpoint.map((a) => a.eventId));
      expect(acks(second).filter((a) => !a.duplicate).every((a) => a.position > checkpoint)).toBe(true);

      const expected = (await store.readAll({ types: ['Deposited', 'Withdrawn'] }).toArray()).map((e) => e.eventId);
      expect(expected.length).toBe(270);
      const messages = await readMessages(admin.jsm, stream);
      // Every event once, none missing, none extra — and in the log's order.
      expect(messages.map((m) => m.msgId)).toEqual(expected);
      expect(new Set(messages.map((m) => m.msgId)).size).toBe(messages.length);
      const versions = new Map<string, number>();
      for (const m of messages) {
        const id = m.headers[CairnHeaders.streamId] as string;
        const version = Number(m.headers[CairnHeaders.version]);
        expect(version, `order of ${id}`).toBe((versions.get(id) ?? 0) + 1);
        versions.set(id, version);
      }
    }, 60_000);
  }
});
