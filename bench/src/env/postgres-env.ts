import { createPostgresStore } from '@cairn/postgres';
import { loadPg, type PgPool } from '../drivers/pg-driver.js';
import { rawPostgresBulkLoad, rawPostgresDdl, rawPostgresSubject } from '../raw/postgres-raw.js';
import { storeSubject } from '../store-subject.js';
import type { Arena, BenchEnv, StoreDescription } from './arena.js';

/** Every object the bench creates starts with this, followed by the run's start time in seconds. */
const PREFIX = 'cairn_bench_';
/** Leftovers of runs that died before cleaning up are dropped once they are this old. */
const STALE_MS = 6 * 3600_000;
/** The store's default pool size; the raw side gets the same number of connections. */
const POOL_SIZE = 10;

const START_HINT = 'Start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start, or pass --db <url>.';

/**
 * PostgreSQL side of a run. Each workload gets two fresh schemas in the target database
 * (`cairn_bench_<start>_<pid>_<workload>` for the store, `…_raw` for the raw table); they
 * are dropped after the workload, and stale ones from crashed runs on the next start.
 */
export async function openPostgresEnv(url: string): Promise<BenchEnv> {
  const { Pool } = loadPg();
  const admin = new Pool({ connectionString: url, max: 2, application_name: 'cairn-bench' });
  admin.on('error', () => undefined);
  try {
    await admin.query('SELECT 1');
  } catch (error) {
    await admin.end().catch(() => undefined);
    throw new Error(`PostgreSQL is not reachable at ${redact(url)}: ${(error as Error).message}. ${START_HINT}`);
  }
  await dropStale(admin);
  const run = `${PREFIX}${Math.floor(Date.now() / 1000)}_${process.pid}`;
  const live = new Set<string>();

  return {
    kind: 'postgres',
    async describe(): Promise<StoreDescription> {
      const { rows } = await admin.query<Record<string, string>>(
        `SELECT current_setting('server_version') AS version, current_setting('synchronous_commit') AS synchronous_commit,
                current_setting('fsync') AS fsync, current_setting('wal_sync_method') AS wal_sync_method,
                current_setting('shared_buffers') AS shared_buffers, current_setting('autovacuum') AS autovacuum,
                current_setting('max_connections') AS max_connections`,
      );
      const s = rows[0] ?? {};
      return {
        kind: 'postgres',
        version: `PostgreSQL ${s.version ?? '?'}`,
        durability: `synchronous_commit=${s.synchronous_commit}, fsync=${s.fsync}, wal_sync_method=${s.wal_sync_method}`,
        details: { ...s, url: redact(url) },
      };
    },

    async arena(workloadId: string): Promise<Arena> {
      const storeSchema = `${run}_${workloadId.toLowerCase()}`;
      const rawSchema = `${storeSchema}_raw`;
      live.add(storeSchema).add(rawSchema);
      await admin.query(rawPostgresDdl(rawSchema));
      const store = createPostgresStore({ connectionString: url, schema: storeSchema });
      await store.migrate();
      const rawPool = new Pool({ connectionString: url, max: POOL_SIZE, application_name: 'cairn-bench-raw' });
      rawPool.on('error', () => undefined);
      const others: Array<{ close(): Promise<void> }> = [];
      return {
        store,
        storeSide: storeSubject(store),
        rawSide: rawPostgresSubject(rawPool, rawSchema),
        location: { kind: 'postgres', url, storeSchema, rawSchema },
        openSecondStore() {
          const again = createPostgresStore({ connectionString: url, schema: storeSchema });
          others.push(again);
          return again;
        },
        rawBulkLoad: (rows) => rawPostgresBulkLoad(rawPool, rawSchema, rows),
        async dispose() {
          await Promise.allSettled([store.close(), rawPool.end(), ...others.map((o) => o.close())]);
          await admin.query(`DROP SCHEMA IF EXISTS "${storeSchema}" CASCADE; DROP SCHEMA IF EXISTS "${rawSchema}" CASCADE`);
          live.delete(storeSchema);
          live.delete(rawSchema);
        },
      };
    },

    async close() {
      for (const schema of live) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
      await admin.end();
    },
  };
}

async function dropStale(admin: PgPool): Promise<void> {
  const { rows } = await admin.query<{ nspname: string }>(`SELECT nspname FROM pg_namespace WHERE nspname LIKE 'cairn\\_bench\\_%'`);
  for (const { nspname } of rows) {
    const started = Number(nspname.slice(PREFIX.length).split('_')[0]) * 1000;
    if (Number.isFinite(started) && Date.now() - started > STALE_MS) {
      await admin.query(`DROP SCHEMA IF EXISTS "${nspname}" CASCADE`).catch(() => undefined);
    }
  }
}

/** A URL fit for printing: no password. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}
