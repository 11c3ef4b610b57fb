import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Location } from './arena.js';

/** The built CLI of this repository (bench/{src,dist}/env → packages/cli/dist/main.js). */
export const CLI_MAIN = fileURLToPath(new URL('../../../packages/cli/dist/main.js', import.meta.url));

const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;

/** The `--db` URL of a workload's store, as `cairn serve` and `openStore` take it. */
export function storeUrl(location: Location): string {
  if (location.kind === 'sqlite') return `sqlite:${location.storePath}`;
  const url = new URL(location.url);
  url.searchParams.set('schema', location.storeSchema);
  return url.toString();
}

function assertCliBuilt(): void {
  if (!existsSync(CLI_MAIN)) throw new Error(`the CLI is not built (${CLI_MAIN} is missing): run \`npx tsc -b\` first (npm run bench does)`);
}

function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.CAIRN_DB;
  return env;
}

/** `cairn keys create --name bench --role write --db <url>`: the key alone on stdout. */
export function createKey(db: string): Promise<string> {
  assertCliBuilt();
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CLI_MAIN, 'keys', 'create', '--name', 'bench', '--role', 'write', '--db', db], { env: childEnv(), timeout: START_TIMEOUT_MS }, (error, stdout, stderr) => {
      const key = stdout.trim();
      if (error || !key.startsWith('cairn_')) reject(new Error(`cairn keys create failed: ${error?.message ?? ''} ${stderr.trim()}`.trim()));
      else resolve(key);
    });
  });
}

export interface ServeChild {
  /** `http://127.0.0.1:<port>` */
  readonly address: string;
  readonly pid: number;
  /** Request log lines seen on stdout (the default `info` level logs every request). */
  logLines(): number;
  stop(): Promise<void>;
}

/**
 * `node packages/cli/dist/main.js serve --db <url> --port 0 --json`, as an operator would start
 * it: resolves once it prints `{"listening":…}` on stdout. Its stdout (request logs) and stderr
 * are drained for as long as it runs; `stop()` sends SIGTERM (graceful shutdown) and waits.
 */
export async function startServe(db: string, extraArgs: readonly string[] = []): Promise<ServeChild> {
  assertCliBuilt();
  const child = spawn(process.execPath, [CLI_MAIN, 'serve', '--db', db, '--port', '0', '--json', ...extraArgs], { env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    if (stderr.length < 20_000) stderr += d;
  });
  let lines = 0;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const address = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`cairn serve did not report listening within ${START_TIMEOUT_MS / 1000} s: ${stderr.trim()}`)), START_TIMEOUT_MS);
      child.once('error', reject);
      child.once('exit', (code, signal) => reject(new Error(`cairn serve exited (${code ?? signal}) before listening: ${stderr.trim()}`)));
      // Lines are parsed until the address shows; after that, request logs are only counted.
      let pending = '';
      let found = false;
      child.stdout?.on('data', (chunk: Buffer) => {
        for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
        if (found) return;
        pending += chunk.toString('utf8');
        let newline: number;
        while ((newline = pending.indexOf('\n')) !== -1) {
          const line = pending.slice(0, newline);
          pending = pending.slice(newline + 1);
          const listening = parseListening(line);
          if (listening !== undefined) {
            found = true;
            pending = '';
            clearTimeout(timer);
            resolve(listening);
            return;
          }
        }
      });
    });
    return {
      address,
      pid: child.pid as number,
      logLines: () => lines,
      stop: () => stop(child, exited),
    };
  } catch (error) {
    await stop(child, exited);
    throw error;
  }
}

/** The address in `{"listening":"http://…","store":…}`, the line `cairn serve --json` prints once it listens. */
function parseListening(line: string): string | undefined {
  if (!line.includes('"listening"')) return undefined;
  try {
    const listening = (JSON.parse(line) as { listening?: unknown }).listening;
    return typeof listening === 'string' ? listening : undefined;
  } catch {
    return undefined; // a request log line that happens to mention it
  }
}

async function stop(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}
