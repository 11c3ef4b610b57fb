import { readFileSync } from 'node:fs';

/** The version of the `cairn` package, read from its package.json (the same file from src and dist). */
export const CLI_VERSION: string = (() => {
  try {
    return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
})();
