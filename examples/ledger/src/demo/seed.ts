import type { EventStore } from '@cairn/core';
import { type PlannedEvent, type PlanOptions, planDemoHistory } from './plan-history.js';

export const SEED_MARKER_STREAM = 'demo-seed';

export interface SeedReport {
  events: number;
  streams: number;
  ms: number;
}

const CHUNK_DAYS = 7;

/**
 * Write the demo history with its original times. Appends are grouped a week at a time, one
 * append per stream, all issued at once: SQLite's group commit turns each group into one
 * transaction, PostgreSQL runs them over the pool. Each append names the exact version it
 * expects, which is what lets an import keep its events' recorded times. A marker stream,
 * written last, says the seed is complete.
 */
export async function seedDemoData(store: EventStore, options: PlanOptions & { onProgress?: (done: number, total: number) => void } = {}): Promise<SeedReport> {
  const started = Date.now();
  const planned = planDemoHistory(options);
  const versions = new Map<string, number>();
  let done = 0;
  const byChunk = new Map<number, PlannedEvent[]>();
  for (const e of planned) {
    const chunk = Math.floor(e.recordedAt.getTime() / (CHUNK_DAYS * 86_400_000));
    const list = byChunk.get(chunk) ?? [];
    list.push(e);
    byChunk.set(chunk, list);
  }
  for (const events of byChunk.values()) {
    const perStream = new Map<string, PlannedEvent[]>();
    for (const e of events) {
      const list = perStream.get(e.streamId);
      if (list) list.push(e);
      else perStream.set(e.streamId, [e]);
    }
    await Promise.all(
      [...perStream].map(async ([streamId, list]) => {
        const expectedVersion = versions.get(streamId) ?? 0;
        const r = await store.append(
          streamId,
          list.map((e) => ({ type: e.type, data: e.data, metadata: e.metadata, recordedAt: e.recordedAt, ...(e.schemaVersion ? { schemaVersion: e.schemaVersion } : {}) })),
          { expectedVersion: expectedVersion === 0 ? 'no-stream' : expectedVersion },
        );
        versions.set(streamId, r.version);
      }),
    );
    done += events.length;
    options.onProgress?.(done, planned.length);
  }
  await store.append(SEED_MARKER_STREAM, [{ type: 'DemoDataSeeded', data: { events: planned.length, streams: versions.size, seed: options.seed ?? 42 } }], { expectedVersion: 'no-stream' });
  return { events: planned.length, streams: versions.size, ms: Date.now() - started };
}

/** 'seeded': the marker is there; 'partial': ledger streams without the marker (a seed was cut short); 'empty'. */
export async function seedState(store: EventStore): Promise<'seeded' | 'partial' | 'empty'> {
  if ((await store.streamInfo(SEED_MARKER_STREAM)) !== null) return 'seeded';
  const some = await store.listStreams({ category: 'account', limit: 1 });
  return some.length > 0 ? 'partial' : 'empty';
}
