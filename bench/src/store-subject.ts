import { ConcurrencyError, type EventStore } from '@cairn/core';
import { EVENT_TYPE, type MoneyDeposited } from './payload.js';
import type { Subject } from './subject.js';

/**
 * The store side: plain public API calls with the store's defaults, the way an application
 * would make them (no event ids supplied, so the store generates them as it would for a user).
 */
export function storeSubject(store: EventStore): Subject {
  return {
    side: 'store',
    async appendOne(streamId, expectedVersion, data) {
      try {
        await store.append(streamId, [{ type: EVENT_TYPE, data }], { expectedVersion });
        return true;
      } catch (error) {
        if (error instanceof ConcurrencyError) return false;
        throw error;
      }
    },
    async appendBatch(streamId, expectedVersion, batch) {
      await store.append(
        streamId,
        batch.map((data) => ({ type: EVENT_TYPE, data })),
        { expectedVersion },
      );
    },
    async readStream(streamId, onEvent) {
      let n = 0;
      for await (const e of store.readStream<{ type: string; data: MoneyDeposited }>(streamId)) {
        onEvent(e.version, e.data);
        n++;
      }
      return n;
    },
    async version(streamId) {
      return (await store.streamInfo(streamId))?.version ?? 0;
    },
  };
}
