import type { DeadLetter, ProjectionAdmin, ProjectionReport, ProjectionRunner } from '@cairn/core';

/**
 * What the projection routes need, from either side of the process boundary:
 * a `ProjectionRunner` in this process (rebuilds start and replays run at once), or a
 * `ProjectionAdmin` for a server that runs no projections itself (the runners elsewhere act
 * on the requests within their supervision interval).
 */
export interface ProjectionControl {
  /** True when replays run here and now; false when a runner elsewhere picks them up. */
  readonly inProcess: boolean;
  status(): Promise<ProjectionReport[]>;
  rebuild(name: string): Promise<number>;
  pause(name: string): Promise<void>;
  resume(name: string): Promise<void>;
  deadLetters(filter?: { name?: string; status?: DeadLetter['status'] }): Promise<DeadLetter[]>;
  replay(id: string): Promise<void>;
  skip(id: string): Promise<void>;
}

export function controlFromRunner(runner: ProjectionRunner): ProjectionControl {
  return {
    inProcess: true,
    status: () => runner.status(),
    rebuild: (name) => runner.rebuild(name),
    pause: (name) => runner.pause(name),
    resume: (name) => runner.resume(name),
    deadLetters: (filter) => runner.deadLetters(filter),
    replay: (id) => runner.replayDeadLetter(id),
    skip: (id) => runner.skipDeadLetter(id),
  };
}

export function controlFromAdmin(admin: ProjectionAdmin): ProjectionControl {
  return {
    inProcess: false,
    status: () => admin.status(),
    rebuild: (name) => admin.rebuild(name),
    pause: (name) => admin.pause(name),
    resume: (name) => admin.resume(name),
    deadLetters: (filter) => admin.deadLetters(filter),
    replay: (id) => admin.replay(id),
    skip: (id) => admin.skip(id),
  };
}
