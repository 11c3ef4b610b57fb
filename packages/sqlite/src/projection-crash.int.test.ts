import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EventStore } from '@cairn/core';
import { Children } from '@cairn/testing';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from './driver.js';
import { createSqliteStore } from './index.js';

// A projection runner in a child process (compiled packages) killed with SIGKILL inside a
// batch's transaction, then restarted on the same file.
const fixture = fileURLToPath(new URL('../test/projector.fixture.mjs', import.meta.url));
const built = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const children = new Children(fixture, built);
const dir = mkdtempSync(join(tmpdir(), 'cairn-projection-crash-'));
const stores: EventStore[] = [];

afterEach(async () => {
  await children.killAll();
  await Promise.all(stores.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await children.killAll();
  rmSync(dir, { recursive: true, force: true });
});

async function seed(store: EventStore, prefix: string, streams: number, perStream: number): Promise<void> {
  for (let round = 0; round < perStream; round++) {
    await Promise.all(
      Array.from({ length: streams }, (_, i) =>
        store.append(`${prefix}-${i}`, [round % 4 === 3 ? { type: 'Withdrawn', data: { amount: i + 1 } } : { type: 'Deposited', data: { amount: 10 + round } }]),
      ),
    );
  }
}

describe('projection runner as a real process [sqlite]', () => {
  it('a projector killed with SIGKILL mid-batch and restarted ends identical to a from-scratch rebuild', async () => {
    const path = join(dir, 'ledger.db');
    const store = createSqliteStore({ path });
    stores.push(store);
    await store.migrate();
    const sql = store.sql!;
    const rows = (text: string, params: unknown[] = []) => sql.query<Record<string, unknown>>(text, params);
    const readModel = (name: string) => rows(`SELECT account, cents, version, events FROM ${name}_g1 ORDER BY account`);
    const applied = async (name: string) => Number((await rows(`SELECT coalesce(sum(events), 0) AS n FROM ${name}_g1`))[0]?.n);
    const eventCount = async (upTo?: bigint) => Number((await rows(`SELECT count(*) AS n FROM cairn_events WHERE $1 IS NULL OR position <= $1`, [upTo ?? null]))[0]?.n);
    const checkpoint = async () => BigInt((await rows(`SELECT position FROM cairn_projection_checkpoints WHERE name = 'ledger' AND generation = 1`))[0]?.position as number);
    const handled = (c: { tagged(t: string): string[][] }) => c.tagged('h').map(([position]) => BigInt(position as string));
    const url = `sqlite:${path}`;

    await seed(store, 'acct', 40, 15);
    // Two batches committed, the third 30 events in and held there: its transaction is open when the kill lands.
    const first = children.spawn({ url, name: 'ledger', batchSize: 50, delayMs: 2, holdAfter: 130 });
    await first.waitFor(() => first.tagged('holding').length > 0, 'the 130th event');
    await first.kill();
    const maxHandled = handled(first).reduce((a, b) => (b > a ? b : a), 0n);

    const db = openDatabase(path, 1000);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
    const cp = await checkpoint();
    expect(cp).toBeGreaterThan(0n);
    expect(cp, 'the kill landed inside a batch: handled events past the checkpoint').toBeLessThan(maxHandled);
    // The file holds exactly what the checkpoint says: the open batch was rolled back with the WAL.
    expect(await applied('ledger')).toBe(await eventCount(cp));

    await seed(store, 'late', 10, 3);
    const second = children.spawn({ url, name: 'ledger', batchSize: 50, exitWhenIdle: true });
    expect((await second.exited).code, second.stderr).toBe(0);
    expect(handled(second)[0], 'the restart resumes right after the checkpoint').toBeGreaterThan(cp);
    expect(await rows('SELECT * FROM ledger_violations_g1')).toEqual([]);
    expect(await applied('ledger')).toBe(await eventCount());

    const fresh = children.spawn({ url, name: 'ledger_fresh', batchSize: 1000, exitWhenIdle: true });
    expect((await fresh.exited).code, fresh.stderr).toBe(0);
    const built = await readModel('ledger');
    expect(built.length).toBe(50);
    expect(built).toEqual(await readModel('ledger_fresh'));
  }, 60_000);
});
