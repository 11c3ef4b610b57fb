import { testEventStore } from '@cairn/testing';
import { createMemoryStore } from '../index.js';

testEventStore('memory', { create: async (options) => createMemoryStore(options), concurrencyMs: 1500 }, { modelRuns: 60 });
