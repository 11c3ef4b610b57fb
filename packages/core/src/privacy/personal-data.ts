import type { KeyBackend } from '../backend.js';
import { InvalidArgumentError, InvalidEventError } from '../errors.js';
import type { StoredEvent } from '../types.js';

/**
 * Which fields of an event type are personal data, and whose. Personal fields are stored
 * encrypted with a key per subject; `store.forget(subject)` destroys the key, after which
 * those fields read as `REDACTED` everywhere while the rest of the event stays intact.
 *
 * @example
 * personalData: {
 *   UserCreated: { subject: (data, streamId) => streamId, fields: ['contactEmail', 'name'] },
 * }
 */
export interface PersonalDataRule {
  /** Whose data this is, e.g. the user's stream id. */
  subject(data: Record<string, unknown>, streamId: string): string;
  /** Top-level fields of `data` holding personal data. */
  fields: readonly string[];
}

export type PersonalDataRules = Readonly<Record<string, PersonalDataRule>>;

export interface ForgetResult {
  subject: string;
  keysDestroyed: number;
  /** Position of the SubjectForgotten event in the `$audit` stream. */
  auditPosition: bigint;
}

/** What a personal field reads as once its subject has been forgotten. */
export const REDACTED = '[redacted]';

/** How an encrypted field is stored in place of its value. */
interface Envelope {
  $enc: 'cairn-v1';
  /** The key's id (a subject may get a new key after being forgotten). */
  k: string;
  iv: string;
  ct: string;
}

function isEnvelope(value: unknown): value is Envelope {
  return typeof value === 'object' && value !== null && (value as { $enc?: unknown }).$enc === 'cairn-v1';
}

/** WebCrypto's key type, named without relying on the DOM typings. */
type AesKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>;

const b64 = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes));
const unb64 = (text: string): Uint8Array<ArrayBuffer> => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

/** A short-lived cache of imported keys: `forget` in another process takes effect here within `ttlMs`. */
class KeyCache {
  readonly #entries = new Map<string, { key: AesKey | null; at: number }>();
  constructor(readonly ttlMs: number) {}

  get(id: string): AesKey | null | undefined {
    const entry = this.#entries.get(id);
    if (entry === undefined || Date.now() - entry.at > this.ttlMs) return undefined;
    return entry.key;
  }

  set(id: string, key: AesKey | null): void {
    if (this.#entries.size > 10_000) this.#entries.clear();
    this.#entries.set(id, { key, at: Date.now() });
  }

  forget(id: string): void {
    this.#entries.delete(id);
  }
}

export class PersonalDataCipher {
  readonly #rules: PersonalDataRules;
  readonly #keys: KeyBackend;
  readonly #cache: KeyCache;
  readonly #active = new Map<string, { keyId: string; at: number }>();

  constructor(rules: PersonalDataRules, keys: KeyBackend, cacheMs = 30_000) {
    for (const [type, rule] of Object.entries(rules)) {
      if (typeof rule?.subject !== 'function' || !Array.isArray(rule.fields) || rule.fields.length === 0) {
        throw new InvalidArgumentError(`personalData.${type}`, 'expected { subject(data, streamId), fields: [...] }');
      }
    }
    this.#rules = rules;
    this.#keys = keys;
    this.#cache = new KeyCache(cacheMs);
  }

  covers(type: string): boolean {
    return Object.hasOwn(this.#rules, type);
  }

  /** Encrypt the personal fields of one event's data JSON. The IV comes from the event id and field, so a retried append encrypts identically. */
  async encrypt(type: string, streamId: string, eventId: string, dataJson: string, at: string): Promise<string> {
    const rule = this.#rules[type] as PersonalDataRule;
    const data = JSON.parse(dataJson) as unknown;
    if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new InvalidEventError(`${at}.data`, `must be an object: ${type} has personal fields`);
    const record = data as Record<string, unknown>;
    const subject = rule.subject(record, streamId);
    if (typeof subject !== 'string' || subject.length === 0) throw new InvalidEventError(`${at}.data`, `gives no subject for its personal fields (${type})`);
    const { keyId, key } = await this.#activeKey(subject);
    for (const field of rule.fields) {
      if (!(field in record) || record[field] === undefined) continue;
      const iv = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`${eventId}\u0000${field}`))).slice(0, 12);
      const ct = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, new TextEncoder().encode(JSON.stringify(record[field]))));
      record[field] = { $enc: 'cairn-v1', k: keyId, iv: b64(iv), ct: b64(ct) } satisfies Envelope;
    }
    return JSON.stringify(record);
  }

  /** Decrypt what can be decrypted; fields whose key is gone read as REDACTED. */
  async decrypt<E extends StoredEvent>(event: E): Promise<E> {
    const rule = this.#rules[event.type];
    if (rule === undefined || typeof event.data !== 'object' || event.data === null) return event;
    const data = { ...(event.data as Record<string, unknown>) };
    let changed = false;
    for (const field of rule.fields) {
      const value = data[field];
      if (!isEnvelope(value)) continue;
      changed = true;
      const key = await this.#keyById(value.k);
      if (key === null) {
        data[field] = REDACTED;
        continue;
      }
      try {
        const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: unb64(value.iv) }, key, unb64(value.ct));
        data[field] = JSON.parse(new TextDecoder().decode(plain)) as unknown;
      } catch {
        data[field] = REDACTED;
      }
    }
    return changed ? { ...event, data } : event;
  }

  /** Destroy every key of a subject; returns how many were destroyed. */
  async forget(subject: string): Promise<string[]> {
    const ids = await this.#keys.destroyKeys(subject);
    for (const id of ids) this.#cache.forget(id);
    this.#active.delete(subject);
    return ids;
  }

  readonly #creating = new Map<string, Promise<{ keyId: string; key: AesKey }>>();

  /** One lookup-or-create per subject at a time, so one append's events share one key. */
  #activeKey(subject: string): Promise<{ keyId: string; key: AesKey }> {
    let pending = this.#creating.get(subject);
    if (!pending) {
      pending = this.#resolveActiveKey(subject).finally(() => this.#creating.delete(subject));
      this.#creating.set(subject, pending);
    }
    return pending;
  }

  async #resolveActiveKey(subject: string): Promise<{ keyId: string; key: AesKey }> {
    const known = this.#active.get(subject);
    if (known && Date.now() - known.at <= this.#cache.ttlMs) {
      const key = await this.#keyById(known.keyId);
      if (key) return { keyId: known.keyId, key };
    }
    let active = await this.#keys.activeKey(subject);
    active ??= await this.#keys.createKey(subject, crypto.randomUUID(), crypto.getRandomValues(new Uint8Array(32)));
    const key = await importKey(active.material);
    this.#cache.set(active.keyId, key);
    this.#active.set(subject, { keyId: active.keyId, at: Date.now() });
    return { keyId: active.keyId, key };
  }

  async #keyById(keyId: string): Promise<AesKey | null> {
    const cached = this.#cache.get(keyId);
    if (cached !== undefined) return cached;
    const material = await this.#keys.keyById(keyId);
    const key = material === null ? null : await importKey(material);
    this.#cache.set(keyId, key);
    return key;
  }
}

function importKey(material: Uint8Array): Promise<AesKey> {
  return crypto.subtle.importKey('raw', new Uint8Array(material), 'AES-GCM', false, ['encrypt', 'decrypt']);
}
