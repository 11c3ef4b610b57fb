import { MigrationError, SchemaTooNewError } from '@cairn/core';
import type { Database } from './driver.js';

/**
 * Versioned migrations. Each runs once, in its own IMMEDIATE transaction, so two processes
 * opening the same file at once cannot both apply it. Never edit a released migration:
 * add the next one.
 */
export const MIGRATIONS: ReadonlyArray<{ version: number; name: string; sql: string }> = [
  {
    version: 1,
    name: 'streams, events, tags',
    sql: `
      CREATE TABLE cairn_streams (
        stream_id     TEXT PRIMARY KEY,
        category      TEXT NOT NULL,
        version       INTEGER NOT NULL,
        last_position INTEGER NOT NULL,
        last_hash     TEXT,
        created_at    INTEGER NOT NULL,
        updated_at    INTEGER NOT NULL,
        archived_at   INTEGER
      ) WITHOUT ROWID;
      CREATE INDEX cairn_streams_by_category ON cairn_streams (category, stream_id);

      -- position is the rowid: assigned max+1 inside the single-writer transaction, so it is
      -- already in commit order and a reader can never see a later position before an earlier one.
      CREATE TABLE cairn_events (
        position       INTEGER PRIMARY KEY,
        stream_id      TEXT NOT NULL,
        version        INTEGER NOT NULL,
        event_id       TEXT NOT NULL,
        type           TEXT NOT NULL,
        schema_version INTEGER NOT NULL,
        data           TEXT NOT NULL,
        metadata       TEXT NOT NULL,
        tags           TEXT,
        recorded_at    INTEGER NOT NULL,
        -- Tamper evidence: sha256 over the previous event's hash and this event as stored.
        hash           TEXT NOT NULL
      );
      CREATE UNIQUE INDEX cairn_events_stream_version ON cairn_events (stream_id, version);
      CREATE UNIQUE INDEX cairn_events_event_id ON cairn_events (event_id);

      -- One row per (tag, event) for cross-stream queries and conditional appends.
      CREATE TABLE cairn_event_tags (
        tag      TEXT NOT NULL,
        position INTEGER NOT NULL,
        PRIMARY KEY (tag, position)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 2,
    name: 'snapshots',
    sql: `
      CREATE TABLE cairn_snapshots (
        stream_id      TEXT NOT NULL,
        name           TEXT NOT NULL,
        version        INTEGER NOT NULL,
        schema_version INTEGER NOT NULL,
        state          TEXT NOT NULL,
        created_at     INTEGER NOT NULL,
        PRIMARY KEY (stream_id, name)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 3,
    name: 'projections',
    sql: `
      CREATE TABLE cairn_projections (
        name               TEXT NOT NULL,
        generation         INTEGER NOT NULL,
        definition_version INTEGER NOT NULL,
        status             TEXT NOT NULL,
        partitions         INTEGER NOT NULL,
        paused             INTEGER NOT NULL DEFAULT 0,
        filter             TEXT,
        created_at         INTEGER NOT NULL,
        updated_at         INTEGER NOT NULL,
        PRIMARY KEY (name, generation)
      ) WITHOUT ROWID;
      CREATE TABLE cairn_projection_checkpoints (
        name       TEXT NOT NULL,
        generation INTEGER NOT NULL,
        partition  INTEGER NOT NULL,
        position   INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (name, generation, partition)
      ) WITHOUT ROWID;
      CREATE TABLE cairn_dead_letters (
        id         TEXT PRIMARY KEY,
        name       TEXT NOT NULL,
        generation INTEGER NOT NULL,
        partition  INTEGER NOT NULL,
        position   INTEGER NOT NULL,
        event_id   TEXT NOT NULL,
        stream_id  TEXT NOT NULL,
        type       TEXT NOT NULL,
        error      TEXT NOT NULL,
        attempts   INTEGER NOT NULL,
        status     TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX cairn_dead_letters_by_name ON cairn_dead_letters (name, status, position);
      CREATE TABLE cairn_projection_nodes (
        node_id   TEXT NOT NULL,
        name      TEXT NOT NULL,
        last_seen INTEGER NOT NULL,
        PRIMARY KEY (node_id, name)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 4,
    name: 'subject keys',
    sql: `
      -- Keys for personal data (crypto-shredding). Forgetting sets material to NULL; with
      -- secure_delete on, SQLite overwrites the freed bytes.
      CREATE TABLE cairn_subject_keys (
        key_id       TEXT PRIMARY KEY,
        subject      TEXT NOT NULL,
        material     BLOB,
        created_at   INTEGER NOT NULL,
        destroyed_at INTEGER
      );
      CREATE UNIQUE INDEX cairn_subject_keys_active ON cairn_subject_keys (subject) WHERE destroyed_at IS NULL;
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS.at(-1)?.version ?? 0;

export function migrate(db: Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS cairn_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  const current = (): number => (db.prepare<{ v: number | null }>('SELECT max(version) AS v FROM cairn_migrations').get()?.v ?? 0);
  if (current() > SCHEMA_VERSION) throw new SchemaTooNewError(current(), SCHEMA_VERSION);
  for (const migration of MIGRATIONS) {
    if (migration.version <= current()) continue;
    db.exec('BEGIN IMMEDIATE');
    try {
      // Re-check under the write lock: another process may have applied it meanwhile.
      if (migration.version > current()) {
        db.exec(migration.sql);
        db.prepare('INSERT INTO cairn_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(migration.version, migration.name, Date.now());
      }
      db.exec('COMMIT');
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw new MigrationError(`SQLite migration ${migration.version} (${migration.name}) failed: ${(error as Error).message}`, error);
    }
  }
}
