import { exchange } from './wire.js';

/** One route as the server registered it, with the role it declared (undefined: none). */
export interface RouteEntry {
  method: string;
  url: string;
  role: string | undefined;
}

const RANK: Record<string, number> = { read: 1, write: 2, admin: 3 };

/**
 * Call every route without a key and with a key of each role, and list where the answer
 * disagrees with the role the route declared: 401 without a key, 403 with too weak a key,
 * neither with a strong enough one (whatever the route then says about the empty request).
 */
export async function enforcementProblems(port: number, routes: readonly RouteEntry[], keys: Readonly<Record<'read' | 'write' | 'admin', string>>, fill: (url: string) => string): Promise<string[]> {
  const problems: string[] = [];
  for (const route of routes) {
    if (route.method === 'HEAD' || route.method === 'OPTIONS') continue; // answered like their GET twin (tested elsewhere)
    const target = fill(route.url);
    const needed = route.role ?? 'admin';
    const callers: Array<['none' | 'read' | 'write' | 'admin', string | undefined]> = [['none', undefined], ['read', keys.read], ['write', keys.write], ['admin', keys.admin]];
    for (const [who, key] of callers) {
      const headers: Array<[string, string]> = key ? [['Authorization', `Bearer ${key}`]] : [];
      const body = route.method === 'POST' ? Buffer.from('{}') : undefined;
      if (body) headers.push(['Content-Type', 'application/json']);
      const outcome = await exchange(port, { method: route.method, target, headers, ...(body ? { body } : {}) }, 10_000);
      const status = outcome.kind === 'response' ? outcome.status : 0;
      const expected =
        needed === 'public' ? 'open' : who === 'none' ? 401 : (RANK[who] ?? 0) >= (RANK[needed] ?? 99) ? 'open' : 403;
      const ok = expected === 'open' ? status !== 401 && status !== 403 && status !== 0 : status === expected;
      if (!ok) problems.push(`${route.method} ${route.url} (role ${needed}) as ${who}: got ${status || outcome.kind}, expected ${expected === 'open' ? 'neither 401 nor 403' : expected}`);
    }
  }
  return problems;
}
