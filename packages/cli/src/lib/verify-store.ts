import type { EventStore, Position } from '@cairn/core';

export interface VerifyProblem {
  kind: 'position-order' | 'version-gap' | 'catalogue-mismatch' | 'catalogue-without-events' | 'events-without-catalogue' | 'hash-mismatch';
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
  /** Progress of the second pass, the store's own check (`store.verify()`: hash chains). */
  onChainProgress?: (events: number) => void;
}

interface Seen {
  version: number;
  position: Position;
}

/**
 * Check a store's integrity, reporting the first problem found:
 * 1. the global log (system streams included) has strictly increasing positions;
 * 2. every stream's versions run 1, 2, 3… without gaps, repeats or reordering in the log;
 * 3. the stream catalogue agrees with the events: same streams, same last version and position;
 * 4. then the store's own check, `store.verify()`: every event's hash chain link recomputed from
 *    its stored bytes (SQLite, PostgreSQL), which catches edited data that 1–3 cannot see.
 * 1–3 go through the public API in global order (so an event moved in the log is caught even
 * when its stream reads fine); 4 walks each stream in version order. Runs up to the head settled when it starts; streams written
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
  const deep = await store.verify(options.onChainProgress ? { onProgress: options.onChainProgress } : {});
  if (!deep.ok && deep.problem) {
    const p = deep.problem;
    return report({ kind: p.kind, streamId: p.streamId, version: p.version, message: capitalise(p.message) });
  }
  return { ok: true, events, streams: streams.size, head: head.toString() };
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
