import type { EventStream } from './types.js';

/** Fetches the next page of a read; undefined when the read is over. */
export type NextPage<T> = () => Promise<T[] | undefined>;

/**
 * An `EventStream` over pages: each iteration starts a fresh read (`open`). Events are
 * handed out of a page buffer by a plain iterator object — one promise per event, no
 * generator machinery — and `toArray` skips per-event promises altogether.
 */
export class PagedEventStream<T> implements EventStream<T> {
  readonly #open: () => Promise<NextPage<T>>;

  constructor(open: () => Promise<NextPage<T>>) {
    this.#open = open;
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return new PageIterator(this.#open);
  }

  async toArray(): Promise<T[]> {
    const next = await this.#open();
    const out: T[] = [];
    for (let page = await next(); page !== undefined; page = await next()) {
      for (const item of page) out.push(item);
    }
    return out;
  }
}

export class PageIterator<T> implements AsyncIterator<T> {
  #buffer: T[] = [];
  #index = 0;
  #next: NextPage<T> | undefined;
  #done = false;
  readonly #open: () => Promise<NextPage<T>>;

  constructor(open: () => Promise<NextPage<T>>) {
    this.#open = open;
  }

  async next(): Promise<IteratorResult<T>> {
    while (this.#index >= this.#buffer.length) {
      if (this.#done) return { done: true, value: undefined };
      this.#next ??= await this.#open();
      const page = await this.#next();
      if (page === undefined) {
        this.#done = true;
        this.#buffer = [];
      } else {
        this.#buffer = page;
        this.#index = 0;
      }
    }
    return { done: false, value: this.#buffer[this.#index++] as T };
  }

  async return(): Promise<IteratorResult<T>> {
    this.#done = true;
    this.#buffer = [];
    return { done: true, value: undefined };
  }
}
