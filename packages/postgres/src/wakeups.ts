import { Notifier, type Wakeups } from '@cairn/core';
import type { Client, Pool, PoolConfig } from './driver.js';
import { loadPg } from './driver.js';

/** Coalescing window for outgoing NOTIFYs: bounds their rate under load, adds at most this much latency. */
const NOTIFY_EVERY_MS = 10;
const RECONNECT_MS = 1000;

/**
 * Live wake-ups across processes without slowing writers. A NOTIFY inside the append
 * transaction would serialise every commit on PostgreSQL's notification queue lock, so
 * appends commit first and a separate, coalesced NOTIFY follows (at most one in flight).
 * Subscribers in this process are woken directly. The LISTEN connection is opened only
 * when somebody waits; if it drops, subscribers fall back to polling until it is back.
 */
export class PgWakeups implements Wakeups {
  readonly #notifier = new Notifier();
  readonly #pool: Pool;
  readonly #channel: string;
  readonly #config: PoolConfig;
  readonly #enabled: boolean;
  #listener: Client | undefined;
  #connecting: Promise<void> | undefined;
  #sending = false;
  #dirty = false;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(pool: Pool, config: PoolConfig, channel: string, enabled: boolean) {
    this.#pool = pool;
    this.#config = config;
    this.#channel = channel;
    this.#enabled = enabled;
  }

  get seq(): number {
    return this.#notifier.seq;
  }

  /** Called after an append commits. */
  published(): void {
    this.#notifier.notify();
    if (!this.#enabled || this.#closed) return;
    if (this.#sending || this.#timer) {
      this.#dirty = true;
      return;
    }
    this.#timer = setTimeout(() => this.#send(), NOTIFY_EVERY_MS);
  }

  #send(): void {
    this.#timer = undefined;
    this.#sending = true;
    this.#dirty = false;
    this.#pool
      .query('SELECT pg_notify($1, \'\')', [this.#channel])
      .catch(() => undefined) // polling covers a lost NOTIFY
      .finally(() => {
        this.#sending = false;
        if (this.#dirty && !this.#closed) this.#timer = setTimeout(() => this.#send(), NOTIFY_EVERY_MS);
      });
  }

  async wait(since: number, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (this.#closed) return;
    if (this.#enabled && this.#listener === undefined) void this.#listen();
    await this.#notifier.wait(since, timeoutMs, signal);
  }

  #listen(): Promise<void> {
    this.#connecting ??= (async () => {
      const { Client } = loadPg();
      const client = new Client(this.#config);
      const retry = (): void => {
        if (this.#listener === client) this.#listener = undefined;
        client.end().catch(() => undefined);
        if (!this.#closed) setTimeout(() => void this.#listen(), RECONNECT_MS).unref();
      };
      client.on('error', retry);
      client.on('notification', () => this.#notifier.notify());
      try {
        await client.connect();
        await client.query(`LISTEN "${this.#channel}"`);
        if (this.#closed) {
          await client.end();
          return;
        }
        this.#listener = client;
        client.on('end', retry);
        // Anything committed while we were not listening: make waiters look again.
        this.#notifier.notify();
      } catch {
        retry();
      }
    })().finally(() => {
      this.#connecting = undefined;
    });
    return this.#connecting;
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#notifier.close();
    await this.#connecting;
    const listener = this.#listener;
    this.#listener = undefined;
    await listener?.end().catch(() => undefined);
  }
}
