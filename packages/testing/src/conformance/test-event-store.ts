import type { EventStore } from '@cairn/core';
import { afterAll, afterEach, describe } from 'vitest';
import { appendTests } from './append.js';
import { concurrencyTests } from './concurrency.js';
import type { StoreHarness, Suite } from './harness.js';
import { idempotencyTests } from './idempotency.js';
import { modelTests } from './model.js';
import { persistenceTests } from './persistence.js';
import { readTests } from './read.js';
import { subscribeTests } from './subscribe.js';
import { dcbTests } from './dcb.js';
import { domainTests } from './domain.js';
import { integrityTests } from './integrity.js';
import { privacyTests } from './privacy.js';
import { projectionTests } from './projections.js';
import { snapshotStoreTests } from './snapshots.js';
import { upcastingTests } from './upcasting.js';
import { validationTests } from './validation.js';

export interface ConformanceOptions {
  /** Runs of the model-based property tests. Default 25. */
  modelRuns?: number;
}

/**
 * The event store conformance suite: every Cairn store runs it, and so can yours.
 *
 * @example
 * // my-store.int.test.ts
 * import { testEventStore } from '@cairn/testing';
 * testEventStore('my store', { create: async () => createMyStore() });
 */
export function testEventStore(name: string, harness: StoreHarness, options: ConformanceOptions = {}): void {
  describe(`event store conformance: ${name}`, () => {
    const open: EventStore[] = [];
    const suite: Suite = {
      harness,
      async open(storeOptions) {
        const store = await harness.create(storeOptions);
        open.push(store);
        return store;
      },
    };
    afterEach(async () => {
      await Promise.all(open.splice(0).map((s) => s.close()));
    });
    afterAll(async () => {
      await harness.cleanup?.();
    });

    appendTests(suite);
    idempotencyTests(suite);
    validationTests(suite);
    readTests(suite);
    subscribeTests(suite);
    concurrencyTests(suite);
    persistenceTests(suite);
    modelTests(suite, options.modelRuns ?? 25);
    upcastingTests(suite);
    snapshotStoreTests(suite);
    domainTests(suite, options.modelRuns ?? 25);
    dcbTests(suite, options.modelRuns ?? 25);
    projectionTests(suite);
    integrityTests(suite);
    privacyTests(suite);
  });
}
