import { type StoreInternals, storeInternals } from '../create-event-store.js';
import { InvalidArgumentError, StoreUnavailableError } from '../errors.js';
import type { EventStore } from '../event-store.js';
import type { Lease, SqlAccess } from '../sql.js';
import { dispatch, generationTable, projectionTypes } from './dispatch.js';
import { tryLocalLease } from './local-leases.js';
import { MemoryProjectionState, type ProjectionStateStore, SqlProjectionState } from './state-store.js';
import type { DeadLetter, GenerationState, Projection, ProjectionReport } from './types.js';
import { ProjectionWorker, type WorkerSettings } from './worker.js';

export interface ProjectionRunnerOptions {
  store: EventStore;
  projections: readonly Projection[];
  /** Events per transaction. Default 200. */
  batchSize?: number;
  /** Handler attempts before an event is parked as a dead letter. Default 5. */
  maxAttempts?: number;
  /** First retry delay in ms, doubling up to `maxRetryDelayMs`. Defaults 50 and 2,000. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Safety-net poll when no wake-up arrives. Default 1,000 ms. */
  pollIntervalMs?: number;
  /** How often leases, partitions, rebuilds and pauses are looked at. Default 500 ms. */
  superviseMs?: number;
  /** Names this process among the runners (for partition sharing). Default: random. */
  nodeId?: string;
}

export interface ProjectionRunner {
  start(): Promise<void>;
  /** Finish the batches in hand, release the leases, stop. */
  stop(): Promise<void>;
  pause(name: string): Promise<void>;
  resume(name: string): Promise<void>;
  /** Build a new generation beside the live one; it takes over once caught up. Returns its number. */
  rebuild(name: string): Promise<number>;
  status(): Promise<ProjectionReport[]>;
  deadLetters(filter?: { name?: string; status?: DeadLetter['status'] }): Promise<DeadLetter[]>;
  /** Run a parked event through its projection again (after a fix); marks it replayed. */
  replayDeadLetter(id: string): Promise<void>;
  skipDeadLetter(id: string): Promise<void>;
  /** The live generation's table for a base name (`account_summaries` → `account_summaries_g2`). */
  liveTable(name: string, base: string): Promise<string>;
  /** Resolve once every projection running here has handled everything up to the current head. */
  idle(timeoutMs?: number): Promise<void>;
}

interface Slot {
  worker: ProjectionWorker;
}

/**
 * Runs async projections: catch-up from checkpoints, then live; one active runner per
 * projection (or partition) across processes through leases; rebuilds beside the live
 * generation; retries, dead letters, pause/resume and lag.
 *
 * @example
 * const runner = createProjectionRunner({ store, projections: [accountSummaries] });
 * await runner.start();
 * // … on shutdown:
 * await runner.stop();
 */
export function createProjectionRunner(options: ProjectionRunnerOptions): ProjectionRunner {
  return new Runner(options);
}

class Runner implements ProjectionRunner {
  readonly #store: EventStore;
  readonly #internals: StoreInternals;
  readonly #sql: SqlAccess | undefined;
  readonly #state: ProjectionStateStore;
  readonly #definitions = new Map<string, Projection>();
  readonly #settings: WorkerSettings;
  readonly #superviseMs: number;
  readonly #nodeId: string;
  readonly #slots = new Map<string, Slot>();
  #timer: NodeJS.Timeout | undefined;
  #ticking: Promise<void> = Promise.resolve();
  #started = false;
  #stopping = false;

