import { type AppendRequest, type AppendResult, ConcurrencyError, type ExpectedVersion } from '@cairn/core';
import { textArrayLiteral } from './rows.js';

/** Most appends in one group; bounds one round trip's size and the latency it adds. */
const MAX_GROUP = 64;

interface Pending {
  request: AppendRequest;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

export type GroupOutcome =
  | { kind: 'ok'; version: number; position: bigint }
  | { kind: 'conflict'; actual: number }
  | { kind: 'duplicate' };

export function encodeExpected(expected: ExpectedVersion): number {
  if (typeof expected === 'number') return expected;
  return expected === 'any' ? -1 : expected === 'no-stream' ? -2 : -3;
}

/**
 * The JSON `append_group` reads. Event data and metadata are already JSON text, so they are
 * spliced in as they are instead of being parsed and serialised again.
 */
export function groupJson(requests: readonly AppendRequest[]): string {
  const parts = requests.map((r) => {
    const s = JSON.stringify;
    const tags = r.events.some((e) => e.tags.length > 0) ? `,"tags":[${r.events.map((e) => (e.tags.length > 0 ? s(textArrayLiteral(e.tags)) : 'null')).join(',')}]` : '';
    const at = r.events[0]?.recordedAt ? `,"at":[${r.events.map((e) => s((e.recordedAt as Date).toISOString())).join(',')}]` : '';
    return (
      `{"stream":${s(r.streamId)},"expected":${encodeExpected(r.expectedVersion)},` +
      `"ids":[${r.events.map((e) => s(e.eventId)).join(',')}],"types":[${r.events.map((e) => s(e.type)).join(',')}],` +
      `"sv":[${r.events.map((e) => e.schemaVersion).join(',')}],"data":[${r.events.map((e) => e.dataJson).join(',')}],` +
      `"meta":[${r.events.map((e) => e.metadataJson).join(',')}]${tags}${at}}`
    );
  });
  return `[${parts.join(',')}]`;
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
    private readonly group: (requests: AppendRequest[]) => Promise<GroupOutcome[]>,
    private readonly duplicate: (request: AppendRequest) => Promise<AppendResult>,
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
            const outcome = outcomes[i];
            if (outcome?.kind === 'ok') p.resolve({ streamId: p.request.streamId, version: outcome.version, position: outcome.position });
            else if (outcome?.kind === 'conflict') p.reject(new ConcurrencyError(p.request.streamId, p.request.expectedVersion, outcome.actual));
            else this.duplicate(p.request).then(p.resolve, p.reject);
          });
        },
        (error: unknown) => {
          for (const p of batch) p.reject(error);
        },
      );
    }
  }
}
