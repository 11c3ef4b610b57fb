import type { EventStore } from './event-store.js';
import type { IntegrityReport } from './integrity.js';

/** For stores without hash chains (memory): versions contiguous and the catalogue in line. */
export async function verifyStructure(store: EventStore, onProgress?: (eventsChecked: number) => void): Promise<IntegrityReport> {
  let streams = 0;
  let events = 0;
  let after: string | undefined;
  for (;;) {
    const page = await store.listStreams({ limit: 500, includeSystem: true, ...(after ? { afterStreamId: after } : {}) });
    if (page.length === 0) return { ok: true, streamsChecked: streams, eventsChecked: events };
    for (const info of page) {
      streams++;
      let expected = 1;
      for await (const e of store.readStream(info.streamId)) {
        if (e.version !== expected) {
          return {
            ok: false,
            streamsChecked: streams,
            eventsChecked: events,
            problem: { streamId: info.streamId, version: e.version, kind: 'version-gap', message: `stream "${info.streamId}" jumps from version ${expected - 1} to ${e.version}` },
          };
        }
        expected++;
        events++;
      }
      if (expected - 1 !== info.version) {
        return {
          ok: false,
          streamsChecked: streams,
          eventsChecked: events,
          problem: { streamId: info.streamId, version: expected - 1, kind: 'catalogue-mismatch', message: `stream "${info.streamId}" ends at ${expected - 1} but its catalogue says ${info.version}` },
        };
      }
      onProgress?.(events);
    }
    after = page.at(-1)?.streamId;
  }
}
