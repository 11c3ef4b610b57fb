import type { StoreInternals } from '../create-event-store.js';
import type { EventStore } from '../event-store.js';
import type { Lease, SqlAccess, SqlExecutor } from '../sql.js';
import type { StoredEvent } from '../types.js';
import { dispatch, generationTable, projectionTypes, wants } from './dispatch.js';
import type { CheckpointKey, ProjectionStateStore } from './state-store.js';
import type { Projection, ProjectionContext } from './types.js';

export interface WorkerSettings {
  batchSize: number;
  maxAttempts: number;
  retryDelayMs: number;
  maxRetryDelayMs: number;
  pollIntervalMs: number;
}

/** Another runner moved the checkpoint: this one no longer owns the work. */
class CheckpointMoved extends Error {}

/**
 * Runs one projection generation for one partition: reads pages after its checkpoint and
 * applies each page in one transaction together with the checkpoint (SQL stores), so a crash
 * neither skips nor repeats an event's effect. A failing page is retried event by event; an
 * event that keeps failing is parked as a dead letter and the checkpoint moves past it.
 */
export class ProjectionWorker {
  readonly key: CheckpointKey;
  /** Position up to which events have been handled (persisted or about to be). */
  cursor = 0n;
  /** The checkpoint as stored: the "from" of the next compare-and-set. */
  #persisted = 0n;
  lastError: string | undefined;
  /** The loop ended on an error (e.g. another runner moved the checkpoint): the runner replaces this worker. */
  failed = false;
  #stopping = false;
  #stopped: Promise<void> | undefined;
  #paused = false;
  readonly #types: readonly string[] | undefined;
  /** The store's SQL access when handlers run in transactions; undefined for at-least-once projections. */
  private readonly sql: SqlAccess | undefined;

  constructor(
    readonly projection: Projection,
    readonly generation: number,
    readonly partition: number,
    readonly partitions: number,
    private readonly store: EventStore,
    private readonly internals: StoreInternals,
    private readonly state: ProjectionStateStore,
    private readonly storeSql: SqlAccess | undefined,
    readonly lease: Lease,
    private readonly settings: WorkerSettings,
  ) {
    this.key = { name: projection.name, generation, partition };
    this.sql = projection.transactional === false ? undefined : storeSql;
    this.#types = projectionTypes(projection);
  }

  get running(): boolean {
    return this.#stopped !== undefined && !this.#stopping;
  }

  setPaused(paused: boolean): void {
    this.#paused = paused;
  }

