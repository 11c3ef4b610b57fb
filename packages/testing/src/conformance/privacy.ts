import { createProjectionRunner, defineProjection, type PersonalDataRules, REDACTED } from '@cairn/core';
import { describe, expect, it } from 'vitest';
import { type Suite, uniqueStream } from './harness.js';
import { take } from './subscribe.js';

const rules: PersonalDataRules = {
  UserCreated: { subject: (_data, streamId) => streamId, fields: ['email', 'name'] },
  EmailChanged: { subject: (_data, streamId) => streamId, fields: ['email'] },
};

const created = (email: string, id?: string) => ({ ...(id ? { id } : {}), type: 'UserCreated', data: { email, name: `Name of ${email}`, plan: 'pro', age: 41 } });

export function privacyTests(suite: Suite): void {
  describe('personal data and crypto-shredding', () => {
    it('personal fields are stored encrypted and read back in clear', async () => {
      const store = await suite.open({ personalData: rules });
      const id = uniqueStream('user');
      await store.append(id, [created('ada@example.com'), { type: 'EmailChanged', data: { email: 'ada@new.example' } }, { type: 'Other', data: { email: 'not personal here' } }]);
      const events = await store.readStream(id).toArray();
      expect(events.map((e) => e.data)).toEqual([
        { email: 'ada@example.com', name: 'Name of ada@example.com', plan: 'pro', age: 41 },
        { email: 'ada@new.example' },
        { email: 'not personal here' },
      ]);
      if (store.sql) {
        const rows = await store.sql.query<{ data: unknown }>(`SELECT data FROM ${store.sql.table('events')} WHERE stream_id = $1 ORDER BY version`, [id]);
        const raw = rows.map((r) => (typeof r.data === 'string' ? r.data : JSON.stringify(r.data)));
        expect(raw[0]).not.toContain('ada@example.com');
        expect(raw[0]).toContain('cairn-v1');
        expect(raw[0]).toContain('"plan"');
        expect(raw[1]).not.toContain('ada@new.example');
        expect(raw[2]).toContain('not personal here');
      }
    });

    it('forget(subject) redacts that subject everywhere and nothing else; history and chains stay intact', async () => {
      const store = await suite.open({ personalData: rules });
      const ada = uniqueStream('user');
      const bob = uniqueStream('user');
      await store.append(ada, [created('ada@example.com'), { type: 'EmailChanged', data: { email: 'ada2@example.com' } }]);
      await store.append(bob, [created('bob@example.com')]);
      const before = await store.readAll().toArray();
      const result = await store.forget(ada, { reason: 'GDPR request 17', actor: 'dpo' });
      expect(result).toMatchObject({ subject: ada, keysDestroyed: 1 });
      const after = await store.readAll().toArray();
      expect(after.map((e) => [e.streamId, e.version, e.position, e.eventId, e.type])).toEqual(before.map((e) => [e.streamId, e.version, e.position, e.eventId, e.type]));
      expect(after[0]?.data).toEqual({ email: REDACTED, name: REDACTED, plan: 'pro', age: 41 });
      expect(after[1]?.data).toEqual({ email: REDACTED });
      expect(after[2]?.data).toEqual({ email: 'bob@example.com', name: 'Name of bob@example.com', plan: 'pro', age: 41 });
      expect((await store.readEvent(after[0]!.eventId))?.data).toMatchObject({ email: REDACTED });
      expect((await take(store.subscribe(), 3)).map((e) => (e.data as { email: string }).email)).toEqual([REDACTED, REDACTED, 'bob@example.com']);
      const audit = await store.readStream('$audit').toArray();
      expect(audit.at(-1)).toMatchObject({ type: 'SubjectForgotten', data: { subject: ada, keysDestroyed: 1, reason: 'GDPR request 17' }, metadata: { actor: 'dpo' } });
      expect((await store.verify()).ok).toBe(true);
      // The subject comes back: a new key, new data readable, the old stays redacted.
      await store.append(ada, [{ type: 'EmailChanged', data: { email: 'ada3@example.com' } }]);
      expect((await store.readStream(ada).toArray()).map((e) => (e.data as { email: string }).email)).toEqual([REDACTED, REDACTED, 'ada3@example.com']);
    });

    it('an idempotent retry of an event with personal fields is still recognised', async () => {
      const store = await suite.open({ personalData: rules });
      const id = uniqueStream('user');
      const eventId = crypto.randomUUID();
      const first = await store.append(id, [created('x@example.com', eventId)]);
      expect(await store.append(id, [created('x@example.com', eventId)])).toEqual(first);
      await expect(store.append(id, [created('y@example.com', eventId)])).rejects.toMatchObject({ code: 'IDEMPOTENCY_CONFLICT' });
    });

    it('a read model rebuilt after forgetting holds no personal data', async () => {
      const store = await suite.open({ personalData: rules });
      const emails = new Map<number, string[]>();
      const directory = defineProjection<{ type: 'UserCreated'; data: { email: string } }>({
        name: 'directory',
        tables: ['directory'],
        setup: ({ sql, table }) => sql?.query(`CREATE TABLE IF NOT EXISTS ${table('directory')} (email text NOT NULL)`),
        handlers: {
          UserCreated: async (e, { sql, table, generation }) => {
            if (sql) await sql.query(`INSERT INTO ${table('directory')} (email) VALUES ($1)`, [e.data.email]);
            else emails.set(generation, [...(emails.get(generation) ?? []), e.data.email]);
          },
        },
      });
      const ada = uniqueStream('user');
      await store.append(ada, [created('ada@example.com')]);
      await store.append(uniqueStream('user'), [created('bob@example.com')]);
      const runner = createProjectionRunner({ store, projections: [directory], superviseMs: 50, pollIntervalMs: 100 });
      await runner.start();
      try {
        await runner.idle();
        await store.forget(ada);
        const generation = await runner.rebuild('directory');
        const deadline = Date.now() + 10_000;
        while (!(await runner.status()).some((r) => r.generation === generation && r.status === 'live') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        await runner.idle();
        const listed = store.sql
          ? (await store.sql.query<{ email: string }>('SELECT email FROM directory ORDER BY email')).map((r) => r.email)
          : [...(emails.get(generation) ?? [])].sort();
        expect(listed).toEqual([REDACTED, 'bob@example.com']);
      } finally {
        await runner.stop();
      }
    });
  });
}
