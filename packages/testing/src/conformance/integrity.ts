import { describe, expect, it } from 'vitest';
import { deposit, type Suite, uniqueStream } from './harness.js';

export function integrityTests(suite: Suite): void {
  describe('verify (tamper evidence)', () => {
    it('a healthy store verifies, with counts', async () => {
      const store = await suite.open();
      const a = uniqueStream('v');
      const b = uniqueStream('v');
      await store.append(a, [deposit(1), deposit(2)]);
      await store.append(b, [{ type: 'Tagged', data: { ü: 'ß' }, tags: ['t:1', 'x"y'], metadata: { actor: 'me' } }]);
      await store.append(a, [deposit(3)]);
      await store.append(a, [deposit(5)]);
      let progress = 0;
      const report = await store.verify({ onProgress: (n) => (progress = n) });
      expect(report).toEqual({ ok: true, streamsChecked: 2, eventsChecked: 5 });
      expect(progress).toBe(5);
    });

    it("an event edited behind the store's back is reported with its stream and version", async () => {
      const store = await suite.open();
      if (store.sql === undefined) return; // nothing can edit the memory store behind its back
      const id = uniqueStream('v');
      await store.append(id, [deposit(1), deposit(2), deposit(3)]);
      await store.append(uniqueStream('w'), [deposit(9)]);
      await store.sql.query(`UPDATE ${store.sql.table('events')} SET data = '{"amountCents":1000000}' WHERE stream_id = $1 AND version = 2`, [id]);
      const report = await store.verify();
      expect(report.ok).toBe(false);
      expect(report.problem).toMatchObject({ streamId: id, version: 2, kind: 'hash-mismatch' });
      expect(report.problem?.message).toContain(`"${id}" version 2`);
    });

    it('a deleted event is reported as a gap', async () => {
      const store = await suite.open();
      if (store.sql === undefined) return;
      const id = uniqueStream('v');
      await store.append(id, [deposit(1), deposit(2), deposit(3)]);
      await store.sql.query(`DELETE FROM ${store.sql.table('events')} WHERE stream_id = $1 AND version = 2`, [id]);
      expect((await store.verify()).problem).toMatchObject({ streamId: id, version: 3, kind: 'version-gap' });
    });

    it('a stream cut short at its end disagrees with the catalogue', async () => {
      const store = await suite.open();
      if (store.sql === undefined) return;
      const id = uniqueStream('v');
      await store.append(id, [deposit(1), deposit(2)]);
      await store.sql.query(`DELETE FROM ${store.sql.table('events')} WHERE stream_id = $1 AND version = 2`, [id]);
      expect((await store.verify()).problem).toMatchObject({ streamId: id, version: 1, kind: 'catalogue-mismatch' });
    });
  });
}
