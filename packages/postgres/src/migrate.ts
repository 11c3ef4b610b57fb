import { MigrationError, SchemaTooNewError } from '@cairn/core';
import type { Pool } from './driver.js';
import { hash32, LockClass } from './locks.js';
import { type Migration, migrations, SCHEMA_VERSION } from './schema.js';

/**
 * Bring the schema to the latest version in one transaction, under an advisory lock so
 * several processes starting at once apply each migration exactly once. Extra migrations
 * (snapshots, projections) from other modules can be passed in and are applied after the
 * core ones, each tracked under its own `module` name.
 */
export async function migrateSchema(pool: Pool, schema: string, extra: ReadonlyArray<{ module: string; migrations: Migration[] }> = []): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1, $2)', [LockClass.migrate, hash32(schema)]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS "${schema}".migrations (
         module text NOT NULL, version integer NOT NULL, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(),
         PRIMARY KEY (module, version))`,
    );
    for (const { module, migrations: list } of [{ module: 'core', migrations: migrations(schema) }, ...extra]) {
      const { rows } = await client.query<{ v: number | null }>(`SELECT max(version) AS v FROM "${schema}".migrations WHERE module = $1`, [module]);
      const current = rows[0]?.v ?? 0;
      const latest = module === 'core' ? SCHEMA_VERSION : (list.at(-1)?.version ?? 0);
      if (current > latest) throw new SchemaTooNewError(current, latest);
      for (const migration of list) {
        if (migration.version <= current) continue;
        await client.query(migration.sql);
        await client.query(`INSERT INTO "${schema}".migrations (module, version, name) VALUES ($1, $2, $3)`, [module, migration.version, migration.name]);
      }
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    if (error instanceof SchemaTooNewError) throw error;
    throw new MigrationError(`PostgreSQL migration of schema "${schema}" failed: ${(error as Error).message}. The schema was left as it was.`, error);
  } finally {
    client.release();
  }
}
