import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The README's tour is code users copy: every `ts` block of the tour section is written to a
 * module and run against a fresh SQLite file. A tour that stops compiling or running fails here.
 */
const root = new URL('../../', import.meta.url).pathname;
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const tour = readme.slice(readme.indexOf('## A five-minute tour'), readme.indexOf('## The event store contract'));
const blocks = [...tour.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] as string);
const dir = mkdtempSync(join(root, 'test/docs/.tour-'));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('README tour', () => {
  it('has code blocks', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(2);
  });

  blocks.forEach((code, i) => {
    it(`block ${i + 1} runs`, async () => {
      const file = join(dir, `block-${i + 1}.ts`);
      writeFileSync(file, code);
      process.env.CAIRN_DB = `sqlite:${join(dir, `block-${i + 1}.db`)}`;
      const logs: unknown[][] = [];
      const original = console.log;
      console.log = (...args: unknown[]) => void logs.push(args);
      try {
        await import(file);
      } finally {
        console.log = original;
        delete process.env.CAIRN_DB;
      }
      if (i === 1) {
        // The domain block prints what its comments promise.
        expect(logs).toEqual([[250], ['INSUFFICIENT_FUNDS'], [1250, 0]]);
      }
    });
  });
});
