import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cairn, spawnCairn } from './test-support/cli.js';
import { fillStore } from './test-support/fixtures.js';
import { StoreUrls } from './test-support/stores.js';

beforeAll(() => assertBuilt());

/**
 * Files and pipes that cannot be used end with one line and a documented exit code, never
 * with Node's unhandled-error stack (found by the CLI fuzz: `--out` into a missing directory
 * crashed, and so did `cairn export | head`).
 */
describe.concurrent('output and input that cannot be used', () => {
  const urls = new StoreUrls();
  let db: string;
  beforeAll(async () => {
    db = urls.url('sqlite');
    await fillStore(await urls.open(db), { streams: 4, perStream: 500, batch: 250 });
  });
  afterAll(() => urls.cleanup());

  it('export --out into a missing directory or onto a directory: exit 2, one line, no partial file', async () => {
    const missing = join(urls.dir, 'no', 'such', 'dir', 'x.ndjson');
    const run = await cairn(['export', '--db', db, '--out', missing]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error OUTPUT_NOT_WRITABLE: Cannot write .*x\.ndjson \(ENOENT\): .*\n$/);
    expect(existsSync(`${missing}.partial`)).toBe(false);
    const dir = join(urls.dir, 'a-dir');
    mkdirSync(dir);
    const onto = await cairn(['export', '--db', db, '--out', dir]);
    expect(onto.code).toBe(2);
    expect(onto.stderr).toMatch(/^error OUTPUT_NOT_WRITABLE: .*\(EISDIR\).*\n$/);
    expect(existsSync(`${dir}.partial`)).toBe(false);
  });

  it('export into a pipe whose reader goes away (cairn export | head): stops quietly, exit 0', async () => {
    const child = spawnCairn(['export', '--db', db]);
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdout?.once('data', () => child.stdout?.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('import of a directory: exit 2, one line', async () => {
    const run = await cairn(['import', urls.dir, '--db', db]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error INVALID_ARGUMENT: .* is a directory; name an NDJSON file\.\n$/);
  });

  it('errors quote what the user typed without letting it drive the terminal', async () => {
    const run = await cairn(['read', 'evil-\u001b[2J\u001b]0;pwned\u0007', '--db', db]);
    expect(run.code).toBe(2); // control characters make an invalid stream id
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    const unknown = await cairn(['line\nbreak']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
  });
});
