/**
 * Entry point of W6's child process: one catch-up read in a fresh process, so the RSS it
 * reports belongs to the read alone and not to whatever the parent allocated before.
 * Usage: node w6-child.js '<CatchUpJob as JSON>'; prints the measurement as one JSON line.
 */
import { catchUp, type CatchUpJob } from './w6-reader.js';

const job = JSON.parse(process.argv[2] ?? '{}') as CatchUpJob;
catchUp(job).then(
  (measurement) => {
    process.stdout.write(`${JSON.stringify(measurement)}\n`);
  },
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
