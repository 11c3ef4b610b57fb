import { isCairnError } from '@cairn/core';
import { CliError } from './cli-error.js';

/**
 * Exit codes of every command, stable for scripts:
 *
 * | code | meaning                                                                      |
 * |------|------------------------------------------------------------------------------|
 * | 0    | success                                                                      |
 * | 1    | failure: the store is unreachable, a bug, anything not listed below          |
 * | 2    | usage: unknown command or option, bad value, invalid JSON or event, bad URL  |
 * | 3    | conflict: expected version did not hold, or an event id holds other content  |
 * | 4    | not found: unknown stream, key or database file                              |
 * | 5    | integrity: `cairn verify` found a problem                                    |
 * | 130  | interrupted (Ctrl-C) before the work was done                                |
 */
export const ExitCode = {
  OK: 0,
  ERROR: 1,
  USAGE: 2,
  CONFLICT: 3,
  NOT_FOUND: 4,
  INTEGRITY: 5,
  INTERRUPTED: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

const BY_CODE: Record<string, ExitCode> = {
  CONCURRENCY: ExitCode.CONFLICT,
  IDEMPOTENCY_CONFLICT: ExitCode.CONFLICT,
  STREAM_NOT_FOUND: ExitCode.NOT_FOUND,
  API_KEY_NOT_FOUND: ExitCode.NOT_FOUND,
  STORE_NOT_FOUND: ExitCode.NOT_FOUND,
  INVALID_EVENT: ExitCode.USAGE,
  INVALID_STREAM_ID: ExitCode.USAGE,
  INVALID_ARGUMENT: ExitCode.USAGE,
  EVENT_TOO_LARGE: ExitCode.USAGE,
  BATCH_TOO_LARGE: ExitCode.USAGE,
  UNSUPPORTED_STORE_URL: ExitCode.USAGE,
  INTEGRITY: ExitCode.INTEGRITY,
  INTERRUPTED: ExitCode.INTERRUPTED,
};

export function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof CliError) return error.exitCode;
  if (isCairnError(error)) return BY_CODE[error.code] ?? ExitCode.ERROR;
  return ExitCode.ERROR;
}
