export { buildProgram } from './program.js';
export { run } from './run.js';
export { ExitCode, exitCodeFor } from './lib/exit-codes.js';
export { CliError } from './lib/cli-error.js';
export type { CliContext, CommonOptions } from './lib/context.js';
export { type CliIo, processIo, type Writable } from './lib/io.js';
export { verifyStore, type VerifyOptions, type VerifyProblem, type VerifyReport } from './lib/verify-store.js';
export { parseEventLine, type PortableEvent } from './lib/event-line.js';
