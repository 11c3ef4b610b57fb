import type { EventStore } from '@cairn/core';
import { buildServer, createApiKey, type Role, type ServerOptions } from '../index.js';

export interface RunningServer {
  url: string;
  store: EventStore;
  close(): Promise<void>;
}

/** A real server on a real socket (127.0.0.1, an ephemeral port). */
export async function startServer(store: EventStore, options: Omit<ServerOptions, 'store'> = {}): Promise<RunningServer> {
  const app = buildServer({ store, metrics: { defaultMetrics: false }, ...options });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    store,
    close: async () => {
      // fetch's connection pool may hold a socket that never carried a request (after a
      // client aborted a stream); close() would wait for the client to time it out (~4 s).
      const closing = app.close();
      const force = setTimeout(() => app.server.closeAllConnections(), 250);
      await closing;
      clearTimeout(force);
    },
  };
}

/** Keys of every role (and a prefix-scoped writer), created before the server starts. */
export async function createKeys(store: EventStore): Promise<Record<Role | 'scoped', string>> {
  const make = async (roles: Role[], streamPrefix?: string): Promise<string> =>
    (await createApiKey(store, { name: `test-${roles.join('-')}`, roles, ...(streamPrefix ? { streamPrefix } : {}) })).key;
  return { read: await make(['read']), write: await make(['write']), admin: await make(['admin']), scoped: await make(['write'], 'tenant-a/') };
}

export function bearer(key: string): Record<string, string> {
  return { authorization: `Bearer ${key}` };
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}
