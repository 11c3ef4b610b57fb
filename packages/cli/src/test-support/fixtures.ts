import type { EventInput, EventStore } from '@cairn/core';

/**
 * Fill a store with `streams × perStream` events appended in rounds of `batch` per stream, so
 * the global log interleaves streams. Data, metadata, tags and schema versions vary, with
 * text that trips naive encoders (accents, emoji, quotes, newlines).
 */
export async function fillStore(store: EventStore, options: { streams: number; perStream: number; batch: number; category?: string }): Promise<number> {
  const category = options.category ?? 'account';
  let total = 0;
  for (let round = 0; round * options.batch < options.perStream; round++) {
    for (let s = 0; s < options.streams; s++) {
      const count = Math.min(options.batch, options.perStream - round * options.batch);
      const events: EventInput[] = Array.from({ length: count }, (_, i) => {
        const n = round * options.batch + i;
        return {
          type: n % 7 === 0 ? 'MoneyWithdrawn' : 'MoneyDeposited',
          data: { n, cents: n * 3, note: n % 5 === 0 ? 'ünïcødé ✓ "quoted"\nline 🙂' : 'plain', nested: { list: [1, null, { deep: true }] } },
          metadata: { correlationId: `c-${s}-${round}`, actor: 'fixture' },
          ...(n % 10 === 0 ? { tags: [`user:${s}`, 'audit'] } : {}),
          ...(n % 13 === 0 ? { schemaVersion: 2 } : {}),
        };
      });
      await store.append(`${category}-${s}`, events, { expectedVersion: round * options.batch });
      total += count;
    }
  }
  return total;
}
