import type { AllPage, AllPageRequest, AppendRequest, InlineHandler, ListStreamsRequest, QueryPageRequest, StoreBackend, StreamPageRequest } from '../backend.js';
import { matchesQuery } from '../dcb/query.js';
import { conditionFailed } from '../errors.js';
import { resolveDuplicateAppend } from '../duplicate.js';
import { assertExpectedVersion, categoryOf } from '../expected-version.js';
import { Notifier } from '../notifier.js';
import { partitionOf } from '../partition.js';
import { MemoryKeys } from './memory-keys.js';
import { MemorySnapshots } from './memory-snapshots.js';
import type { AppendResult, Position, StoredEvent, StreamInfo } from '../types.js';

/** A stored row keeps JSON text, so every read hands out fresh objects, as a database would. */
interface Row {
  streamId: string;
  version: number;
  position: bigint;
  eventId: string;
  type: string;
  schemaVersion: number;
  dataJson: string;
  metadataJson: string;
  tags: readonly string[];
  recordedAt: number;
}

interface StreamRow {
  positions: number[]; // index in #log per version - 1
  createdAt: number;
  updatedAt: number;
}

/** The in-memory backend: same semantics as the databases, for tests and prototypes. */
export class MemoryBackend implements StoreBackend {
  readonly kind = 'memory';
  readonly wakeups = new Notifier();
  readonly snapshots = new MemorySnapshots();
  readonly keys = new MemoryKeys();
  readonly #log: Row[] = [];
  readonly #streams = new Map<string, StreamRow>();
  readonly #byEventId = new Map<string, Row>();
  #lastMs = 0;

  async migrate(): Promise<void> {}

  async append(request: AppendRequest): Promise<AppendResult> {
    const { streamId, events } = request;
    if (events.some((e) => this.#byEventId.has(e.eventId))) {
      return resolveDuplicateAppend(request, await this.readByEventIds(events.map((e) => e.eventId)));
    }
    const stream = this.#streams.get(streamId);
    const actual = stream?.positions.length ?? 0;
    assertExpectedVersion(streamId, request.expectedVersion, actual);
    if (request.condition) {
      const { query, after } = request.condition;
      for (let i = Number(after); i < this.#log.length; i++) {
        const row = this.#log[i] as Row;
        if (matchesQuery(query, row)) throw conditionFailed(streamId, after, row.position, actual);
      }
    }
    // Recorded times never go backwards, so "as of" reads by time are consistent with version order.
    const now = (this.#lastMs = Math.max(Date.now(), this.#lastMs));
    const target = stream ?? { positions: [], createdAt: now, updatedAt: now };
    let version = actual;
    for (const { recordedAt, ...event } of events) {
      const row: Row = { streamId, version: ++version, position: BigInt(this.#log.length + 1), recordedAt: recordedAt?.getTime() ?? now, ...event };
      target.positions.push(this.#log.length);
      this.#log.push(row);
      this.#byEventId.set(row.eventId, row);
    }
    const lastTime = events.at(-1)?.recordedAt?.getTime();
    if (lastTime !== undefined && stream === undefined) target.createdAt = events[0]?.recordedAt?.getTime() ?? now;
    target.updatedAt = lastTime ?? now;
    this.#streams.set(streamId, target);
    this.wakeups.notify();
    const result = { streamId, version, position: BigInt(this.#log.length) };
    // No transactions in memory: inline projections run right after the append (a throw rejects it, but the events stay).
    if (this.#inline) await this.#inline(this.#log.slice(this.#log.length - events.length).map(decode), undefined);
    return result;
  }

  #inline: InlineHandler | undefined;

  setInlineHandler(handler: InlineHandler): void {
    this.#inline = handler;
  }

  async readStreamPage(request: StreamPageRequest): Promise<StoredEvent[]> {
    const stream = this.#streams.get(request.streamId);
    if (stream === undefined) return [];
    const until = request.until?.getTime();
    const out: StoredEvent[] = [];
    const forward = request.direction === 'forward';
    const top = stream.positions.length;
    let v = forward ? request.fromVersion : Math.min(request.fromVersion, top);
    while (out.length < request.limit && (forward ? v <= Math.min(request.toVersion, top) : v >= request.toVersion)) {
      const row = this.#log[stream.positions[v - 1] as number] as Row;
      if (until === undefined || row.recordedAt <= until) out.push(decode(row));
      v += forward ? 1 : -1;
    }
    return out;
  }

  async readAllPage(request: AllPageRequest): Promise<AllPage> {
    const types = request.types ? new Set(request.types) : undefined;
    const categories = request.categories ? new Set(request.categories) : undefined;
    const events: StoredEvent[] = [];
    for (let i = Number(request.after); i < this.#log.length && events.length < request.limit; i++) {
      const row = this.#log[i] as Row;
      if (types && !types.has(row.type)) continue;
      if (categories && !categories.has(categoryOf(row.streamId))) continue;
      if (!request.includeSystem && row.streamId.startsWith('$')) continue;
      if (request.partition && partitionOf(row.streamId, request.partition.count) !== request.partition.index) continue;
      events.push(decode(row));
    }
    return { events, head: BigInt(this.#log.length) };
  }

  async readQueryPage(request: QueryPageRequest): Promise<AllPage> {
    const events: StoredEvent[] = [];
    for (let i = Number(request.after); i < this.#log.length && events.length < request.limit; i++) {
      const row = this.#log[i] as Row;
      if (matchesQuery(request.query, row)) events.push(decode(row));
    }
    return { events, head: BigInt(this.#log.length) };
  }

  async readByEventIds(eventIds: readonly string[]): Promise<StoredEvent[]> {
    return eventIds.flatMap((id) => {
      const row = this.#byEventId.get(id);
      return row ? [decode(row)] : [];
    });
  }

  async streamInfo(streamId: string): Promise<StreamInfo | null> {
    const stream = this.#streams.get(streamId);
    return stream ? this.#info(streamId, stream) : null;
  }

  async listStreams(request: ListStreamsRequest): Promise<StreamInfo[]> {
    const ids = [...this.#streams.keys()]
      .filter(
        (id) =>
          (request.prefix === undefined || id.startsWith(request.prefix)) &&
          (request.category === undefined || categoryOf(id) === request.category) &&
          (request.afterStreamId === undefined || id > request.afterStreamId) &&
          (request.includeSystem || !id.startsWith('$')),
      )
      .sort()
      .slice(0, request.limit);
    return ids.map((id) => this.#info(id, this.#streams.get(id) as StreamRow));
  }

  async headPosition(): Promise<Position> {
    return BigInt(this.#log.length);
  }

  async close(): Promise<void> {
    this.wakeups.close();
  }

  #info(streamId: string, stream: StreamRow): StreamInfo {
    const last = this.#log[stream.positions.at(-1) as number] as Row;
    return {
      streamId,
      category: categoryOf(streamId),
      version: stream.positions.length,
      position: last.position,
      createdAt: new Date(stream.createdAt),
      updatedAt: new Date(stream.updatedAt),
    };
  }
}

function decode(row: Row): StoredEvent {
  return {
    streamId: row.streamId,
    version: row.version,
    position: row.position,
    eventId: row.eventId,
    type: row.type,
    schemaVersion: row.schemaVersion,
    data: JSON.parse(row.dataJson) as unknown,
    metadata: JSON.parse(row.metadataJson) as StoredEvent['metadata'],
    tags: row.tags,
    recordedAt: new Date(row.recordedAt),
  };
}
