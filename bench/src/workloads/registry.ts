import { dcbConditionalAppend } from './dcb-conditional-append.js';
import { httpAppend } from './http-append.js';
import { p1ProjectionCatchUp } from './p1-projection-catch-up.js';
import { p2ProjectionLag } from './p2-projection-lag.js';
import { w1SingleWriter } from './w1-single-writer.js';
import { w2ConcurrentWriters } from './w2-concurrent-writers.js';
import { w3BatchAppend } from './w3-batch-append.js';
import { w4ReadStream } from './w4-read-stream.js';
import { w5ContendedStream } from './w5-contended-stream.js';
import { w6CatchUp } from './w6-catch-up.js';
import { w7LiveDelivery } from './w7-live-delivery.js';
import { w8AggregateSnapshots } from './w8-aggregate-snapshots.js';
import type { Workload } from './workload.js';

/** Every workload, in table order. W1–W8 are BENCH.md's; HTTP (through `cairn serve`), DCB (conditional appends, issue 10) and P1–P2 (projections) have no BENCH.md target yet. */
export const WORKLOADS: readonly Workload[] = [
  w1SingleWriter,
  w2ConcurrentWriters,
  w3BatchAppend,
  w4ReadStream,
  w5ContendedStream,
  w6CatchUp,
  w7LiveDelivery,
  w8AggregateSnapshots,
  httpAppend,
  dcbConditionalAppend,
  p1ProjectionCatchUp,
  p2ProjectionLag,
];

export const WORKLOAD_IDS: readonly string[] = WORKLOADS.map((w) => w.id);
