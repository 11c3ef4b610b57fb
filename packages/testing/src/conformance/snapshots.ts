import { describe, expect, it } from 'vitest';
import type { Suite } from './harness.js';
import { uniqueStream } from './harness.js';

export function snapshotStoreTests(suite: Suite): void {
  describe('snapshot storage', () => {
    it('saves, loads, keeps the newest and replaces an older schema', async () => {
      const store = await suite.open();
      const s = store.snapshots;
      const id = uniqueStream();
      expect(await s.load(id, 'm')).toBeNull();
      await s.save({ streamId: id, name: 'm', version: 10, schemaVersion: 1, state: { balance: 10, list: [1, 'ü'] } });
      expect(await s.load(id, 'm')).toMatchObject({ streamId: id, name: 'm', version: 10, schemaVersion: 1, state: { balance: 10, list: [1, 'ü'] } });
      expect((await s.load(id, 'm'))?.createdAt).toBeInstanceOf(Date);
      await s.save({ streamId: id, name: 'm', version: 5, schemaVersion: 1, state: { stale: true } });
      expect((await s.load(id, 'm'))?.version).toBe(10); // an older snapshot never overwrites a newer one
      await s.save({ streamId: id, name: 'm', version: 5, schemaVersion: 2, state: { migrated: true } });
      expect(await s.load(id, 'm')).toMatchObject({ version: 5, schemaVersion: 2, state: { migrated: true } });
      await s.save({ streamId: id, name: 'other', version: 3, schemaVersion: 1, state: 3 });
      expect((await s.load(id, 'other'))?.state).toBe(3);
      expect(await s.delete({ streamId: id, name: 'm' })).toBe(1);
      expect(await s.load(id, 'm')).toBeNull();
      await s.save({ streamId: uniqueStream(), name: 'x', version: 1, schemaVersion: 1, state: null });
      expect(await s.delete()).toBe(2);
    });
  });
}
