#!/usr/bin/env node
import { run } from './run.js';

const code = await run(process.argv.slice(2));
process.exitCode = code;
// Stores are closed by now; should some handle linger (a driver's idle timer), it must not
// keep a finished command alive.
setTimeout(() => process.exit(code), 1000).unref();
