import { describe, expect, it } from 'vitest';
import { deposit, type Suite, uniqueStream } from './harness.js';

export function persistenceTests(suite: Suite): void {
  const reopen = suite.harness.reopen;
  if (reopen === undefined) return;

  describe('durability', () => {
    it('a store reopened after close holds every acknowledged event, byte for byte', async () => {
      const store = await suite.harness.create();
      const ids = [uniqueStream('keep'), uniqueStream('keep')];
      const acked = [];
      for (let i = 0; i < 50; i++) {
        acked.push(await store.append(ids[i % 2] as string, [deposit(i, { metadata: { i } }), deposit(-i)]));
      }
      const before = await store.readAll().toArray();
      await store.close();
      const again = await reopen(store);
      try {
        const after = await again.readAll().toArray();
        expect(after).toEqual(before);
        expect(after).toHaveLength(100);
        expect(await again.headPosition()).toBe(acked.at(-1)?.position);
        expect((await again.streamInfo(ids[0] as string))?.version).toBe(50);
        // And it keeps working: versions continue.
        const r = await again.append(ids[0] as string, [deposit(1)], { expectedVersion: 50 });
        expect(r.version).toBe(51);
        expect(r.position > (acked.at(-1)?.position ?? 0n)).toBe(true);
      } finally {
        await again.close();
      }
    });

    it('migrate is idempotent and safe to call concurrently', async () => {
      const store = await suite.harness.create();
      await Promise.all([store.migrate(), store.migrate(), store.migrate()]);
      await store.append(uniqueStream(), [deposit(1)]);
      await store.close();
      const again = await reopen(store);
      try {
        await Promise.all([again.migrate(), again.migrate()]);
        expect(await again.headPosition()).toBeGreaterThan(0n);
      } finally {
        await again.close();
      }
    });
  });
}
