import type { KeyBackend } from '../backend.js';

export class MemoryKeys implements KeyBackend {
  readonly #keys = new Map<string, { subject: string; material: Uint8Array | null }>();

  async activeKey(subject: string): Promise<{ keyId: string; material: Uint8Array } | null> {
    return this.#active(subject);
  }

  #active(subject: string): { keyId: string; material: Uint8Array } | null {
    for (const [keyId, k] of this.#keys) if (k.subject === subject && k.material) return { keyId, material: k.material };
    return null;
  }

  async createKey(subject: string, keyId: string, material: Uint8Array): Promise<{ keyId: string; material: Uint8Array }> {
    // Check and insert without yielding, as the databases' unique index does.
    const existing = this.#active(subject);
    if (existing) return existing;
    this.#keys.set(keyId, { subject, material });
    return { keyId, material };
  }

  async keyById(keyId: string): Promise<Uint8Array | null> {
    return this.#keys.get(keyId)?.material ?? null;
  }

  async destroyKeys(subject: string): Promise<string[]> {
    const ids: string[] = [];
    for (const [keyId, k] of this.#keys) {
      if (k.subject === subject && k.material) {
        k.material.fill(0);
        k.material = null;
        ids.push(keyId);
      }
    }
    return ids;
  }
}
