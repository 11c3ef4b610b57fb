import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Prefix of every key, so a leaked key is recognisable by secret scanners. */
export const API_KEY_PREFIX = 'cairn_';
const KEY_SHAPE = /^cairn_[A-Za-z0-9_-]{43}$/;

/** A new key: `cairn_` + 32 random bytes in base64url (256 bits, never guessable). */
export function generateApiKey(): string {
  return API_KEY_PREFIX + randomBytes(32).toString('base64url');
}

/** A short public id for a key, safe to log and show (`keys list`, `keys revoke <id>`). */
export function generateKeyId(): string {
  return `key_${randomBytes(6).toString('hex')}`;
}

/**
 * SHA-256 of the key, hex. A fast hash is right here (unlike for passwords): the key has 256
 * bits of entropy, so the hash cannot be brute-forced, and the server hashes on every request.
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Cheap shape check before hashing, so junk tokens are refused without work. */
export function looksLikeApiKey(token: string): boolean {
  return KEY_SHAPE.test(token);
}

/** Constant-time comparison of two hex digests. */
export function hashesEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}
