import './route-docs.js';
import type { ServerExtension } from '@cairn/server';
import type { Ledger } from '../ledger.js';
import { accountsRoutes } from './accounts-routes.js';
import { customersRoutes } from './customers-routes.js';
import { historyRoutes } from './history-routes.js';
import { transfersRoutes } from './transfers-routes.js';

/**
 * HTTP status of the ledger's domain errors (pass to `buildServer({ errorStatus })`): a
 * command against the current state of things is 409, an unknown account 404, and a broken
 * rule about the command itself stays 422 (the server's default for domain errors).
 */
export const LEDGER_ERROR_STATUS: Readonly<Record<string, number>> = Object.freeze({
  ACCOUNT_ALREADY_OPEN: 409,
  ACCOUNT_CLOSED: 409,
  ACCOUNT_NOT_OPEN: 404,
  USER_EXISTS: 409,
  USER_INACTIVE: 409,
  INSUFFICIENT_FUNDS: 422,
  INVALID_AMOUNT: 422,
  TRANSFER_NOT_POSSIBLE: 422,
});

/**
 * The ledger's commands and queries over HTTP, next to the Cairn API (under `/ledger` by
 * default). Commands need `write`, queries `read`, forgetting a customer `admin`.
 *
 * @example
 * buildServer({ store, extensions: [ledgerExtension(ledger)], errorStatus: LEDGER_ERROR_STATUS });
 */
export function ledgerExtension(ledger: Ledger, options: { prefix?: string } = {}): ServerExtension {
  return {
    name: 'ledger',
    prefix: options.prefix ?? '/ledger',
    plugin: async (app) => {
      await accountsRoutes(app, ledger);
      await historyRoutes(app, ledger);
      await transfersRoutes(app, ledger);
      await customersRoutes(app, ledger);
    },
  };
}
