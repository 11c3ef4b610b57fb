import { createMemoryStore } from '@cairn/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey, hashApiKey, hashesEqual } from './api-key.js';
import { KeyRing } from './key-ring.js';
import { createApiKey } from './manage-keys.js';

/**
 * Checking a key must not tell an attacker how much of a guess was right. A key is 256 random
 * bits; the server hashes the presented token (SHA-256) and compares digests in constant time,
 * so the time taken does not depend on where a wrong key first differs from a real one. This
 * measures it, within reason: medians of interleaved rounds, compared with a wide margin
 * (a shared CI machine is noisy; a leak of the kind that matters is a factor, not percent).
 */

const ROUNDS = 31;
const PER_ROUND = 1_500;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/** Median time per call of each function, measured in interleaved rounds. */
function time(fns: Record<string, () => unknown>): Record<string, number> {
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(fns).map((k) => [k, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, fn] of Object.entries(fns)) {
      const started = process.hrtime.bigint();
      for (let i = 0; i < PER_ROUND; i++) fn();
      samples[name]?.push(Number(process.hrtime.bigint() - started) / PER_ROUND);
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
}

describe('API key checks take the same time wherever a wrong key differs', () => {
  const store = createMemoryStore();
  const ring = new KeyRing(store);
  let key: string;
  beforeAll(async () => {
    key = (await createApiKey(store, { name: 'timing', roles: ['read'] })).key;
    await ring.start();
  });
  afterAll(() => ring.stop());

  const flip = (text: string, at: number): string => text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1);

  it('keys are 256 random bits behind a recognisable prefix, stored as SHA-256 only', () => {
    const a = generateApiKey();
    expect(a).toMatch(/^cairn_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a.slice(6), 'base64url')).toHaveLength(32);
    expect(new Set(Array.from({ length: 1000 }, generateApiKey)).size).toBe(1000);
    expect(hashApiKey(a)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('authenticate: a wrong first character costs what a wrong last character costs', () => {
    const early = flip(key, 6);
    const late = flip(key, key.length - 1);
    expect(ring.authenticate(key)?.name).toBe('timing');
    expect(ring.authenticate(early)).toBeUndefined();
    expect(ring.authenticate(late)).toBeUndefined();
    const t = time({ early: () => ring.authenticate(early), late: () => ring.authenticate(late) });
    const ratio = (t.early as number) / (t.late as number);
    console.log(`[key timing] authenticate, mismatch at the first vs the last character: ${t.early?.toFixed(0)} vs ${t.late?.toFixed(0)} ns/call (ratio ${ratio.toFixed(3)})`);
    expect(ratio).toBeGreaterThan(0.75);
    expect(ratio).toBeLessThan(1.33);
  });

  it('digest comparison: a difference in the first byte costs what one in the last byte costs', () => {
    const stored = hashApiKey(key);
    const first = (stored[0] === '0' ? '1' : '0') + stored.slice(1);
    const last = stored.slice(0, -1) + (stored.at(-1) === '0' ? '1' : '0');
    expect(hashesEqual(stored, stored)).toBe(true);
    expect(hashesEqual(stored, first)).toBe(false);
    expect(hashesEqual(stored, 'zz')).toBe(false);
    const t = time({ first: () => hashesEqual(stored, first), last: () => hashesEqual(stored, last) });
    const ratio = (t.first as number) / (t.last as number);
    console.log(`[key timing] digest compare, first vs last byte different: ${t.first?.toFixed(0)} vs ${t.last?.toFixed(0)} ns/call (ratio ${ratio.toFixed(3)})`);
    expect(ratio).toBeGreaterThan(0.75);
    expect(ratio).toBeLessThan(1.33);
  });
});
