/**
 * Where a command reads and writes. The real process by default; tests and programs that
 * embed the CLI pass their own. Data goes to stdout, messages and progress to stderr.
 */
export interface CliIo {
  stdout: Writable;
  stderr: Writable;
  env: Readonly<Record<string, string | undefined>>;
  /** Aborted when the user asks to stop (Ctrl-C / SIGTERM), for commands that claimed interrupts. */
  interrupted: AbortSignal;
  /**
   * Called by long-running commands that stop cleanly on Ctrl-C (serve, tail, import…).
   * Until a command claims them, Ctrl-C ends the process at once, as usual.
   */
  claimInterrupts(): void;
}

export interface Writable {
  write(chunk: string): boolean;
  isTTY?: boolean;
  columns?: number;
  once?(event: 'drain', listener: () => void): unknown;
}

/**
 * The real process. The first Ctrl-C (or SIGTERM) aborts `interrupted` when a command claimed
 * interrupts, else exits with 130; a second one always exits at once.
 */
export function processIo(): CliIo {
  const controller = new AbortController();
  let claimed = false;
  const onSignal = (): void => {
    if (!claimed || controller.signal.aborted) process.exit(130);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // A reader that goes away (`cairn export | head`) closes the pipe: stop quietly, as Unix
  // tools do, instead of dying of an unhandled EPIPE with a stack trace. Whatever a command
  // stored is committed before it prints; what was left to print has no reader.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    process.stderr.write(`error OUTPUT_FAILED: writing to stdout failed (${error.code ?? error.message})\n`);
    process.exit(1);
  });
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    interrupted: controller.signal,
    claimInterrupts: () => {
      claimed = true;
    },
  };
}

/** Write and wait for the pipe to drain when it is full, so piping a huge export uses flat memory. */
export async function writeOut(stream: Writable, chunk: string): Promise<void> {
  if (stream.write(chunk) || !stream.once) return;
  await new Promise<void>((resolve) => stream.once?.('drain', resolve));
}
