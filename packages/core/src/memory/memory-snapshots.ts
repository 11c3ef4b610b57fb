import type { SnapshotBackend, StoredSnapshot } from '../backend.js';

export class MemorySnapshots implements SnapshotBackend {
  readonly #rows = new Map<string, StoredSnapshot>();

  async loadSnapshot(streamId: string, name: string): Promise<StoredSnapshot | null> {
    return this.#rows.get(key(streamId, name)) ?? null;
  }

  async saveSnapshot(snapshot: Omit<StoredSnapshot, 'createdAt'>): Promise<void> {
    const k = key(snapshot.streamId, snapshot.name);
    const existing = this.#rows.get(k);
    if (existing && existing.schemaVersion === snapshot.schemaVersion && existing.version > snapshot.version) return;
    this.#rows.set(k, { ...snapshot, createdAt: new Date() });
  }

  async deleteSnapshots(filter: { streamId?: string; name?: string }): Promise<number> {
    let n = 0;
    for (const [k, row] of this.#rows) {
      if ((filter.streamId === undefined || row.streamId === filter.streamId) && (filter.name === undefined || row.name === filter.name)) {
        this.#rows.delete(k);
        n++;
      }
    }
    return n;
  }
}

function key(streamId: string, name: string): string {
  return `${streamId}\u0000${name}`;
}
