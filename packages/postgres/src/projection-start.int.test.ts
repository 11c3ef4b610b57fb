import { createProjectionRunner, defineProjection, type EventStore, type ProjectionRunner } from '@cairn/core';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { createPostgresStore } from './index.js';

const url = inject('databaseUrl');
const schemas: string[] = [];
const stores: EventStore[] = [];
const runners: ProjectionRunner[] = [];

afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.stop()));
  await Promise.all(stores.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  await client.end();
});

const counter = (version = 1) =>
  defineProjection({
    name: 'counter',
    version,
    tables: ['counter'],
    setup: ({ sql, table }) => sql?.query(`CREATE TABLE IF NOT EXISTS ${table('counter')} (id text PRIMARY KEY, n bigint NOT NULL)`),
    handle: (e, { sql, table }) =>
      sql?.query(`INSERT INTO ${table('counter')} VALUES ('all', 1) ON CONFLICT (id) DO UPDATE SET n = ${table('counter')}.n + 1`),
  });

// Each store instance has its own pool and lease connection: to PostgreSQL these runners are
// as separate as processes on different machines (the child-process tests cover real processes).
describe('projection runners starting together [postgres]', () => {
  for (const version of [1, 2]) {
    it(`eight runners of a projection started at the same moment all start (definition version ${version})`, async () => {
      const schema = `start_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
      schemas.push(schema);
      const open = () => {
        const s = createPostgresStore({ connectionString: url, schema, poolSize: 3 });
        stores.push(s);
        return s;
      };
      const first = open();
      await first.migrate();
      await first.append('thing-1', [{ type: 'Happened', data: {} }]);
      if (version === 2) {
        // A live generation of version 1 exists: version 2 is built beside it by whoever starts first.
        const old = createProjectionRunner({ store: first, projections: [counter(1)] });
        await old.start();
        await old.stop();
      }
      const started = await Promise.allSettled(
        Array.from({ length: 8 }, () => {
          const r = createProjectionRunner({ store: open(), projections: [counter(version)], superviseMs: 100 });
          runners.push(r);
          return r.start();
        }),
      );
      expect(started.filter((s) => s.status === 'rejected').map((s) => String((s as PromiseRejectedResult).reason))).toEqual([]);
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await expect
          .poll(async () => (await client.query(`SELECT n FROM "${schema}".counter_g${version} WHERE id = 'all'`).catch(() => ({ rows: [] }))).rows[0]?.n, { timeout: 10_000 })
          .toBe('1');
      } finally {
        await client.end();
      }
    });
  }
});
