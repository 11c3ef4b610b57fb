import type { TestProject } from 'vitest/node';
import pg from 'pg';

const DEFAULT_URL = 'postgres://root@127.0.0.1:5432/test';
const START_HINT =
  'Start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start ' +
  '(or point DATABASE_URL at a PostgreSQL you can create databases on).';

/**
 * The suite runs against a real PostgreSQL. This creates one fresh database per test run
 * (so parallel runs and leftovers never collide), hands its URL to the tests, and drops it
 * afterwards. Unreachable PostgreSQL fails the run with a message that says how to fix it.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const adminUrl = process.env.DATABASE_URL ?? DEFAULT_URL;
  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(`PostgreSQL is not reachable at ${adminUrl}: ${(error as Error).message}. ${START_HINT}`);
  }
  await dropStale(admin);
  const name = `cairn_test_${Date.now()}_${process.pid}`;
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  project.provide('databaseUrl', url.toString());
  process.env.CAIRN_TEST_DATABASE_URL = url.toString();

  return async () => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.end();
  };
}

/** Databases of earlier runs that died before their teardown (older than six hours). */
async function dropStale(admin: pg.Client): Promise<void> {
  const { rows } = await admin.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'cairn\\_test\\_%'");
  const cutoff = Date.now() - 6 * 3600_000;
  for (const { datname } of rows) {
    const started = Number(datname.split('_')[2]);
    if (Number.isFinite(started) && started < cutoff) await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}