  start(start: bigint): void {
    this.#stopped = this.#loop(start).catch((error: unknown) => {
      this.lastError = (error as Error)?.message ?? String(error);
      this.failed = true;
    });
  }

  /** Finish the batch in hand, then stop and release the lease. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#wake?.();
    await this.#stopped;
    await this.lease.release().catch(() => undefined);
  }

  #wake: (() => void) | undefined;

  async #loop(start: bigint): Promise<void> {
    await this.state.ensureCheckpoint(this.key, start);
    this.cursor = this.#persisted = (await this.state.checkpoint(this.key)) ?? start;
    const { backend } = this.internals;
    const filter = {
      includeSystem: false,
      ...(this.#types ? { types: this.#types } : {}),
      ...(this.projection.categories ? { categories: this.projection.categories } : {}),
      ...(this.partitions > 1 ? { partition: { count: this.partitions, index: this.partition } } : {}),
    };
    let persistedAt = Date.now();
    let knownHead = 0n;
    while (!this.#stopping && !this.lease.lost) {
      if (this.#paused) {
        await this.#sleep(this.settings.pollIntervalMs);
        continue;
      }
      const seq = backend.wakeups.seq;
      const page = await backend.readAllPage({ after: this.cursor, limit: this.settings.batchSize, ...filter, ...(knownHead > this.cursor ? { knownHead } : {}) });
      if (page.head > knownHead) knownHead = page.head;
      const decoded = await Promise.all(page.events.map((e) => this.internals.decode(e)));
      const events = decoded.filter((e) => wants(this.projection, this.#types, e));
      if (page.events.length > 0) {
        const last = page.events.at(-1) as StoredEvent;
        await this.#apply(events, last.position);
        persistedAt = Date.now();
      }
      if (page.events.length < this.settings.batchSize) {
        // Nothing more up to head: skip past non-matching events, and persist that now and then.
        if (page.head > this.cursor) this.cursor = page.head;
        if (this.cursor > this.#persisted && (this.cursor - this.#persisted >= 1000n || Date.now() - persistedAt >= 1000)) {
          await this.#transaction((tx) => this.#advance(this.cursor, tx));
          persistedAt = Date.now();
        }
        await Promise.race([backend.wakeups.wait(seq, this.settings.pollIntervalMs), new Promise<void>((r) => (this.#wake = r))]);
      }
    }
    if (this.cursor > this.#persisted && !this.lease.lost) await this.#transaction((tx) => this.#advance(this.cursor, tx)).catch(() => undefined);
  }

  async #apply(events: StoredEvent[], upTo: bigint): Promise<void> {
    if (this.sql === undefined) {
      // No transaction around the handlers (memory store, or a non-transactional projection):
      // at-least-once, and the checkpoint moves once per page.
      for (const event of events) await this.#applyOne(event, false);
      await this.#transaction((tx) => this.#advance(upTo, tx));
      this.cursor = upTo;
      return;
    }
    try {
      await this.#transaction(async (tx) => {
        for (const event of events) await dispatch(this.projection, event, this.#context(tx));
        await this.#advance(upTo, tx);
      });
      this.cursor = upTo;
      this.lastError = undefined;
    } catch (error) {
      if (error instanceof CheckpointMoved) throw error;
      // Find the event that fails, handling the others one by one.
      for (const event of events) await this.#applyOne(event);
      if (this.cursor < upTo) {
        await this.#transaction((tx) => this.#advance(upTo, tx));
        this.cursor = upTo;
      }
    }
  }

  /** Handle one event with retries; park it when it keeps failing. `checkpoint`: move the checkpoint with it. */
  async #applyOne(event: StoredEvent, checkpoint = true): Promise<void> {
    let lastError: unknown;
    for (let attempt = 1; attempt <= this.settings.maxAttempts; attempt++) {
      try {
        await this.#transaction(async (tx) => {
          await dispatch(this.projection, event, this.#context(tx));
          if (checkpoint) await this.#advance(event.position, tx);
        });
        if (checkpoint) this.cursor = event.position;
        return;
      } catch (error) {
        if (error instanceof CheckpointMoved) throw error;
        lastError = error;
        this.lastError = `${event.type} at ${event.position}: ${(error as Error)?.message ?? String(error)}`;
        if (attempt < this.settings.maxAttempts) {
          await this.#sleep(Math.min(this.settings.maxRetryDelayMs, this.settings.retryDelayMs * 2 ** (attempt - 1)));
          if (this.#stopping || this.lease.lost) throw new CheckpointMoved('stopped while retrying');
        }
      }
    }
    // Park it: the dead letter and the checkpoint move together, so it is neither lost nor applied.
    await this.#transaction(async (tx) => {
      await this.state.park(
        {
          projection: this.projection.name,
          generation: this.generation,
          partition: this.partition,
          position: event.position,
          eventId: event.eventId,
          streamId: event.streamId,
          type: event.type,
          error: (lastError as Error)?.stack ?? String(lastError),
          attempts: this.settings.maxAttempts,
        },
        tx,
      );
      if (checkpoint) await this.#advance(event.position, tx);
    });
    if (checkpoint) this.cursor = event.position;
  }

  /** Compare-and-set the stored checkpoint; a stale "from" means another runner owns the work now. */
  async #advance(to: bigint, tx: SqlExecutor | undefined): Promise<void> {
    if (to <= this.#persisted) return;
    if (!(await this.state.advance(this.key, this.#persisted, to, tx))) throw new CheckpointMoved('checkpoint moved by another runner');
    this.#staged = to;
  }

  /** The checkpoint written in the transaction in progress, stored once it commits. */
  #staged: bigint | undefined;

  async #transaction<T>(fn: (tx: SqlExecutor | undefined) => Promise<T>): Promise<T> {
    this.#staged = undefined;
    try {
      const result = await (this.sql ? this.sql.transaction(fn) : fn(undefined));
      if (this.#staged !== undefined) this.#persisted = this.#staged;
      return result;
    } finally {
      this.#staged = undefined;
    }
  }

  #context(tx: SqlExecutor | undefined): ProjectionContext {
    return { sql: tx ?? this.storeSql, generation: this.generation, table: (base) => generationTable(base, this.generation), store: this.store };
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
