import { createPostgresStore } from '@cairn/postgres';
import { loadPg, type PgPool } from '../drivers/pg-driver.js';
import { rawPostgresBulkLoad, rawPostgresDdl, rawPostgresSubject } from '../raw/postgres-raw.js';
import { backendCpuMs } from './backend-cpu.js';
import { storeSubject } from '../store-subject.js';
import type { Arena, BenchEnv, StoreDescription } from './arena.js';

/** Every object the bench creates starts with this, followed by the run's start time in seconds. */
const PREFIX = 'cairn_bench_';
/** Leftovers of runs that died before cleaning up are dropped once they are this old. */
const STALE_MS = 6 * 3600_000;
/** The store's default pool size; the raw side gets the same number of connections. */
const POOL_SIZE = 10;
const RAW_APP = 'cairn-bench-raw';

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
      // Idle connections stay open, like the store's within a workload, so no side pays reconnects.
      const rawPool = new Pool({ connectionString: url, max: POOL_SIZE, application_name: RAW_APP, idleTimeoutMillis: 0 });
      rawPool.on('error', () => undefined);
      const others: Array<{ close(): Promise<void> }> = [];
      return {
        store,
        // 'cairn' is the application_name the store gives its connections.
        storeSide: { ...storeSubject(store), serverCpuMs: () => backendCpuMs(admin, 'cairn') },
        rawSide: { ...rawPostgresSubject(rawPool, rawSchema), serverCpuMs: () => backendCpuMs(admin, RAW_APP) },
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

    watchLongTransactions(thresholdMs: number) {
      const seen = new Map<number, { db: string; app: string; ms: number; query: string }>();
      const sample = async (): Promise<void> => {
        const { rows } = await admin.query<{ pid: number; datname: string | null; app: string; ms: number; query: string }>({
          text: `SELECT pid, datname, application_name AS app, (extract(epoch FROM clock_timestamp() - xact_start) * 1000)::float8 AS ms, left(query, 80) AS query
                 FROM pg_stat_activity WHERE backend_xid IS NOT NULL AND clock_timestamp() - xact_start > make_interval(secs => $1 / 1000.0)`,
          values: [thresholdMs],
        });
        for (const r of rows) {
          const prev = seen.get(r.pid);
          if (prev === undefined || r.ms > prev.ms) seen.set(r.pid, { db: r.datname ?? '?', app: r.app, ms: r.ms, query: r.query });
        }
      };
      let running = sample().catch(() => undefined);
      const timer = setInterval(() => {
        running = running.then(() => sample()).catch(() => undefined);
      }, 50);
      return {
        async stop() {
          clearInterval(timer);
          await running;
          return [...seen.entries()].map(([pid, t]) => ({ pid, database: t.db, application: t.app, ms: t.ms, query: t.query.replace(/\s+/g, ' ') }));
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
