import type { SqlAccess, SqlExecutor } from '../sql.js';
import type { DeadLetter, GenerationState, ProjectionStatus } from './types.js';

export interface CheckpointKey {
  name: string;
  generation: number;
  partition: number;
}

export type NewDeadLetter = Omit<DeadLetter, 'id' | 'status' | 'createdAt' | 'updatedAt'>;

/**
 * Where projections keep their bookkeeping: generations, checkpoints, dead letters, and the
 * runners alive. On SQL stores it lives in the store's database, so a checkpoint can be
 * written in the same transaction as the read model (`tx`).
 */
export interface ProjectionStateStore {
  generations(name: string): Promise<GenerationState[]>;
  allGenerations(): Promise<GenerationState[]>;
  createGeneration(state: GenerationState): Promise<void>;
  setStatus(name: string, generation: number, status: ProjectionStatus, tx?: SqlExecutor): Promise<void>;
  setPaused(name: string, paused: boolean): Promise<void>;
  ensureCheckpoint(key: CheckpointKey, start: bigint): Promise<void>;
  checkpoint(key: CheckpointKey): Promise<bigint | null>;
  /** Move a checkpoint from `from` to `to`; false when it was not at `from` (another runner moved it). */
  advance(key: CheckpointKey, from: bigint, to: bigint, tx?: SqlExecutor): Promise<boolean>;
  park(letter: NewDeadLetter, tx?: SqlExecutor): Promise<void>;
  deadLetters(filter?: { name?: string; status?: DeadLetter['status'] }): Promise<DeadLetter[]>;
  deadLetter(id: string): Promise<DeadLetter | null>;
  setDeadLetterStatus(id: string, status: DeadLetter['status'], tx?: SqlExecutor): Promise<void>;
  /** Record that `nodeId` runs `name`; returns how many runners of it are alive. */
  heartbeat(nodeId: string, name: string, aliveWithinMs: number): Promise<number>;
  leave(nodeId: string): Promise<void>;
}

interface GenerationRow {
  name: string;
  generation: number | string;
  definition_version: number | string;
  status: ProjectionStatus;
  partitions: number | string;
  paused: number | string | boolean;
  filter: string | null;
}

interface DeadLetterRow {
  id: string;
  name: string;
  generation: number | string;
  partition: number | string;
  position: number | string;
  event_id: string;
  stream_id: string;
  type: string;
  error: string;
  attempts: number | string;
  status: DeadLetter['status'];
  created_at: number | string;
  updated_at: number | string;
}

const toGeneration = (r: GenerationRow): GenerationState => ({
  name: r.name,
  generation: Number(r.generation),
  definitionVersion: Number(r.definition_version),
  status: r.status,
  partitions: Number(r.partitions),
  paused: r.paused === true || Number(r.paused) === 1,
  ...(r.filter ? { filter: JSON.parse(r.filter) as GenerationState['filter'] } : {}),
});

const toDeadLetter = (r: DeadLetterRow): DeadLetter => ({
  id: r.id,
  projection: r.name,
  generation: Number(r.generation),
  partition: Number(r.partition),
  position: BigInt(r.position),
  eventId: r.event_id,
  streamId: r.stream_id,
  type: r.type,
  error: r.error,
  attempts: Number(r.attempts),
  status: r.status,
  createdAt: new Date(Number(r.created_at)),
  updatedAt: new Date(Number(r.updated_at)),
});

/** Bookkeeping in the store's own SQL database (tables created by the store's migrations). */
export class SqlProjectionState implements ProjectionStateStore {
  readonly #sql: SqlAccess;
  readonly #t: (name: string) => string;

  constructor(sql: SqlAccess) {
    this.#sql = sql;
    this.#t = (name) => sql.table(name);
  }

  async generations(name: string): Promise<GenerationState[]> {
    const rows = await this.#sql.query<GenerationRow>(`SELECT * FROM ${this.#t('projections')} WHERE name = $1 ORDER BY generation`, [name]);
    return rows.map(toGeneration);
  }

