import fc from 'fast-check';

/**
 * Seeded, bounded fuzz runs. The seed comes from CAIRN_FUZZ_SEED when set (to replay a
 * failure) and is printed either way; a failure names the seed and the shrink path, so
 * `CAIRN_FUZZ_SEED=<seed> npx vitest run <file>` reproduces it exactly.
 */
export function fuzzSeed(): number {
  const fromEnv = process.env.CAIRN_FUZZ_SEED;
  if (fromEnv !== undefined && fromEnv !== '') return Number(fromEnv);
  return Math.floor(Math.random() * 2 ** 31);
}

/** Cases per property; CAIRN_FUZZ_RUNS overrides it for a longer soak. */
export function fuzzRuns(fallback: number): number {
  const fromEnv = Number(process.env.CAIRN_FUZZ_RUNS);
  return Number.isSafeInteger(fromEnv) && fromEnv > 0 ? fromEnv : fallback;
}

export class FuzzTally {
  readonly name: string;
  cases = 0;
  readonly outcomes = new Map<string, number>();

  constructor(name: string) {
    this.name = name;
  }

  count(outcome: string | number): void {
    this.outcomes.set(String(outcome), (this.outcomes.get(String(outcome)) ?? 0) + 1);
  }

  summary(): string {
    const parts = [...this.outcomes.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}×${v}`);
    return `[fuzz] ${this.name}: ${this.cases} cases; ${parts.join(' ')}`;
  }

  fiveHundreds(): number {
    let n = 0;
    for (const [k, v] of this.outcomes) if (/^5\d\d$/.test(k)) n += v;
    return n;
  }
}

/**
 * Run `check` on `runs` generated values. Throws (with seed and path) on the first value
 * whose check throws, after shrinking it to a smaller one.
 */
export async function fuzz<T>(name: string, arbitrary: fc.Arbitrary<T>, runs: number, check: (value: T, tally: FuzzTally) => Promise<void>): Promise<FuzzTally> {
  const seed = fuzzSeed();
  const tally = new FuzzTally(name);
  console.log(`[fuzz] ${name}: seed ${seed}, ${runs} cases (replay with CAIRN_FUZZ_SEED=${seed})`);
  try {
    await fc.assert(
      fc.asyncProperty(arbitrary, async (value) => {
        tally.cases++;
        await check(value, tally);
      }),
      { seed, numRuns: runs },
    );
  } catch (error) {
    // fast-check keeps the property's own error as the cause: that is the interesting part.
    const message = error instanceof Error ? error.message : String(error);
    const cause = error instanceof Error && error.cause instanceof Error ? `\n${error.cause.message}` : '';
    throw new Error(`${name} failed; replay with CAIRN_FUZZ_SEED=${seed}\n${message}${cause}`);
  }
  console.log(tally.summary());
  return tally;
}
