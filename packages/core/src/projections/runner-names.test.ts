import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors.js';
import { createMemoryStore } from '../memory/create-memory-store.js';
import { defineProjection } from './define-projection.js';
import { createProjectionRunner } from './runner.js';

// Projection and table names go into SQL text as identifiers (CREATE TABLE, views per
// generation): only plain lower-case identifiers may get there.
describe('projection runner: names that become SQL identifiers', () => {
  const make = (name: string, tables: string[]) => () =>
    createProjectionRunner({ store: createMemoryStore(), projections: [defineProjection({ name, tables, handle: () => {} })] });

  it('accepts plain lower-case identifiers', () => {
    expect(make('balances', ['balances', 'balance_history_2'])).not.toThrow();
  });

  it.each(['x; DROP TABLE events', 'Balances', 'a"b', 'a.b', '1abc', '', 'x'.repeat(60), 'bal ances'])('refuses the table name %j', (table) => {
    expect(make('balances', [table])).toThrow(InvalidArgumentError);
  });

  it('refuses a projection name that is not an identifier', () => {
    expect(make('x; DROP TABLE events', [])).toThrow(InvalidArgumentError);
  });
});
