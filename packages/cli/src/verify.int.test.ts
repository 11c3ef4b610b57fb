import { copyFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cairn } from './test-support/cli.js';
import { rawSqlite } from './test-support/raw-sqlite.js';
import { StoreUrls } from './test-support/stores.js';

beforeAll(() => assertBuilt());

interface Corruption {
  name: string;
  sql: string;
  kind: string;
  streamId: string;
  version: number;
  message: RegExp;
}

// Three streams of five events, appended in rounds so the global log interleaves them.
const corruptions: Corruption[] = [
  {
    name: 'an event deleted from the middle of a stream',
    sql: "DELETE FROM cairn_events WHERE stream_id = 'acct-1' AND version = 3",
    kind: 'version-gap',
    streamId: 'acct-1',
    version: 3,
    message: /Stream "acct-1" should continue with version 3, but the event at position \d+ has version 4 \(versions 3–3 are missing\)/,
  },
  {
    name: 'a version rewritten to jump ahead',
    sql: "UPDATE cairn_events SET version = 9 WHERE stream_id = 'acct-2' AND version = 2",
    kind: 'version-gap',
    streamId: 'acct-2',
    version: 2,
    message: /Stream "acct-2" should continue with version 2, but the event at position \d+ has version 9/,
  },
  {
    name: 'two events of a stream swapped in the global order',
    // acct-0's versions 1 and 2 sit at positions 1 and 4 (see healthyStore).
    sql: 'UPDATE cairn_events SET position = -1 WHERE position = 1; UPDATE cairn_events SET position = 1 WHERE position = 4; UPDATE cairn_events SET position = 4 WHERE position = -1;',
    kind: 'version-gap',
    streamId: 'acct-0',
    version: 1,
    message: /Stream "acct-0" should continue with version 1, but the event at position \d+ has version 2/,
  },
  {
    name: 'the first event of a stream missing',
    sql: "DELETE FROM cairn_events WHERE stream_id = 'acct-2' AND version = 1",
    kind: 'version-gap',
    streamId: 'acct-2',
    version: 1,
    message: /Stream "acct-2" should continue with version 1/,
  },
  {
    name: "an event's data edited in place",
    sql: `UPDATE cairn_events SET data = '{"round":99}' WHERE stream_id = 'acct-1' AND version = 2`,
    kind: 'hash-mismatch',
    streamId: 'acct-1',
    version: 2,
    message: /Stream "acct-1" version 2 \(position \d+\) does not match its hash/,
  },
  {
    name: 'the catalogue claiming a higher version',
    sql: "UPDATE cairn_streams SET version = 99 WHERE stream_id = 'acct-1'",
    kind: 'catalogue-mismatch',
    streamId: 'acct-1',
    version: 5,
    message: /The catalogue has stream "acct-1" at version 99 \(position \d+\), but its events end at version 5/,
  },
  {
    name: 'the last event deleted but the catalogue kept',
    sql: "DELETE FROM cairn_events WHERE stream_id = 'acct-0' AND version = 5",
    kind: 'catalogue-mismatch',
    streamId: 'acct-0',
    version: 4,
    message: /The catalogue has stream "acct-0" at version 5 .* but its events end at version 4/,
  },
  {
    name: 'a stream in the catalogue with no events',
    sql: "INSERT INTO cairn_streams (stream_id, category, version, last_position, created_at, updated_at) VALUES ('ghost-1', 'ghost', 2, 3, 0, 0)",
    kind: 'catalogue-without-events',
    streamId: 'ghost-1',
    version: 2,
    message: /The catalogue lists stream "ghost-1" at version 2, but the log has no event of it/,
  },
  {
    name: 'events of a stream missing from the catalogue',
    sql: "DELETE FROM cairn_streams WHERE stream_id = 'acct-2'",
    kind: 'events-without-catalogue',
    streamId: 'acct-2',
    version: 5,
    message: /Stream "acct-2" has events up to version 5, but the catalogue does not list it/,
  },
];

describe('cairn verify finds corruption made below the API', () => {
  const urls = new StoreUrls();
  afterAll(() => urls.cleanup());

  let template: string;
  beforeAll(async () => {
    template = urls.url('sqlite');
    const store = await urls.open(template);
    for (let round = 0; round < 5; round++) for (let s = 0; s < 3; s++) await store.append(`acct-${s}`, [{ type: 'Tick', data: { round } }]);
    await store.close();
    const check = await cairn(['verify', '--db', template]);
    expect(check.code, check.stderr).toBe(0);
  });

  /** A fresh copy of the healthy store (the file is closed and checkpointed, so one copy is whole). */
  function healthyStore(): string {
    const url = urls.url('sqlite');
    copyFileSync(StoreUrls.path(template), StoreUrls.path(url));
    return url;
  }

  it.each(corruptions)('$name → $kind at $streamId version $version (exit 5)', async (c) => {
    const url = healthyStore();
    rawSqlite(StoreUrls.path(url), c.sql);

    const json = await cairn(['verify', '--db', url, '--json']);
    expect(json.code, json.stderr).toBe(5);
    const report = JSON.parse(json.stdout) as { ok: boolean; problem: { kind: string; streamId: string; version: number; message: string } };
    expect(report.ok).toBe(false);
    expect(report.problem).toMatchObject({ kind: c.kind, streamId: c.streamId, version: c.version });
    expect(report.problem.message).toMatch(c.message);

    const text = await cairn(['verify', '--db', url]);
    expect(text.code).toBe(5);
    expect(text.stderr).toMatch(new RegExp(`^error INTEGRITY: ${c.message.source}`, 'm'));
    expect(text.stdout).toMatch(new RegExp(`^problem ${c.kind} stream="${c.streamId}" version=${c.version} position=(\\d+|-)\\n$`));
  });
});
