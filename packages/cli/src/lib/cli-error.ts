import type { ExitCode } from './exit-codes.js';

/** An error the CLI raises itself, with its code and exit code decided at the throw. */
export class CliError extends Error {
  readonly code: string;
  readonly exitCode: ExitCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: string, message: string, exitCode: ExitCode, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'CliError';
    this.code = code;
    this.exitCode = exitCode;
    this.details = details;
  }
}

/** Bad input on the command line: exit code 2. */
export function usageError(code: string, message: string): CliError {
  return new CliError(code, message, 2);
}

/** Something asked for does not exist: exit code 4. */
export function notFound(code: string, message: string): CliError {
  return new CliError(code, message, 4);
}
