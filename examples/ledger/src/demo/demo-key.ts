import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { EventStore } from '@cairn/core';
import { createApiKey, KeyRing } from '@cairn/server';

export const DEMO_KEY_NAME = 'demo-admin';

/**
 * The demo's admin API key: kept in a file beside the database (mode 600) so every start can
 * print it, and made anew when the file is missing or its key does not open this store (a
 * fresh database, or `--db` pointing elsewhere). Only the key's hash is in the store.
 */
export async function ensureDemoKey(store: EventStore, file: string): Promise<{ key: string; created: boolean }> {
  let saved: string | undefined;
  try {
    saved = readFileSync(file, 'utf8').trim().split('\n')[0]?.trim();
  } catch {
    saved = undefined;
  }
  if (saved) {
    const ring = new KeyRing(store);
    await ring.start();
    try {
      if (ring.authenticate(saved)?.roles.includes('admin')) return { key: saved, created: false };
    } finally {
      await ring.stop();
    }
  }
  const { key } = await createApiKey(store, { name: DEMO_KEY_NAME, roles: ['admin'] });
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return { key, created: true };
}
