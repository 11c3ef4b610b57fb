import type { EventStoreOptions } from './create-event-store.js';
import { UnsupportedStoreUrlError } from './errors.js';
import type { EventStore } from './event-store.js';
import { createMemoryStore } from './memory/create-memory-store.js';

/** The default store URL of the CLI, server and examples: embedded SQLite in ./data. */
export const DEFAULT_STORE_URL = 'sqlite:./data/cairn.db';

type Factory = (url: string, options: EventStoreOptions) => EventStore | Promise<EventStore>;

const drivers = new Map<string, Factory>();

/** Teach `openStore` a URL scheme (e.g. a third-party store). Built-in schemes need no registration. */
export function registerStoreDriver(scheme: string, factory: Factory): void {
  drivers.set(scheme.replace(/:$/, ''), factory);
}

/**
 * Open a store from one URL, the same everywhere (`CAIRN_DB`, `--db`):
 * `memory:`, `sqlite:./data/cairn.db`, `sqlite::memory:`, `postgres://user@host:5432/db?schema=cairn`.
 * Store packages are loaded on demand, so core keeps no driver dependency.
 *
 * @example
 * const store = await openStore(process.env.CAIRN_DB ?? DEFAULT_STORE_URL);
 */
export async function openStore(url: string, options: EventStoreOptions = {}): Promise<EventStore> {
  if (typeof url !== 'string' || url.length === 0) throw new UnsupportedStoreUrlError(String(url), 'the URL is empty');
  const scheme = url.slice(0, url.indexOf(':') === -1 ? url.length : url.indexOf(':')).toLowerCase();
  const registered = drivers.get(scheme);
  if (registered) return registered(url, options);
  switch (scheme) {
    case 'memory':
      return createMemoryStore(options);
    case 'sqlite': {
      const path = url.slice('sqlite:'.length).replace(/^\/\/(?=\.|\/)/, '');
      if (path.length === 0) throw new UnsupportedStoreUrlError(url, 'the SQLite URL has no file path');
      const mod = await loadPackage<{ createSqliteStore(o: { path: string } & EventStoreOptions): EventStore }>('@cairn/sqlite', url);
      return mod.createSqliteStore({ path, ...options });
    }
    case 'postgres':
    case 'postgresql': {
      const parsed = new URL(url);
      const schema = parsed.searchParams.get('schema') ?? undefined;
      parsed.searchParams.delete('schema');
      const mod = await loadPackage<{ createPostgresStore(o: { connectionString: string; schema?: string } & EventStoreOptions): EventStore }>(
        '@cairn/postgres',
        url,
      );
      return mod.createPostgresStore({ connectionString: parsed.toString(), ...(schema ? { schema } : {}), ...options });
    }
    default:
      throw new UnsupportedStoreUrlError(url, `unknown scheme "${scheme}:"`);
  }
}

async function loadPackage<T>(name: string, url: string): Promise<T> {
  try {
    // A computed specifier keeps TypeScript and bundlers from treating the store as a core dependency.
    const specifier: string = name;
    return (await import(specifier)) as T;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new UnsupportedStoreUrlError(url, `the package ${name} is not installed (npm install ${name})`);
    }
    throw error;
  }
}
