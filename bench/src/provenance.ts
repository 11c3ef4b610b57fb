import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Provenance {
  /** The commit the measured code was built from. */
  commit: string;
  /** Store sources changed since that commit (others edit them in parallel): the numbers describe the working tree. */
  uncommittedStoreFiles: string[];
}

/** Which code a run measured; undefined outside a git checkout. */
export function describeCode(): Provenance | undefined {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  try {
    const git = (...args: string[]): string => execFileSync('git', ['-C', root, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const commit = git('rev-parse', '--short', 'HEAD').trim();
    const dirty = git('status', '--porcelain', '--', 'packages/core/src', 'packages/sqlite/src', 'packages/postgres/src');
    // Porcelain lines are "XY path": not trimmed, since X is often a space (" M packages/…").
    return { commit, uncommittedStoreFiles: dirty.split('\n').filter((l) => l.length > 3).map((l) => l.slice(3)) };
  } catch {
    return undefined;
  }
}
