/** The stored form of one event, as its hash chain link covers it. */
export interface ChainFields {
  streamId: string;
  version: number;
  eventId: string;
  type: string;
  schemaVersion: number;
  /** Data and metadata JSON text exactly as the store keeps it. */
  data: string;
  metadata: string;
  /** The store's text form of the tags, or '' when there are none. */
  tags: string;
  /** recordedAt in microseconds since the epoch, as a decimal string. */
  recordedMicros: string;
}

/**
 * The text an event's chain link hashes: the previous link ('' for a stream's first event)
 * and the stored fields, joined by newlines. Every store builds exactly this string, so
 * `verify` can recompute any link; the PostgreSQL store does it in SQL (chain_hash).
 */
export function chainInput(previous: string, f: ChainFields): string {
  return [previous, f.streamId, String(f.version), f.eventId, f.type, String(f.schemaVersion), f.data, f.metadata, f.tags, f.recordedMicros].join('\n');
}

export interface IntegrityRow extends ChainFields {
  position: bigint;
  hash: string;
}

export interface IntegrityProblem {
  streamId: string;
  version: number;
  kind: 'hash-mismatch' | 'version-gap' | 'catalogue-mismatch';
  message: string;
}

export interface IntegrityReport {
  ok: boolean;
  streamsChecked: number;
  eventsChecked: number;
  /** The first broken link found, in stream id then version order. */
  problem?: IntegrityProblem;
}

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Walk every stream in id order and version order: versions must run 1..n without a gap,
 * every link must equal the hash recomputed from the stored bytes, and the stream catalogue
 * must agree with the last event. Stops at the first problem.
 */
export async function verifyRows(
  pages: AsyncIterable<IntegrityRow[]>,
  catalogue: (streamId: string) => Promise<{ version: number; lastHash: string | null } | null>,
  onProgress?: (eventsChecked: number) => void,
): Promise<IntegrityReport> {
  let streams = 0;
  let events = 0;
  let current: { streamId: string; version: number; hash: string } | undefined;
  const closeStream = async (): Promise<IntegrityProblem | undefined> => {
    if (!current) return undefined;
    const entry = await catalogue(current.streamId);
    if (entry === null || entry.version !== current.version || (entry.lastHash !== null && entry.lastHash !== current.hash)) {
      return {
        streamId: current.streamId,
        version: current.version,
        kind: 'catalogue-mismatch',
        message: `stream "${current.streamId}" ends at version ${current.version}, but the stream catalogue says ${entry === null ? 'it does not exist' : `version ${entry.version}`}`,
      };
    }
    return undefined;
  };
  for await (const page of pages) {
    for (const row of page) {
      if (current?.streamId !== row.streamId) {
        const problem = await closeStream();
        if (problem) return { ok: false, streamsChecked: streams, eventsChecked: events, problem };
        current = { streamId: row.streamId, version: 0, hash: '' };
        streams++;
      }
      if (row.version !== current.version + 1) {
        return {
          ok: false,
          streamsChecked: streams,
          eventsChecked: events,
          problem: { streamId: row.streamId, version: row.version, kind: 'version-gap', message: `stream "${row.streamId}" jumps from version ${current.version} to ${row.version}` },
        };
      }
      const expected = await sha256(chainInput(current.hash, row));
      if (expected !== row.hash) {
        return {
          ok: false,
          streamsChecked: streams,
          eventsChecked: events,
          problem: {
            streamId: row.streamId,
            version: row.version,
            kind: 'hash-mismatch',
            message: `stream "${row.streamId}" version ${row.version} (position ${row.position}) does not match its hash: the stored event was changed after it was written, or an earlier link was`,
          },
        };
      }
      current = { streamId: row.streamId, version: row.version, hash: row.hash };
      events++;
    }
    onProgress?.(events);
  }
  const problem = await closeStream();
  return problem ? { ok: false, streamsChecked: streams, eventsChecked: events, problem } : { ok: true, streamsChecked: streams, eventsChecked: events };
}
