import { type AppendRequest, type AppendResult, ConcurrencyError, type ExpectedVersion } from '@cairn/core';
import { textArrayLiteral } from './rows.js';

/** Most appends in one group; bounds one round trip's size and the latency it adds. */
const MAX_GROUP = 64;

interface Pending {
  request: AppendRequest;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

export type GroupOutcome = { kind: 'ok'; version: number; position: bigint } | { kind: 'conflict'; actual: number } | { kind: 'duplicate' };

export function encodeExpected(expected: ExpectedVersion): number {
  if (typeof expected === 'number') return expected;
  return expected === 'any' ? -1 : expected === 'no-stream' ? -2 : -3;
}

/** The flat array parameters of `append_group`: one entry per append, then one per event. */
export function groupParams(requests: readonly AppendRequest[]): unknown[] {
  const streams: string[] = [];
  const expected: number[] = [];
  const counts: number[] = [];
  const ids: string[] = [];
  const types: string[] = [];
  const versions: number[] = [];
  const data: string[] = [];
  const metadata: string[] = [];
  const tags: Array<string | null> = [];
  const at: Array<Date | null> = [];
  let anyTags = false;
  let anyTime = false;
  for (const r of requests) {
    streams.push(r.streamId);
    expected.push(encodeExpected(r.expectedVersion));
    counts.push(r.events.length);
    for (const e of r.events) {
      ids.push(e.eventId);
      types.push(e.type);
      versions.push(e.schemaVersion);
      data.push(e.dataJson);
      metadata.push(e.metadataJson);
      tags.push(e.tags.length > 0 ? textArrayLiteral(e.tags) : null);
      at.push(e.recordedAt ?? null);
      anyTags ||= e.tags.length > 0;
      anyTime ||= e.recordedAt !== undefined;
    }
  }
  return [streams, expected, counts, ids, types, versions, data, metadata, anyTags ? tags : null, anyTime ? at : null];
}

/**
 * Group commit for PostgreSQL: appends issued in the same turn of the event loop go to the
 * server in one `append_group` call — one transaction, one allocation, one commit (one WAL
 * flush) — and each keeps its own outcome. A lone append takes the single-append path.
 */
export class GroupCommit {
  #pending: Pending[] = [];
  #scheduled = false;

  constructor(
    private readonly single: (request: AppendRequest) => Promise<AppendResult>,
    /** Resolves to undefined when the group must be sent one by one (a retry or a race inside it). */
    private readonly group: (requests: AppendRequest[]) => Promise<GroupOutcome[] | undefined>,
  ) {}

  enqueue(request: AppendRequest): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ request, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#scheduled = false;
    while (this.#pending.length > 0) {
      const batch = this.#pending.splice(0, MAX_GROUP);
      if (batch.length === 1) {
        const [p] = batch as [Pending];
        this.single(p.request).then(p.resolve, p.reject);
        continue;
      }
      this.group(batch.map((p) => p.request)).then(
        (outcomes) => {
          batch.forEach((p, i) => {
            const outcome = outcomes?.[i];
            if (outcome?.kind === 'ok') p.resolve({ streamId: p.request.streamId, version: outcome.version, position: outcome.position });
            else if (outcome?.kind === 'conflict') p.reject(new ConcurrencyError(p.request.streamId, p.request.expectedVersion, outcome.actual));
            // A retry (duplicate) or a group that could not settle: the single path answers it.
            else this.single(p.request).then(p.resolve, p.reject);
          });
        },
        (error: unknown) => {
          for (const p of batch) p.reject(error);
        },
      );
    }
  }
}
