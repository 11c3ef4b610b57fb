import { CairnError, StoreUnavailableError } from '@cairn/core';

export function pgCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', '57P01', '57P02', '57P03', '08000', '08003', '08006', '08001', '08004']);

/** Turn a driver error into a Cairn error that says what went wrong and what to do. */
export function translateError(error: unknown, operation: string): Error {
  if (error instanceof CairnError) return error;
  const code = pgCode(error);
  const message = (error as Error)?.message ?? String(error);
  if (code !== undefined && CONNECTION_CODES.has(code)) {
    return new StoreUnavailableError(
      `PostgreSQL could not ${operation}: ${message} (${code}). Check that the server is running and reachable; ` +
        'an append that failed this way may or may not have committed, so retry it with the same event ids (retries are idempotent).',
      error,
    );
  }
  if (/timeout|terminated|Connection terminated/i.test(message)) {
    return new StoreUnavailableError(
      `PostgreSQL could not ${operation}: ${message}. The connection was lost; retry with the same event ids (retries are idempotent).`,
      error,
    );
  }
  return new StoreUnavailableError(`PostgreSQL could not ${operation}: ${message}${code ? ` (SQLSTATE ${code})` : ''}.`, error);
}
