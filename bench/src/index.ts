export { type BenchReport, runBench } from './run-bench.js';
export { type BenchOptions, BenchUsageError, DEFAULT_DATABASE_URL, parseCommandLine, USAGE } from './options.js';
export { formatMarkdown } from './report/markdown.js';
export { toJson, writeResults } from './report/json-file.js';
export type { Measured, ResultRow, Status } from './result.js';
export type { StoreDescription, StoreKind } from './env/arena.js';
export type { Machine } from './machine.js';
export { WORKLOAD_IDS } from './workloads/registry.js';