  constructor(options: ProjectionRunnerOptions) {
    this.#store = options.store;
    this.#internals = storeInternals(options.store);
    this.#sql = this.#internals.backend.sql;
    this.#state = stateFor(this.#internals, this.#sql);
    for (const p of options.projections) {
      if (typeof p?.name !== 'string' || !/^[a-z][a-z0-9_]{0,40}$/.test(p.name)) {
        throw new InvalidArgumentError('projection.name', `"${String(p?.name)}" must be lower-case letters, digits and _ (it names tables)`);
      }
      // Table names go into SQL text (CREATE TABLE, a view per generation): identifiers only.
      for (const table of p.tables ?? []) {
        if (typeof table !== 'string' || !/^[a-z][a-z0-9_]{0,40}$/.test(table)) {
          throw new InvalidArgumentError(`projection ${p.name}: tables`, `"${String(table)}" must be lower-case letters, digits and _ (it names a table)`);
        }
      }
      if (!p.handle && !p.handlers) throw new InvalidArgumentError(`projection ${p.name}`, 'needs handlers or handle');
      if (this.#definitions.has(p.name)) throw new InvalidArgumentError('projections', `two projections are named ${p.name}`);
      this.#definitions.set(p.name, p);
    }
    this.#settings = {
      batchSize: options.batchSize ?? 200,
      maxAttempts: options.maxAttempts ?? 5,
      retryDelayMs: options.retryDelayMs ?? 50,
      maxRetryDelayMs: options.maxRetryDelayMs ?? 2000,
      pollIntervalMs: options.pollIntervalMs ?? 1000,
    };
    this.#superviseMs = options.superviseMs ?? 500;
    this.#nodeId = options.nodeId ?? `node-${crypto.randomUUID().slice(0, 8)}`;
  }

  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    await this.#internals.ready();
    for (const p of this.#definitions.values()) await this.#register(p);
    await this.#supervise();
    this.#timer = setInterval(() => {
      this.#ticking = this.#ticking.then(() => this.#supervise()).catch(() => undefined);
    }, this.#superviseMs);
    this.#timer.unref();
    // Heartbeats on their own timer: a supervision round waiting for a slow batch to finish
    // must not make this runner look dead to the others (they would take its partitions).
    this.#heartbeat = setInterval(() => {
      if (this.#beating) return;
      this.#beating = true;
      void Promise.all([...this.#definitions.keys()].map((name) => this.#state.heartbeat(this.#nodeId, name, this.#superviseMs * 6)))
        .catch(() => undefined)
        .finally(() => (this.#beating = false));
    }, this.#superviseMs);
    this.#heartbeat.unref();
  }

  #heartbeat: NodeJS.Timeout | undefined;
  #beating = false;

  async stop(): Promise<void> {
    this.#stopping = true;
    if (this.#timer) clearInterval(this.#timer);
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    await this.#ticking;
    await Promise.all([...this.#slots.values()].map((s) => s.worker.stop()));
    this.#slots.clear();
    await this.#state.leave(this.#nodeId).catch(() => undefined);
  }

  /** Make sure the registry has a generation for this definition version. */
  async #register(p: Projection): Promise<void> {
    const version = p.version ?? 1;
    const partitions = p.partitions ?? 1;
    // Runners starting together would race to create the same tables and views, and
    // PostgreSQL's CREATE … IF NOT EXISTS fails (unique violation on pg_type) when another
    // session creates the same name at that moment: register one runner at a time.
    const lease = await this.#awaitLease(`register:${p.name}`);
    try {
      const gens = await this.#state.generations(p.name);
      if (!gens.some((g) => g.definitionVersion === version && g.status !== 'retired')) {
        const live = gens.find((g) => g.status === 'live');
        const next = (gens.at(-1)?.generation ?? 0) + 1;
        // The first generation is live at once (there is nothing else to serve); later ones build beside it.
        await this.#state.createGeneration({ name: p.name, generation: next, definitionVersion: version, status: live ? 'building' : 'live', partitions, paused: false, filter: filterOf(p) });
        if (!live) await this.#switchViews(p, next);
      }
      for (const g of await this.#state.generations(p.name)) if (g.definitionVersion === version && g.status !== 'retired') await this.#setup(p, g.generation);
    } finally {
      await lease.release();
    }
  }

  /** Take a lease, waiting while another runner holds it (registration holds it for moments). */
  async #awaitLease(key: string, timeoutMs = 30_000): Promise<Lease> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const lease = await this.#lease(key);
      if (lease !== null) return lease;
      if (Date.now() > deadline) throw new StoreUnavailableError(`Projection runner: the lease "${key}" stayed taken for ${timeoutMs} ms; is another runner stuck starting?`);
      await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 30));
    }
  }

  /** One supervision round: leases, partitions, pauses, rebuild switches, retired generations. */
  async #supervise(): Promise<void> {
    if (this.#stopping) return;
    for (const p of this.#definitions.values()) {
      const gens = await this.#state.generations(p.name);
      const mine = gens.filter((g) => g.definitionVersion === (p.version ?? 1) && g.status !== 'retired');
      const alive = await this.#state.heartbeat(this.#nodeId, p.name, this.#superviseMs * 6);
      for (const g of gens) if (g.status === 'retired') await this.#stopGeneration(p.name, g.generation);
      for (const g of mine) {
        await this.#setup(p, g.generation);
        await this.#balance(p, g, alive);
        for (const slot of this.#slotsOf(p.name, g.generation)) slot.worker.setPaused(g.paused);
        if (g.status === 'building') await this.#maybeSwitch(p, g, gens);
      }
      for (const l of await this.#state.deadLetters({ name: p.name, status: 'replay-requested' })) {
        await this.replayDeadLetter(l.id).catch(async (error: unknown) => {
          await this.#state.setDeadLetterStatus(l.id, 'parked');
          this.#replayErrors.set(l.id, (error as Error)?.message ?? String(error));
        });
      }
    }
  }

  readonly #replayErrors = new Map<string, string>();

  readonly #setupDone = new Set<string>();

  async #setup(p: Projection, generation: number): Promise<void> {
    const k = `${p.name}/${generation}`;
    if (this.#setupDone.has(k)) return;
    await p.setup?.({ sql: this.#sql, generation, table: (base) => generationTable(base, generation) });
    this.#setupDone.add(k);
  }

  /** Hold about partitions / alive runners of the partitions; release extras so others can take them. */
  async #balance(p: Projection, g: GenerationState, alive: number): Promise<void> {
    const target = Math.ceil(g.partitions / Math.max(1, alive));
    const held = this.#slotsOf(p.name, g.generation);
    for (const slot of held) if (slot.worker.lease.lost || slot.worker.failed) await this.#drop(slot);
    let count = this.#slotsOf(p.name, g.generation).length;
    while (count > target) {
      const last = this.#slotsOf(p.name, g.generation).at(-1) as Slot;
      await this.#drop(last);
      count--;
    }
    for (let partition = 0; partition < g.partitions && count < target; partition++) {
      const key = slotKey(p.name, g.generation, partition);
      if (this.#slots.has(key)) continue;
      const lease = await this.#lease(`projection:${key}`);
      if (lease === null) continue;
      const start = p.startFrom === 'now' && g.generation === 1 ? await this.#store.headPosition() : 0n;
      const worker = new ProjectionWorker(p, g.generation, partition, g.partitions, this.#store, this.#internals, this.#state, this.#sql, lease, this.#settings);
      worker.setPaused(g.paused);
      this.#slots.set(key, { worker });
      worker.start(start);
      count++;
    }
  }

  async #drop(slot: Slot): Promise<void> {
    const w = slot.worker;
    this.#slots.delete(slotKey(w.projection.name, w.generation, w.partition));
    await w.stop();
  }

  async #stopGeneration(name: string, generation: number): Promise<void> {
    for (const slot of this.#slotsOf(name, generation)) await this.#drop(slot);
  }

  #slotsOf(name: string, generation: number): Slot[] {
    return [...this.#slots.values()]
      .filter((s) => s.worker.projection.name === name && s.worker.generation === generation)
      .sort((a, b) => a.worker.partition - b.worker.partition);
  }

  #lease(key: string): Promise<Lease | null> {
    return this.#sql ? this.#sql.tryLease(key) : tryLocalLease(this.#internals.backend, key);
  }

  /** A building generation takes over once all its partitions have caught up with the head. */
  async #maybeSwitch(p: Projection, g: GenerationState, gens: GenerationState[]): Promise<void> {
    const head = await this.#store.headPosition();
    for (let partition = 0; partition < g.partitions; partition++) {
      const cp = await this.#state.checkpoint({ name: p.name, generation: g.generation, partition });
      if (cp === null || cp < head) return;
    }
    const lease = await this.#lease(`switch:${p.name}`);
    if (lease === null) return;
    try {
      const live = gens.filter((x) => x.status === 'live');
      await this.#transaction(async (tx) => {
        for (const old of live) await this.#state.setStatus(p.name, old.generation, 'retired', tx);
        await this.#state.setStatus(p.name, g.generation, 'live', tx);
      });
      await this.#switchViews(p, g.generation);
      for (const old of live) {
        await this.#stopGeneration(p.name, old.generation);
        await this.#teardown(p, old.generation);
      }
    } finally {
      await lease.release();
    }
  }

  async #switchViews(p: Projection, generation: number): Promise<void> {
    const sql = this.#sql;
    if (!sql || !p.tables?.length) return;
    await this.#setup(p, generation);
    await sql.transaction(async (tx) => {
      for (const base of p.tables ?? []) {
        if (sql.dialect === 'postgres') {
          await tx.query(`DROP VIEW IF EXISTS ${base}`);
          await tx.query(`CREATE VIEW ${base} AS SELECT * FROM ${generationTable(base, generation)}`);
        } else {
          await tx.query(`DROP VIEW IF EXISTS ${base}`);
          await tx.query(`CREATE VIEW ${base} AS SELECT * FROM ${generationTable(base, generation)}`);
        }
      }
    });
  }

