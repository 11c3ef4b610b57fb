import { CairnError, StoreUnavailableError } from '@cairn/core';

/** better-sqlite3 errors carry an extended result code such as SQLITE_FULL. */
export function sqliteCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** Turn a driver error into a Cairn error that says what to do; Cairn errors pass through. */
export function translateError(error: unknown, operation: string): Error {
  if (error instanceof CairnError) return error;
  const code = sqliteCode(error) ?? 'unknown';
  // Not from SQLite (e.g. an inline projection's own error): pass it on as it is.
  if (!code.startsWith('SQLITE') && error instanceof Error) return error;
  const message = (error as Error).message ?? String(error);
  const advice: Record<string, string> = {
    SQLITE_BUSY: 'another process holds the write lock for longer than busyTimeoutMs; retry, or raise busyTimeoutMs',
    SQLITE_FULL: 'the disk is full; free space and retry (nothing of this append was stored)',
    SQLITE_READONLY: 'the database file or its directory is read-only; fix the permissions',
    SQLITE_IOERR: 'the disk reported an I/O error; check the device',
    SQLITE_CANTOPEN: 'the database file cannot be opened; check that its directory exists and is writable',
    SQLITE_CORRUPT: 'the database file is damaged; restore it from a backup',
    SQLITE_NOTADB: 'the file is not a SQLite database',
  };
  const key = Object.keys(advice).find((k) => code.startsWith(k));
  return new StoreUnavailableError(
    `SQLite could not ${operation}: ${message} (${code}). ${capitalize(key ? (advice[key] as string) : 'see the cause for details')}.`,
    error,
  );
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