  async allGenerations(): Promise<GenerationState[]> {
    return (await this.#sql.query<GenerationRow>(`SELECT * FROM ${this.#t('projections')} ORDER BY name, generation`)).map(toGeneration);
  }

  async createGeneration(s: GenerationState): Promise<void> {
    const now = Date.now();
    await this.#sql.query(
      `INSERT INTO ${this.#t('projections')} (name, generation, definition_version, status, partitions, paused, filter, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) ON CONFLICT (name, generation) DO NOTHING`,
      [s.name, s.generation, s.definitionVersion, s.status, s.partitions, s.paused ? 1 : 0, s.filter ? JSON.stringify(s.filter) : null, now],
    );
  }

  async setStatus(name: string, generation: number, status: ProjectionStatus, tx?: SqlExecutor): Promise<void> {
    await (tx ?? this.#sql).query(`UPDATE ${this.#t('projections')} SET status = $3, updated_at = $4 WHERE name = $1 AND generation = $2`, [
      name,
      generation,
      status,
      Date.now(),
    ]);
  }

  async setPaused(name: string, paused: boolean): Promise<void> {
    await this.#sql.query(`UPDATE ${this.#t('projections')} SET paused = $2, updated_at = $3 WHERE name = $1`, [name, paused ? 1 : 0, Date.now()]);
  }

  async ensureCheckpoint(key: CheckpointKey, start: bigint): Promise<void> {
    await this.#sql.query(
      `INSERT INTO ${this.#t('projection_checkpoints')} (name, generation, partition, position, updated_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (name, generation, partition) DO NOTHING`,
      [key.name, key.generation, key.partition, String(start), Date.now()],
    );
  }

  async checkpoint(key: CheckpointKey): Promise<bigint | null> {
    const [row] = await this.#sql.query<{ position: number | string }>(
      `SELECT position FROM ${this.#t('projection_checkpoints')} WHERE name = $1 AND generation = $2 AND partition = $3`,
      [key.name, key.generation, key.partition],
    );
    return row === undefined ? null : BigInt(row.position);
  }

  async advance(key: CheckpointKey, from: bigint, to: bigint, tx?: SqlExecutor): Promise<boolean> {
    const rows = await (tx ?? this.#sql).query(
      `UPDATE ${this.#t('projection_checkpoints')} SET position = $5, updated_at = $6
       WHERE name = $1 AND generation = $2 AND partition = $3 AND position = $4 RETURNING position`,
      [key.name, key.generation, key.partition, String(from), String(to), Date.now()],
    );
    return rows.length === 1;
  }

  async park(l: NewDeadLetter, tx?: SqlExecutor): Promise<void> {
    const now = Date.now();
    await (tx ?? this.#sql).query(
      `INSERT INTO ${this.#t('dead_letters')} (id, name, generation, partition, position, event_id, stream_id, type, error, attempts, status, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'parked', $11, $11)`,
      [crypto.randomUUID(), l.projection, l.generation, l.partition, String(l.position), l.eventId, l.streamId, l.type, l.error.slice(0, 4000), l.attempts, now],
    );
  }

  async deadLetters(filter: { name?: string; status?: DeadLetter['status'] } = {}): Promise<DeadLetter[]> {
    const rows = await this.#sql.query<DeadLetterRow>(
      `SELECT * FROM ${this.#t('dead_letters')} WHERE ($1 = '' OR name = $1) AND ($2 = '' OR status = $2) ORDER BY name, position`,
      [filter.name ?? '', filter.status ?? ''],
    );
    return rows.map(toDeadLetter);
  }

  async deadLetter(id: string): Promise<DeadLetter | null> {
    const [row] = await this.#sql.query<DeadLetterRow>(`SELECT * FROM ${this.#t('dead_letters')} WHERE id = $1`, [id]);
    return row ? toDeadLetter(row) : null;
  }

  async setDeadLetterStatus(id: string, status: DeadLetter['status'], tx?: SqlExecutor): Promise<void> {
    await (tx ?? this.#sql).query(`UPDATE ${this.#t('dead_letters')} SET status = $2, updated_at = $3 WHERE id = $1`, [id, status, Date.now()]);
  }

  async heartbeat(nodeId: string, name: string, aliveWithinMs: number): Promise<number> {
    const now = Date.now();
    await this.#sql.query(
      `INSERT INTO ${this.#t('projection_nodes')} (node_id, name, last_seen) VALUES ($1, $2, $3)
       ON CONFLICT (node_id, name) DO UPDATE SET last_seen = excluded.last_seen`,
      [nodeId, name, now],
    );
    const [row] = await this.#sql.query<{ n: number | string }>(`SELECT count(*) AS n FROM ${this.#t('projection_nodes')} WHERE name = $1 AND last_seen > $2`, [
      name,
      now - aliveWithinMs,
    ]);
    return Number(row?.n ?? 1);
  }

  async leave(nodeId: string): Promise<void> {
    await this.#sql.query(`DELETE FROM ${this.#t('projection_nodes')} WHERE node_id = $1`, [nodeId]);
  }
}

