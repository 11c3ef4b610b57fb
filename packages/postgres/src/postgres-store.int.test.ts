import { testEventStore } from '@cairn/testing';
import pg from 'pg';
import { inject } from 'vitest';
import { createPostgresStore } from './index.js';

const url = inject('databaseUrl');
const schemas = new Map<object, string>();
let n = 0;

testEventStore('postgres', {
  async create(options) {
    const schema = `conf_${process.pid}_${++n}`;
    const store = createPostgresStore({ connectionString: url, schema, poolSize: 12, ...options });
    schemas.set(store, schema);
    return store;
  },
  async reopen(store, options) {
    const schema = schemas.get(store) as string;
    const again = createPostgresStore({ connectionString: url, schema, ...options });
    schemas.set(again, schema);
    return again;
  },
  async cleanup() {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    for (const schema of new Set(schemas.values())) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  },
});
