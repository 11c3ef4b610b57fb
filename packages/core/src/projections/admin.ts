import { storeInternals } from '../create-event-store.js';
import { InvalidArgumentError } from '../errors.js';
import type { EventStore } from '../event-store.js';
import { projectionStatus, stateFor } from './runner.js';
import type { DeadLetter, ProjectionReport } from './types.js';

/**
 * Operate projections from a process that does not run them (the server, the CLI): the
 * requests go through the store, and the runners act on them within their supervision interval.
 */
export interface ProjectionAdmin {
  status(): Promise<ProjectionReport[]>;
  /** Ask for a new generation to be built beside the live one. Returns its number. */
  rebuild(name: string): Promise<number>;
  pause(name: string): Promise<void>;
  resume(name: string): Promise<void>;
  deadLetters(filter?: { name?: string; status?: DeadLetter['status'] }): Promise<DeadLetter[]>;
  /** Ask the runner to run a parked event again. */
  replay(id: string): Promise<void>;
  skip(id: string): Promise<void>;
}

export function projectionAdmin(store: EventStore): ProjectionAdmin {
  const internals = storeInternals(store);
  const state = stateFor(internals, internals.backend.sql);
  const known = async (name: string) => {
    await internals.ready();
    const gens = await state.generations(name);
    if (gens.length === 0) throw new InvalidArgumentError('name', `no projection named "${name}" has run on this store`);
    return gens;
  };
  const letter = async (id: string) => {
    await internals.ready();
    const l = await state.deadLetter(id);
    if (l === null) throw new InvalidArgumentError('id', `no dead letter ${id}`);
    return l;
  };
  return {
    async status() {
      await internals.ready();
      return projectionStatus(store, state, undefined);
    },
    async rebuild(name) {
      const gens = await known(name);
      const building = gens.find((g) => g.status === 'building');
      if (building) return building.generation;
      const live = gens.find((g) => g.status === 'live') ?? gens.at(-1);
      const next = (gens.at(-1)?.generation ?? 0) + 1;
      await state.createGeneration({
        name,
        generation: next,
        definitionVersion: live?.definitionVersion ?? 1,
        status: 'building',
        partitions: live?.partitions ?? 1,
        paused: false,
        ...(live?.filter ? { filter: live.filter } : {}),
      });
      return next;
    },
    async pause(name) {
      await known(name);
      await state.setPaused(name, true);
    },
    async resume(name) {
      await known(name);
      await state.setPaused(name, false);
    },
    async deadLetters(filter) {
      await internals.ready();
      return state.deadLetters(filter);
    },
    async replay(id) {
      const l = await letter(id);
      if (l.status !== 'parked') throw new InvalidArgumentError('id', `dead letter ${id} is ${l.status}, not parked`);
      await state.setDeadLetterStatus(id, 'replay-requested');
    },
    async skip(id) {
      await letter(id);
      await state.setDeadLetterStatus(id, 'skipped');
    },
  };
}
