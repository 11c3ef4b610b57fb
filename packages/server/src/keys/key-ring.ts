import { type EventStore, isCairnError, type StoredEvent } from '@cairn/core';
import type { Role } from '../roles.js';
import { hashApiKey, hashesEqual, looksLikeApiKey } from './api-key.js';
import { applyKeyEvent, KEYS_STREAM, type KeyRecord } from './key-events.js';

/** Who is calling: the key that authenticated the request. */
export interface Principal {
  keyId: string;
  name: string;
  roles: readonly Role[];
  /** When set, the key may only touch streams whose id starts with it. */
  streamPrefix?: string;
}

export interface KeyRingOptions {
  /** Wait before re-following `$keys` after a store error. Default 1,000 ms. */
  retryMs?: number;
  onError?: (error: unknown) => void;
}

/**
 * The server's live view of `$keys`. It loads the stream once, then follows it with a
 * subscription (including system streams), so keys created or revoked by another process,
 * such as the CLI, take effect without a restart. Authentication itself never touches the
 * database: one hash and one map lookup per request.
 */
export class KeyRing {
  readonly #store: EventStore;
  readonly #retryMs: number;
  readonly #onError: (error: unknown) => void;
  readonly #byId = new Map<string, KeyRecord>();
  #byHash = new Map<string, KeyRecord>();
  /** Version of `$keys` applied so far: events are applied exactly once, in order. */
  #version = 0;
  readonly #stop = new AbortController();
  #following: Promise<void> | undefined;

  constructor(store: EventStore, options: KeyRingOptions = {}) {
    this.#store = store;
    this.#retryMs = options.retryMs ?? 1000;
    this.#onError = options.onError ?? (() => {});
  }

  /** Load the keys, then follow changes in the background until `stop()`. */
  async start(): Promise<void> {
    await this.#catchUp();
    this.#following ??= this.#follow();
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#following;
  }

  /** The principal for a bearer token, or undefined for an unknown, malformed or revoked key. */
  authenticate(token: string): Principal | undefined {
    if (!looksLikeApiKey(token)) return undefined;
    const hash = hashApiKey(token);
    const record = this.#byHash.get(hash);
    // The map finds the candidate; the constant-time compare is what decides.
    if (!record || record.revokedAt !== undefined || !hashesEqual(record.hash, hash)) return undefined;
    return {
      keyId: record.keyId,
      name: record.name,
      roles: record.roles,
      ...(record.streamPrefix !== undefined ? { streamPrefix: record.streamPrefix } : {}),
    };
  }

  /** False once the key is revoked: long-lived requests (SSE) check it and end. */
  isActive(keyId: string): boolean {
    const record = this.#byId.get(keyId);
    return record !== undefined && record.revokedAt === undefined;
  }

  get size(): number {
    return this.#byHash.size;
  }

  async #catchUp(): Promise<void> {
    for await (const event of this.#store.readStream(KEYS_STREAM, { from: this.#version + 1 })) this.#apply(event);
  }

  #apply(event: StoredEvent): void {
    if (event.version !== this.#version + 1) return;
    applyKeyEvent(this.#byId, event);
    this.#version = event.version;
    const byHash = new Map<string, KeyRecord>();
    for (const record of this.#byId.values()) if (record.revokedAt === undefined) byHash.set(record.hash, record);
    this.#byHash = byHash;
  }

  async #follow(): Promise<void> {
    const signal = this.#stop.signal;
    while (!signal.aborted) {
      try {
        // Head first, then catch up: anything appended in between arrives twice and the
        // version check drops the repeat, so nothing falls between read and subscription.
        const after = await this.#store.headPosition();
        await this.#catchUp();
        for await (const event of this.#store.subscribe({ after, categories: [KEYS_STREAM], includeSystem: true, signal })) {
          if (event.streamId !== KEYS_STREAM || event.version <= this.#version) continue;
          if (event.version > this.#version + 1) await this.#catchUp();
          else this.#apply(event);
        }
      } catch (error) {
        // A closed store will not come back; any other failure is retried.
        if (signal.aborted || isCairnError(error, 'STORE_CLOSED')) return;
        this.#onError(error);
        await sleep(this.#retryMs, signal);
      }
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
