import type { StoredEvent } from '@cairn/core';
import { isRole, type Role } from '../roles.js';

/** The system stream holding API keys. Only hashes are stored, never a key. */
export const KEYS_STREAM = '$keys';

export interface ApiKeyCreatedData {
  keyId: string;
  name: string;
  roles: Role[];
  streamPrefix?: string;
  /** SHA-256 of the key, hex. */
  hash: string;
  createdAt: string;
}

export interface ApiKeyRevokedData {
  keyId: string;
  revokedAt?: string;
}

/** What `keys list` shows: everything but the hash. */
export interface ApiKeyInfo {
  keyId: string;
  name: string;
  roles: Role[];
  streamPrefix?: string;
  createdAt: string;
  revokedAt?: string;
}

export interface KeyRecord extends ApiKeyInfo {
  hash: string;
}

/**
 * Fold one `$keys` event into the key table. Unknown event types are skipped, so a newer
 * Cairn can add events without breaking an older server reading the same stream.
 */
export function applyKeyEvent(keys: Map<string, KeyRecord>, event: StoredEvent): void {
  const data = event.data as Partial<ApiKeyCreatedData & ApiKeyRevokedData> | null;
  if (data === null || typeof data !== 'object' || typeof data.keyId !== 'string') return;
  if (event.type === 'ApiKeyCreated') {
    if (typeof data.hash !== 'string' || !Array.isArray(data.roles)) return;
    const record: KeyRecord = {
      keyId: data.keyId,
      name: typeof data.name === 'string' ? data.name : '',
      roles: data.roles.filter(isRole),
      hash: data.hash,
      createdAt: typeof data.createdAt === 'string' ? data.createdAt : event.recordedAt.toISOString(),
    };
    if (typeof data.streamPrefix === 'string' && data.streamPrefix.length > 0) record.streamPrefix = data.streamPrefix;
    keys.set(record.keyId, record);
  } else if (event.type === 'ApiKeyRevoked') {
    const record = keys.get(data.keyId);
    if (record) record.revokedAt = typeof data.revokedAt === 'string' ? data.revokedAt : event.recordedAt.toISOString();
  }
}

export function toKeyInfo(record: KeyRecord): ApiKeyInfo {
  const { hash: _hash, ...info } = record;
  return info;
}
