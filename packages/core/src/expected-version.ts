import { ConcurrencyError } from './errors.js';
import type { ExpectedVersion } from './types.js';

/** True when a stream currently at `actual` (0 = absent) satisfies `expected`. */
export function versionMatches(expected: ExpectedVersion, actual: number): boolean {
  switch (expected) {
    case 'any':
      return true;
    case 'no-stream':
      return actual === 0;
    case 'exists':
      return actual > 0;
    default:
      return actual === expected;
  }
}

/** Throw `ConcurrencyError` unless a stream at `actual` satisfies `expected`. */
export function assertExpectedVersion(streamId: string, expected: ExpectedVersion, actual: number): void {
  if (!versionMatches(expected, actual)) throw new ConcurrencyError(streamId, expected, actual);
}

/** The category of a stream id: the part before the first `-`. */
export function categoryOf(streamId: string): string {
  const dash = streamId.indexOf('-');
  return dash === -1 ? streamId : streamId.slice(0, dash);
}
