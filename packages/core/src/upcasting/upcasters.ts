import { InvalidArgumentError, UpcastError } from '../errors.js';
import type { StoredEvent } from '../types.js';

/** One step of an event's schema evolution: `(type, fromVersion)` → `(toType ?? type, fromVersion + 1)`. */
export interface Upcaster {
  readonly type: string;
  readonly fromVersion: number;
  /** The event's new type name, when this step renames it. */
  readonly toType?: string;
  upcast(data: unknown, event: StoredEvent): unknown;
}

/**
 * Define an upcaster step. Old events stay stored as they were; every read (readStream,
 * readAll, subscribe, readEvent, and so every aggregate load and projection) sees them
 * upcast to the newest schema.
 *
 * @example
 * // UserCreated v1 { email } → v2 { contactEmail }
 * const userCreatedV2 = upcaster<{ email: string }, { contactEmail: string }>('UserCreated', 1, (d) => ({ contactEmail: d.email }));
 * const store = createSqliteStore({ path, upcasters: [userCreatedV2] });
 */
export function upcaster<From = unknown, To = unknown>(
  type: string,
  fromVersion: number,
  upcast: (data: From, event: StoredEvent) => To,
  options: { toType?: string } = {},
): Upcaster {
  if (typeof type !== 'string' || type.length === 0) throw new InvalidArgumentError('upcaster type', 'expected a non-empty event type');
  if (!Number.isInteger(fromVersion) || fromVersion < 1) throw new InvalidArgumentError('upcaster fromVersion', `expected a positive integer, got ${fromVersion}`);
  return Object.freeze({ type, fromVersion, ...(options.toType ? { toType: options.toType } : {}), upcast: upcast as (data: unknown, event: StoredEvent) => unknown });
}

/** The chains of all registered steps, applied to events as they are read. */
export class UpcasterChain {
  readonly #steps = new Map<string, Upcaster>();
  /** Newest schema version per type: an event below it must have a step for its version. */
  readonly #latest = new Map<string, number>();

  constructor(upcasters: readonly Upcaster[]) {
    for (const u of upcasters) {
      const key = stepKey(u.type, u.fromVersion);
      if (this.#steps.has(key)) throw new InvalidArgumentError('upcasters', `two upcasters for "${u.type}" from version ${u.fromVersion}`);
      this.#steps.set(key, u);
      this.#latest.set(u.type, Math.max(this.#latest.get(u.type) ?? 1, u.fromVersion + 1));
      if (u.toType) this.#latest.set(u.toType, Math.max(this.#latest.get(u.toType) ?? 1, u.fromVersion + 1));
    }
  }

  /** The newest schema version of a type; new events of that type are written at it by default. */
  latest(type: string): number | undefined {
    return this.#latest.get(type);
  }

  get isEmpty(): boolean {
    return this.#steps.size === 0;
  }

  apply<E extends StoredEvent>(event: E): E {
    let current: StoredEvent = event;
    for (;;) {
      const step = this.#steps.get(stepKey(current.type, current.schemaVersion));
      if (step === undefined) break;
      const from = current.schemaVersion;
      let data: unknown;
      try {
        data = step.upcast(current.data, current);
      } catch (error) {
        throw new UpcastError(current.type, from, from + 1, where(event), `the upcaster threw: ${(error as Error)?.message ?? String(error)}`, error);
      }
      current = { ...current, type: step.toType ?? current.type, schemaVersion: from + 1, data };
    }
    const latest = this.#latest.get(current.type);
    if (latest !== undefined && current.schemaVersion < latest) {
      throw new UpcastError(current.type, current.schemaVersion, latest, where(event), `no upcaster is registered from version ${current.schemaVersion}`);
    }
    return current as E;
  }
}

function stepKey(type: string, version: number): string {
  return `${type}\u0000${version}`;
}

function where(e: StoredEvent): { streamId: string; version: number; eventId: string } {
  return { streamId: e.streamId, version: e.version, eventId: e.eventId };
}
