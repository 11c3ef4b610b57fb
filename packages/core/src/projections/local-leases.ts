import type { Lease } from '../sql.js';

/** Leases that exclude other runners of the same store in this process only (the memory store). */
const held = new WeakMap<object, Set<string>>();

export async function tryLocalLease(scope: object, key: string): Promise<Lease | null> {
  let keys = held.get(scope);
  if (!keys) held.set(scope, (keys = new Set()));
  if (keys.has(key)) return null;
  keys.add(key);
  let released = false;
  const set = keys;
  return {
    key,
    lost: false,
    release: async () => {
      if (!released) set.delete(key);
      released = true;
    },
  };
}
