import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * Helpers for tests that run real processes (a projection runner killed with SIGKILL, a
 * publisher restarted): children run compiled code, speak in stdout lines, and are all
 * killed after each test even when it fails.
 *
 * @example
 * const children = new Children(fileURLToPath(new URL('../test/worker.fixture.mjs', import.meta.url)), builtEntry);
 * afterEach(() => children.killAll());
 * const child = children.spawn({ url });
 * await child.waitFor(() => child.tagged('ready').length > 0, 'ready');
 * await child.kill();
 */

/** One child process, its stdout split into lines, with waits that fail fast when it dies. */
export class Child {
  readonly lines: string[] = [];
  readonly proc: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr = '';
  /** Set when the test ends the process (or it is meant to exit by itself): its exit is no failure. */
  exitExpected = false;
  #exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  readonly #listeners = new Set<() => void>();

  constructor(script: string, args: string[]) {
    this.proc = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let buffer = '';
    this.proc.stdout?.on('data', (d: Buffer) => {
      buffer += d.toString();
      const parts = buffer.split('\n');
      buffer = parts.pop() ?? '';
      this.lines.push(...parts);
      for (const l of this.#listeners) l();
    });
    this.proc.stderr?.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((resolve) =>
      this.proc.on('exit', (code, signal) => {
        this.#exit = { code, signal };
        for (const l of this.#listeners) l();
        resolve(this.#exit);
      }),
    );
  }

  get pid(): number {
    return this.proc.pid ?? -1;
  }

  get alive(): boolean {
    return this.#exit === undefined;
  }

  /** Lines starting with `tag `, split on spaces (tag dropped). */
  tagged(tag: string): string[][] {
    return this.lines.filter((l) => l.startsWith(`${tag} `) || l === tag).map((l) => l.split(' ').slice(1));
  }

  /** Resolve once `check()` holds (checked on every output line); reject on timeout or if the child exits first. */
  waitFor(check: () => boolean, what: string, ms = 20_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = (error?: Error): void => {
        clearTimeout(timer);
        this.#listeners.delete(listener);
        if (error) reject(error);
        else resolve();
      };
      const listener = (): void => {
        if (check()) done();
        else if (this.#exit) done(new Error(`child ${this.pid} exited (${JSON.stringify(this.#exit)}) before ${what}; stderr: ${this.stderr.slice(-2000)}`));
      };
      const timer = setTimeout(() => done(new Error(`child ${this.pid}: ${what} not seen within ${ms} ms; last lines: ${this.lines.slice(-5).join(' | ')}; stderr: ${this.stderr.slice(-2000)}`)), ms);
      this.#listeners.add(listener);
      listener();
    });
  }

  /** SIGKILL, and wait until the process is gone. */
  async kill(): Promise<void> {
    this.exitExpected = true;
    if (this.alive) this.proc.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM (graceful stop), then SIGKILL if it has not exited within `ms`. */
  async stop(ms = 10_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    this.exitExpected = true;
    if (this.alive) this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), ms);
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }
}

/** Every child a test file spawns, so `afterEach` can kill them all even when a test fails. */
export class Children {
  readonly #all: Child[] = [];

  /** `script`: the fixture to run with `node`; `built`: a compiled file it needs, checked before each spawn. */
  constructor(
    private readonly script: string,
    private readonly built: string,
  ) {}

  /** Start the script with `options` as its one JSON argument (`exitWhenIdle: true`: it will exit by itself, which `until` does not treat as a death). */
  spawn(options: Record<string, unknown>): Child {
    if (!existsSync(this.built)) {
      throw new Error(`${this.built} is missing: child processes run the compiled packages; run \`npx tsc -b\` (npm test does) first`);
    }
    const child = new Child(this.script, [JSON.stringify(options)]);
    child.exitExpected = options.exitWhenIdle === true;
    this.#all.push(child);
    return child;
  }

  /** Poll `check` until it holds; fail at once, with its stderr, if a child died unexpectedly. */
  async until(check: () => Promise<boolean> | boolean, what: string, ms = 20_000): Promise<void> {
    await waitUntil(async () => {
      const dead = this.#all.find((c) => !c.alive && !c.exitExpected);
      if (dead) throw new Error(`child ${dead.pid} died while waiting for ${what}; stderr: ${dead.stderr.slice(-2000)}`);
      return check();
    }, what, ms);
  }

  async killAll(): Promise<void> {
    await Promise.all(this.#all.splice(0).map((c) => c.kill()));
  }
}

/** Poll `check` every 50 ms until it holds; throw after `ms`. */
export async function waitUntil(check: () => Promise<boolean> | boolean, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
