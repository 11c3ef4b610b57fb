import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventStore } from '@cairn/core';
import { testEventStore } from '@cairn/testing';
import { createSqliteStore } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'cairn-sqlite-'));
const paths = new WeakMap<EventStore, string>();
let n = 0;

testEventStore('sqlite (file, synchronous=full)', {
  async create(options) {
    const path = join(dir, `store-${++n}.db`);
    const store = createSqliteStore({ path, ...options });
    paths.set(store, path);
    return store;
  },
  async reopen(store, options) {
    const path = paths.get(store) as string;
    const again = createSqliteStore({ path, ...options });
    paths.set(again, path);
    return again;
  },
  async cleanup() {
    rmSync(dir, { recursive: true, force: true });
  },
});

testEventStore(
  'sqlite (:memory:, no group commit)',
  { create: async (options) => createSqliteStore({ path: ':memory:', groupCommit: false, ...options }), concurrencyMs: 1000 },
  { modelRuns: 10 },
);
