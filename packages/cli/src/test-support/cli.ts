import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The built CLI: tests run what ships, not the sources. `npm test` builds it first (tsc -b). */
export const CLI_MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

export function assertBuilt(): void {
  if (!existsSync(CLI_MAIN)) {
    throw new Error(`The CLI is not built: ${CLI_MAIN} is missing. Run \`npx tsc -b\` (npm test does it before the tests) and try again.`);
  }
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliSpawnOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  stdin?: string;
}

function childEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, CAIRN_DB: undefined, NO_COLOR: '1' };
  for (const [k, v] of Object.entries(extra)) env[k] = v;
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  return env;
}

/** Start `node dist/main.js …` and hand back the process (for serve, or to kill an import). */
export function spawnCairn(args: readonly string[], options: CliSpawnOptions = {}): ChildProcess {
  assertBuilt();
  return spawn(process.execPath, [CLI_MAIN, ...args], { cwd: options.cwd, env: childEnv(options.env), stdio: ['pipe', 'pipe', 'pipe'] });
}

/** Run the CLI to completion and collect its exit code and output. */
export function cairn(args: readonly string[], options: CliSpawnOptions = {}): Promise<CliRun> {
  const child = spawnCairn(args, options);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdin?.end(options.stdin ?? '');
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Parse NDJSON output. */
export function ndjson<T = Record<string, unknown>>(text: string): T[] {
  return text
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as T);
}
