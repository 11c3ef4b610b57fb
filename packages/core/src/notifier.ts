import type { Wakeups } from './backend.js';

/**
 * The in-process implementation of `Wakeups`. A sequence number instead of a plain event
 * emitter closes the race between "query found nothing" and "start waiting": a wake-up
 * that lands in between moves `seq`, so the wait returns at once.
 */
export class Notifier implements Wakeups {
  #seq = 0;
  #waiters = new Set<() => void>();

  get seq(): number {
    return this.#seq;
  }

  notify(): void {
    this.#seq++;
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const wake of waiters) wake();
  }

  wait(since: number, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (this.#seq !== since || signal?.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.#waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /** Wake every waiter, e.g. on close. */
  close(): void {
    this.notify();
  }
}
