import { Notifier, type Wakeups } from '@cairn/core';

const WATCH_MS = 5;

/**
 * Wake-ups for SQLite subscribers. Appends from this process notify at once; commits from
 * other processes on the same file are noticed by watching `PRAGMA data_version`, which
 * changes whenever another connection commits. The watch runs only while someone waits.
 */
export class SqliteWakeups implements Wakeups {
  readonly #notifier = new Notifier();
  readonly #dataVersion: () => number;
  #waiting = 0;
  #timer: NodeJS.Timeout | undefined;
  #lastDataVersion = -1;
  #closed = false;

  constructor(dataVersion: () => number) {
    this.#dataVersion = dataVersion;
  }

  get seq(): number {
    return this.#notifier.seq;
  }

  notify(): void {
    this.#notifier.notify();
  }

  async wait(since: number, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (this.#closed) return;
    this.#waiting++;
    this.#watch();
    try {
      await this.#notifier.wait(since, timeoutMs, signal);
    } finally {
      if (--this.#waiting === 0 && this.#timer) {
        clearInterval(this.#timer);
        this.#timer = undefined;
      }
    }
  }

  #watch(): void {
    if (this.#timer) return;
    try {
      this.#lastDataVersion = this.#dataVersion();
    } catch {
      return;
    }
    this.#timer = setInterval(() => {
      let current: number;
      try {
        current = this.#dataVersion();
      } catch {
        return; // closed under us; close() wakes everyone
      }
      if (current !== this.#lastDataVersion) {
        this.#lastDataVersion = current;
        this.#notifier.notify();
      }
    }, WATCH_MS);
    this.#timer.unref();
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#notifier.close();
  }
}
