import type { ExpectedVersion, Position } from '@cairn/core';
import { InvalidArgumentError } from 'commander';

/**
 * Option parsers for commander. They throw commander's InvalidArgumentError, so a bad value
 * is reported like any other usage error ("option '--limit <n>' argument 'x' is invalid…").
 */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^[0-9]+$/.test(value) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('Expected a whole number of 1 or more.');
  return n;
}

export function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!/^[0-9]+$/.test(value) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('Expected a whole number of 0 or more.');
  return n;
}

export function port(value: string): number {
  const n = Number(value);
  if (!/^[0-9]+$/.test(value) || n > 65535) throw new InvalidArgumentError('Expected a port from 0 to 65535.');
  return n;
}

/** PostgreSQL's bigint ceiling, the largest position a store hands out. */
const MAX_POSITION = 9_223_372_036_854_775_807n;

export function position(value: string): Position {
  if (!/^(0|[1-9][0-9]{0,18})$/.test(value) || BigInt(value) > MAX_POSITION) {
    throw new InvalidArgumentError('Expected a position: a whole number from 0 to 9223372036854775807.');
  }
  return BigInt(value);
}

export function expectedVersion(value: string): ExpectedVersion {
  if (value === 'any' || value === 'no-stream' || value === 'exists') return value;
  return nonNegativeInt(value);
}

export function json(value: string): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch (error) {
    throw new InvalidArgumentError(`Not valid JSON (${(error as Error).message}).`);
  }
}

export function jsonObject(value: string): Record<string, unknown> {
  const parsed = json(value);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new InvalidArgumentError('Expected a JSON object such as {"actor":"ada"}.');
  return parsed as Record<string, unknown>;
}

/** For repeatable options: `--type A --type B,C` → ['A', 'B', 'C']. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((v) => v.trim()).filter((v) => v.length > 0)];
}

export function isoDate(value: string): Date {
  const date = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(date.getTime())) throw new InvalidArgumentError('Expected an ISO-8601 instant such as 2026-01-01T00:00:00Z.');
  return date;
}