  async #teardown(p: Projection, generation: number): Promise<void> {
    const ctx = { sql: this.#sql, generation, table: (base: string) => generationTable(base, generation) };
    if (p.teardown) await p.teardown(ctx);
    else if (this.#sql) for (const base of p.tables ?? []) await this.#sql.query(`DROP TABLE IF EXISTS ${generationTable(base, generation)}`);
  }

  #transaction(fn: (tx: Parameters<Parameters<SqlAccess['transaction']>[0]>[0] | undefined) => Promise<void>): Promise<void> {
    return this.#sql ? this.#sql.transaction(fn) : fn(undefined);
  }

  async pause(name: string): Promise<void> {
    this.#known(name);
    await this.#state.setPaused(name, true);
    for (const s of this.#slots.values()) if (s.worker.projection.name === name) s.worker.setPaused(true);
  }

  async resume(name: string): Promise<void> {
    this.#known(name);
    await this.#state.setPaused(name, false);
    for (const s of this.#slots.values()) if (s.worker.projection.name === name) s.worker.setPaused(false);
  }

  async rebuild(name: string): Promise<number> {
    const p = this.#known(name);
    const gens = await this.#state.generations(name);
    const building = gens.find((g) => g.status === 'building');
    if (building) return building.generation;
    const next = (gens.at(-1)?.generation ?? 0) + 1;
    await this.#state.createGeneration({ name, generation: next, definitionVersion: p.version ?? 1, status: 'building', partitions: p.partitions ?? 1, paused: false, filter: filterOf(p) });
    this.#ticking = this.#ticking.then(() => this.#supervise()).catch(() => undefined);
    await this.#ticking;
    return next;
  }

  async status(): Promise<ProjectionReport[]> {
    return projectionStatus(this.#store, this.#state, [...this.#definitions.values()], (name, generation) =>
      this.#slotsOf(name, generation).map((s) => s.worker.partition),
    );
  }

  deadLetters(filter?: { name?: string; status?: DeadLetter['status'] }): Promise<DeadLetter[]> {
    return this.#state.deadLetters(filter);
  }

  async replayDeadLetter(id: string): Promise<void> {
    const letter = await this.#state.deadLetter(id);
    if (letter === null) throw new InvalidArgumentError('id', `no dead letter ${id}`);
    const p = this.#known(letter.projection);
    const event = await this.#store.readEvent(letter.eventId);
    if (event === null) throw new InvalidArgumentError('id', `the event ${letter.eventId} of dead letter ${id} is gone`);
    await this.#transaction(async (tx) => {
      await dispatch(p, event, { sql: tx, generation: letter.generation, table: (base) => generationTable(base, letter.generation), store: this.#store });
      await this.#state.setDeadLetterStatus(id, 'replayed', tx);
    });
  }

  async skipDeadLetter(id: string): Promise<void> {
    if ((await this.#state.deadLetter(id)) === null) throw new InvalidArgumentError('id', `no dead letter ${id}`);
    await this.#state.setDeadLetterStatus(id, 'skipped');
  }

  async liveTable(name: string, base: string): Promise<string> {
    const live = (await this.#state.generations(name)).find((g) => g.status === 'live');
    return generationTable(base, live?.generation ?? 1);
  }

  async idle(timeoutMs = 30_000): Promise<void> {
    const head = await this.#store.headPosition();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const workers = [...this.#slots.values()].map((s) => s.worker);
      if (workers.length > 0 && workers.every((w) => w.cursor >= head)) return;
      if (Date.now() > deadline) {
        const behind = workers.filter((w) => w.cursor < head).map((w) => `${w.projection.name}#${w.generation}/${w.partition} at ${w.cursor}: ${w.lastError ?? 'working'}`);
        throw new Error(`projections not idle after ${timeoutMs} ms (head ${head}): ${behind.join('; ') || 'no workers running here'}`);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  #known(name: string): Projection {
    const p = this.#definitions.get(name);
    if (p === undefined) throw new InvalidArgumentError('name', `no projection named "${name}" runs here (known: ${[...this.#definitions.keys()].join(', ') || 'none'})`);
    return p;
  }
}

function slotKey(name: string, generation: number, partition: number): string {
  return `${name}#${generation}/${partition}`;
}

/** Projection bookkeeping for a store: in its database when it has one, else in memory (one per store). */
const memoryStates = new WeakMap<StoreInternals['backend'], MemoryProjectionState>();
export function stateFor(internals: StoreInternals, sql: SqlAccess | undefined): ProjectionStateStore {
  if (sql) return new SqlProjectionState(sql);
  let state = memoryStates.get(internals.backend);
  if (!state) memoryStates.set(internals.backend, (state = new MemoryProjectionState()));
  return state;
}

/** Status and lag of every generation of the given projections (also usable without a runner). */
export async function projectionStatus(
  store: EventStore,
  state: ProjectionStateStore,
  definitions: readonly Pick<Projection, 'name' | 'types' | 'handlers' | 'handle' | 'categories'>[] | undefined,
  runningHere: (name: string, generation: number) => number[] = () => [],
): Promise<ProjectionReport[]> {
  const head = await store.headPosition();
  const gens = await state.allGenerations();
  const letters = await state.deadLetters({ status: 'parked' });
  const reports: ProjectionReport[] = [];
  for (const g of gens) {
    if (g.status === 'retired') continue;
    const def = definitions?.find((d) => d.name === g.name);
    let position: bigint | undefined;
    for (let partition = 0; partition < g.partitions; partition++) {
      const cp = (await state.checkpoint({ name: g.name, generation: g.generation, partition })) ?? 0n;
      position = position === undefined || cp < position ? cp : position;
    }
    const from = position ?? 0n;
    const stored = g.filter;
    const types = def ? projectionTypes(def as Projection) : stored?.types;
    const categories = def ? def.categories : stored?.categories;
    let eventsBehind = 0;
    let oldest: Date | undefined;
    const { backend } = storeInternals(store);
    for (let partition = 0; partition < g.partitions; partition++) {
      let cursor = (await state.checkpoint({ name: g.name, generation: g.generation, partition })) ?? 0n;
      // Count what this partition still has to do, up to a cap: status must stay cheap.
      while (eventsBehind < 100_000) {
        const page = await backend.readAllPage({
          after: cursor,
          limit: 1000,
          includeSystem: false,
          ...(types ? { types } : {}),
          ...(categories ? { categories } : {}),
          ...(g.partitions > 1 ? { partition: { count: g.partitions, index: partition } } : {}),
        });
        const first = page.events[0];
        if (first && (oldest === undefined || first.recordedAt < oldest)) oldest = first.recordedAt;
        eventsBehind += page.events.length;
        const last = page.events.at(-1);
        if (last === undefined || page.events.length < 1000) break;
        cursor = last.position;
      }
    }
    reports.push({
      ...g,
      position: from,
      head,
      eventsBehind,
      secondsBehind: oldest ? Math.max(0, (Date.now() - oldest.getTime()) / 1000) : 0,
      runningHere: runningHere(g.name, g.generation),
      deadLetters: letters.filter((l) => l.projection === g.name && l.generation === g.generation).length,
      progress: head === 0n ? 1 : Math.min(1, Number(from) / Number(head)),
    });
  }
  return reports;
}

/** What a projection reads, kept in the registry for status reports made without its code. */
function filterOf(p: Projection): GenerationState['filter'] {
  const types = projectionTypes(p);
  return { ...(types ? { types } : {}), ...(p.categories ? { categories: p.categories } : {}) };
}
