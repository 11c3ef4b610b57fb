import type { EventShape, StoredEvent } from '../types.js';
import type { Projection, ProjectionContext } from './types.js';

type Handlers<E extends EventShape> = {
  [T in E['type']]?: (event: StoredEvent<Extract<E, { type: T }>>, ctx: ProjectionContext) => Promise<unknown> | unknown;
};

/**
 * Define a projection with handlers typed per event type.
 *
 * @example
 * const summaries = defineProjection<AccountEvent>({ name: 'account_summaries', tables: ['account_summaries'], setup, handlers: {
 *   MoneyDeposited: async (e, { sql, table }) => { … e.data.amountCents is typed … },
 * } });
 */
export function defineProjection<E extends EventShape>(
  definition: Omit<Projection<E>, 'handlers'> & { handlers?: Handlers<E> },
): Projection {
  return definition as unknown as Projection;
}