/** Bookkeeping in memory, for the memory store. */
export class MemoryProjectionState implements ProjectionStateStore {
  readonly #generations = new Map<string, GenerationState>();
  readonly #checkpoints = new Map<string, bigint>();
  readonly #letters = new Map<string, DeadLetter>();
  readonly #nodes = new Map<string, number>();

  async generations(name: string): Promise<GenerationState[]> {
    return [...this.#generations.values()].filter((g) => g.name === name).sort((a, b) => a.generation - b.generation).map((g) => ({ ...g }));
  }

  async allGenerations(): Promise<GenerationState[]> {
    return [...this.#generations.values()].map((g) => ({ ...g }));
  }

  async createGeneration(s: GenerationState): Promise<void> {
    const k = `${s.name}\u0000${s.generation}`;
    if (!this.#generations.has(k)) this.#generations.set(k, { ...s });
  }

  async setStatus(name: string, generation: number, status: ProjectionStatus): Promise<void> {
    const g = this.#generations.get(`${name}\u0000${generation}`);
    if (g) g.status = status;
  }

  async setPaused(name: string, paused: boolean): Promise<void> {
    for (const g of this.#generations.values()) if (g.name === name) g.paused = paused;
  }

  async ensureCheckpoint(key: CheckpointKey, start: bigint): Promise<void> {
    const k = ck(key);
    if (!this.#checkpoints.has(k)) this.#checkpoints.set(k, start);
  }

  async checkpoint(key: CheckpointKey): Promise<bigint | null> {
    return this.#checkpoints.get(ck(key)) ?? null;
  }

  async advance(key: CheckpointKey, from: bigint, to: bigint): Promise<boolean> {
    if (this.#checkpoints.get(ck(key)) !== from) return false;
    this.#checkpoints.set(ck(key), to);
    return true;
  }

  async park(l: NewDeadLetter): Promise<void> {
    const id = crypto.randomUUID();
    this.#letters.set(id, { ...l, id, status: 'parked', createdAt: new Date(), updatedAt: new Date() });
  }

  async deadLetters(filter: { name?: string; status?: DeadLetter['status'] } = {}): Promise<DeadLetter[]> {
    return [...this.#letters.values()]
      .filter((l) => (filter.name === undefined || l.projection === filter.name) && (filter.status === undefined || l.status === filter.status))
      .sort((a, b) => (a.position < b.position ? -1 : 1));
  }

  async deadLetter(id: string): Promise<DeadLetter | null> {
    return this.#letters.get(id) ?? null;
  }

  async setDeadLetterStatus(id: string, status: DeadLetter['status']): Promise<void> {
    const l = this.#letters.get(id);
    if (l) {
      l.status = status;
      l.updatedAt = new Date();
    }
  }

  async heartbeat(nodeId: string, name: string, aliveWithinMs: number): Promise<number> {
    const now = Date.now();
    this.#nodes.set(`${nodeId}\u0000${name}`, now);
    return [...this.#nodes.entries()].filter(([k, t]) => k.endsWith(`\u0000${name}`) && t > now - aliveWithinMs).length;
  }

  async leave(nodeId: string): Promise<void> {
    for (const k of this.#nodes.keys()) if (k.startsWith(`${nodeId}\u0000`)) this.#nodes.delete(k);
  }
}

function ck(key: CheckpointKey): string {
  return `${key.name}\u0000${key.generation}\u0000${key.partition}`;
}
