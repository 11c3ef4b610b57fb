import type { EventStore, Position } from '@cairn/core';

export interface VerifyProblem {
  kind: 'position-order' | 'version-gap' | 'catalogue-mismatch' | 'catalogue-without-events' | 'events-without-catalogue';
  streamId: string;
  /** The version where the problem shows. */
  version?: number;
  position?: string;
  message: string;
}

export interface VerifyReport {
  ok: boolean;
  events: number;
  streams: number;
  /** The settled head the check ran up to. */
  head: string;
  problem?: VerifyProblem;
}

export interface VerifyOptions {
  signal?: AbortSignal;
  onProgress?: (events: number, position: Position, head: Position) => void;
}

interface Seen {
  version: number;
  position: Position;
}

/**
 * Check a store's integrity through its own API, so it works for every backend:
 * 1. the global log (system streams included) has strictly increasing positions;
 * 2. every stream's versions run 1, 2, 3… without gaps, repeats or reordering in the log;
 * 3. the stream catalogue agrees with the events: same streams, same last version and position.
 * Reports the first problem found. Runs up to the head settled when it starts; streams written
 * during the check are compared only up to that point. Memory grows with the number of
 * streams (one entry each), not with the number of events.
 */
export async function verifyStore(store: EventStore, options: VerifyOptions = {}): Promise<VerifyReport> {
  const head = await store.headPosition();
  const streams = new Map<string, Seen>();
  let events = 0;
  let previous: Position | undefined;
  const report = (problem: VerifyProblem): VerifyReport => ({ ok: false, events, streams: streams.size, head: head.toString(), problem });

  for await (const event of store.readAll({ includeSystem: true })) {
    if (event.position > head) break;
    if (options.signal?.aborted) throw options.signal.reason;
    if (previous !== undefined && event.position <= previous) {
      return report({
        kind: 'position-order',
        streamId: event.streamId,
        version: event.version,
        position: event.position.toString(),
        message: `The log goes back from position ${previous} to ${event.position} (stream "${event.streamId}" version ${event.version}): positions must be unique and strictly increasing.`,
      });
    }
    previous = event.position;
    const seen = streams.get(event.streamId);
    const expected = (seen?.version ?? 0) + 1;
    if (event.version !== expected) {
      return report({
        kind: 'version-gap',
        streamId: event.streamId,
        version: expected,
        position: event.position.toString(),
        message:
          `Stream "${event.streamId}" should continue with version ${expected}, but the event at position ${event.position} has version ${event.version}` +
          (event.version > expected ? ` (versions ${expected}–${event.version - 1} are missing).` : ' (a repeated or out-of-order version).'),
      });
    }
    streams.set(event.streamId, { version: event.version, position: event.position });
    events++;
    if (events % 1000 === 0) options.onProgress?.(events, event.position, head);
  }
  options.onProgress?.(events, previous ?? 0n, head);

  const listed = new Set<string>();
  for (let after: string | undefined; ; ) {
    const page = await store.listStreams({ includeSystem: true, limit: 1000, ...(after !== undefined ? { afterStreamId: after } : {}) });
    for (const info of page) {
      listed.add(info.streamId);
      const seen = streams.get(info.streamId);
      const settled = info.position <= head; // not written since the check began
      if (seen === undefined) {
        if (!settled) continue;
        return report({
          kind: 'catalogue-without-events',
          streamId: info.streamId,
          version: info.version,
          message: `The catalogue lists stream "${info.streamId}" at version ${info.version}, but the log has no event of it.`,
        });
      }
      const agrees = settled ? info.version === seen.version && info.position === seen.position : info.version >= seen.version;
      if (!agrees) {
        return report({
          kind: 'catalogue-mismatch',
          streamId: info.streamId,
          version: seen.version,
          position: seen.position.toString(),
          message: `The catalogue has stream "${info.streamId}" at version ${info.version} (position ${info.position}), but its events end at version ${seen.version} (position ${seen.position}).`,
        });
      }
    }
    if (page.length < 1000) break;
    after = page.at(-1)?.streamId;
  }
  for (const [streamId, seen] of streams) {
    if (!listed.has(streamId)) {
      return report({
        kind: 'events-without-catalogue',
        streamId,
        version: seen.version,
        message: `Stream "${streamId}" has events up to version ${seen.version}, but the catalogue does not list it.`,
      });
    }
  }
  return { ok: true, events, streams: streams.size, head: head.toString() };
}
