import { CairnError, ConcurrencyError, type ErrorCode, type EventStore, InvalidArgumentError, isCairnError } from '@cairn/core';
import { isRole, ROLES, type Role } from '../roles.js';
import { generateApiKey, generateKeyId, hashApiKey } from './api-key.js';
import { type ApiKeyCreatedData, type ApiKeyInfo, type ApiKeyRevokedData, applyKeyEvent, KEYS_STREAM, type KeyRecord, toKeyInfo } from './key-events.js';

/** The key id passed to `revokeApiKey` does not exist. */
export class ApiKeyNotFoundError extends CairnError {
  readonly keyId: string;

  constructor(keyId: string) {
    // A server-side code: core's table is for the store; the cast keeps core untouched.
    super('API_KEY_NOT_FOUND' as ErrorCode, `API key ${JSON.stringify(keyId)} does not exist. List keys with \`cairn keys list\`.`, { keyId });
    this.keyId = keyId;
  }
}

export interface CreateApiKeyOptions {
  /** What the key is for, e.g. "ledger-service" or "ci". */
  name: string;
  roles: readonly Role[];
  /** Restrict the key to streams whose id starts with this. */
  streamPrefix?: string;
}

export interface CreatedApiKey {
  /** The key itself. Shown once: only its hash is stored. */
  key: string;
  info: ApiKeyInfo;
}

const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Create an API key: append `ApiKeyCreated` (with the key's SHA-256, never the key) to the
 * `$keys` system stream. Running servers pick it up within moments.
 *
 * @example
 * const { key } = await createApiKey(store, { name: 'ci', roles: ['write'], streamPrefix: 'tenant-a/' });
 */
export async function createApiKey(store: EventStore, options: CreateApiKeyOptions): Promise<CreatedApiKey> {
  const name = options.name;
  if (typeof name !== 'string' || name.trim().length === 0 || name.length > 100 || CONTROL.test(name)) {
    throw new InvalidArgumentError('name', 'expected 1 to 100 printable characters naming what the key is for');
  }
  if (!Array.isArray(options.roles) || options.roles.length === 0 || !options.roles.every(isRole)) {
    throw new InvalidArgumentError('roles', `expected one or more of ${ROLES.join(', ')}`);
  }
  const prefix = options.streamPrefix;
  if (prefix !== undefined && (typeof prefix !== 'string' || prefix.length === 0 || prefix.length > 256 || CONTROL.test(prefix) || prefix.startsWith('$'))) {
    throw new InvalidArgumentError('streamPrefix', 'expected 1 to 256 printable characters, not starting with "$"');
  }
  const existing = await loadKeys(store);
  let keyId = generateKeyId();
  while (existing.has(keyId)) keyId = generateKeyId();
  const key = generateApiKey();
  const data: ApiKeyCreatedData = {
    keyId,
    name: name.trim(),
    roles: [...new Set(options.roles)],
    ...(prefix !== undefined ? { streamPrefix: prefix } : {}),
    hash: hashApiKey(key),
    createdAt: new Date().toISOString(),
  };
  await store.append(KEYS_STREAM, [{ type: 'ApiKeyCreated', data }], { system: true });
  const record: KeyRecord = { ...data };
  return { key, info: toKeyInfo(record) };
}

/** Every key ever created, revoked ones included (with `revokedAt`), oldest first. */
export async function listApiKeys(store: EventStore): Promise<ApiKeyInfo[]> {
  return [...(await loadKeys(store)).values()].map(toKeyInfo);
}

/**
 * Revoke a key. Idempotent: revoking a revoked key changes nothing (`alreadyRevoked: true`).
 * Throws `ApiKeyNotFoundError` for an unknown id.
 */
export async function revokeApiKey(store: EventStore, keyId: string): Promise<{ info: ApiKeyInfo; alreadyRevoked: boolean }> {
  // Expected-version append: a concurrent create or revoke makes us re-check, never double-write.
  for (let attempt = 0; ; attempt++) {
    const { keys, version } = await loadKeysWithVersion(store);
    const record = keys.get(keyId);
    if (!record) throw new ApiKeyNotFoundError(keyId);
    if (record.revokedAt !== undefined) return { info: toKeyInfo(record), alreadyRevoked: true };
    const data: ApiKeyRevokedData = { keyId, revokedAt: new Date().toISOString() };
    try {
      await store.append(KEYS_STREAM, [{ type: 'ApiKeyRevoked', data }], { system: true, expectedVersion: version });
      return { info: { ...toKeyInfo(record), revokedAt: data.revokedAt as string }, alreadyRevoked: false };
    } catch (error) {
      if (!(error instanceof ConcurrencyError) || attempt >= 5) throw error;
    }
  }
}

async function loadKeys(store: EventStore): Promise<Map<string, KeyRecord>> {
  return (await loadKeysWithVersion(store)).keys;
}

async function loadKeysWithVersion(store: EventStore): Promise<{ keys: Map<string, KeyRecord>; version: number }> {
  const keys = new Map<string, KeyRecord>();
  let version = 0;
  for await (const event of store.readStream(KEYS_STREAM)) {
    applyKeyEvent(keys, event);
    version = event.version;
  }
  return { keys, version };
}

export function isApiKeyNotFound(error: unknown): boolean {
  return isCairnError(error) && (error.code as string) === 'API_KEY_NOT_FOUND';
}
