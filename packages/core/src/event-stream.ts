import type { EventStream } from './types.js';

/** An `EventStream` over a generator factory: each iteration starts a fresh read. */
export class LazyEventStream<T> implements EventStream<T> {
  readonly #open: () => AsyncGenerator<T>;

  constructor(open: () => AsyncGenerator<T>) {
    this.#open = open;
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return this.#open();
  }

  async toArray(): Promise<T[]> {
    const out: T[] = [];
    for await (const item of this) out.push(item);
    return out;
  }
}
