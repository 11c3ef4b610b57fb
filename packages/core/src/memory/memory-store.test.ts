import { testEventStore } from '@cairn/testing';
import { createMemoryStore } from '../index.js';

testEventStore('memory', { create: async () => createMemoryStore(), concurrencyMs: 1500 }, { modelRuns: 60 });
