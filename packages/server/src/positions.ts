import { InvalidArgumentError, type Position } from '@cairn/core';

/** PostgreSQL's bigint ceiling: the largest position any store can hand out. */
export const MAX_POSITION = 9_223_372_036_854_775_807n;

/** The JSON schema pattern of a position: a decimal string without sign or leading zeros. */
export const POSITION_PATTERN = '^(0|[1-9][0-9]{0,18})$';

/** Parse a decimal position from a query string, header or NDJSON line. */
export function parsePosition(text: string, name: string): Position {
  if (!/^(0|[1-9][0-9]{0,18})$/.test(text)) {
    throw new InvalidArgumentError(name, `expected a position as a decimal string (e.g. "42"), got ${JSON.stringify(text.slice(0, 40))}`);
  }
  const value = BigInt(text);
  if (value > MAX_POSITION) throw new InvalidArgumentError(name, `${text} is beyond the largest position (${MAX_POSITION})`);
  return value;
}
