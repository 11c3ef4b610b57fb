import type { EventInput, EventStore, EventStoreOptions } from '@cairn/core';
import { expect } from 'vitest';

/** How the conformance suite gets stores. Each `create()` must return a fresh, empty store. */
export interface StoreHarness {
  /** A fresh, empty store, created with these options (limits, upcasters). */
  create(options?: EventStoreOptions): Promise<EventStore>;
  /**
   * A new handle on the data of `store` (already closed by the caller). Leave it out for
   * stores that keep nothing after close, such as the memory store.
   */
  reopen?(store: EventStore, options?: EventStoreOptions): Promise<EventStore>;
  /** Release what `create` made (databases, files). Runs once after the suite. */
  cleanup?(): Promise<void>;
  /** How long the concurrent-writers test writes, in ms. Default 3,000. */
  concurrencyMs?: number;
}

export interface Suite {
  harness: StoreHarness;
  /** Opens a fresh store and closes it when the test ends. */
  open(options?: EventStoreOptions): Promise<EventStore>;
}

let streamCounter = 0;

/** A stream id unique within the test run. */
export function uniqueStream(category = 'test'): string {
  return `${category}-${process.pid}x${++streamCounter}`;
}

export function deposit(amountCents: number, extra: Partial<EventInput> = {}): EventInput {
  return { type: 'MoneyDeposited', data: { accountId: 'acc', amountCents, note: 'n'.repeat(8) }, ...extra };
}

/** Await `promise` and check it rejects with a Cairn error carrying `code`; returns the error. */
export async function expectCode<T = Record<string, unknown>>(promise: Promise<unknown> | (() => unknown), code: string): Promise<T> {
  let error: unknown;
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (e) {
    error = e;
  }
  expect(error, `expected an error with code ${code}`).toBeInstanceOf(Error);
  expect((error as { code?: string }).code, (error as Error).message).toBe(code);
  return error as T;
}

/** Assert that nothing was written: same head, no stream. */
export async function expectNothingWritten(store: EventStore, head: bigint, streamId?: string): Promise<void> {
  expect(await store.headPosition()).toBe(head);
  if (streamId !== undefined) expect(await store.streamInfo(streamId)).toBeNull();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
