import { existsSync } from 'node:fs';
import { DEFAULT_STORE_URL, type EventStore, openStore } from '@cairn/core';
import { CliError } from './cli-error.js';
import { ExitCode } from './exit-codes.js';

export interface StoreOptions {
  db?: string;
}

/** `--db`, else `CAIRN_DB`, else the embedded default. */
export function storeUrl(options: StoreOptions, env: Readonly<Record<string, string | undefined>>): string {
  return options.db ?? env.CAIRN_DB ?? DEFAULT_STORE_URL;
}

/**
 * Open the store a command works on. Commands that only read refuse a SQLite file that does not exist rather than creating an
 * empty one (a typo in --db should not leave files behind and print "no events").
 */
export async function openCliStore(url: string, mode: 'read' | 'write'): Promise<EventStore> {
  const path = sqlitePath(url);
  if (mode === 'read' && path !== undefined && path !== ':memory:' && !existsSync(path)) {
    throw new CliError('STORE_NOT_FOUND', `No SQLite database at ${path}. Check --db (or CAIRN_DB), or create it with \`cairn migrate --db ${url}\`.`, ExitCode.NOT_FOUND);
  }
  return openStore(url);
}

/** Open, run, and always close. */
export async function withStore<T>(url: string, mode: 'read' | 'write', run: (store: EventStore) => Promise<T>): Promise<T> {
  const store = await openCliStore(url, mode);
  try {
    return await run(store);
  } finally {
    await store.close();
  }
}

function sqlitePath(url: string): string | undefined {
  if (!url.toLowerCase().startsWith('sqlite:')) return undefined;
  return url.slice('sqlite:'.length).replace(/^\/\/(?=\.|\/)/, '');
}

/** The URL with any password masked, for banners and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.protocol === 'sqlite:' || parsed.protocol === 'memory:' ? url : parsed.toString();
  } catch {
    return url;
  }
}
