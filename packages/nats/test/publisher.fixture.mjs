// Child process for the publisher restart test: runs a NATS JetStream publisher (the outbox)
// on a store and reports every ack on stdout. Runs the compiled packages (dist/).
//
//   node publisher.fixture.mjs '{"url":"postgres://…?schema=s","natsUrl":"nats://127.0.0.1:4222","stream":"S","batchSize":25,"ackDelayMs":5}'
//
// stdout, one line each:
//   ready <pid>
//   ack <eventId> <position> <seq> <duplicate 0|1>   JetStream acked the publish (the checkpoint has not moved yet)
//   idle                                             caught up (with "exitWhenIdle"; then it stops and exits 0)
//   holding                                          with "holdAfter": n, after the n-th ack: it never goes on,
//                                                    so the kill lands between those acks and the page's checkpoint
//
// `ackDelayMs` waits after each ack, before the next publish: the page's checkpoint moves only
// after its last ack, so a kill during a page lands between acks and the checkpoint.
import { createProjectionRunner, openStore } from '@cairn/core';
import { natsPublisher } from '@cairn/nats';

const o = JSON.parse(process.argv[2] ?? '{}');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let acked = 0;

const publisher = natsPublisher({
  servers: o.natsUrl,
  stream: o.stream,
  subject: (e) => `${o.stream}.${e.type}`,
  types: ['Deposited', 'Withdrawn'],
  onPublished: async (e, ack) => {
    process.stdout.write(`ack ${e.eventId} ${e.position} ${ack.seq} ${ack.duplicate ? 1 : 0}\n`);
    if (++acked === o.holdAfter) {
      process.stdout.write('holding\n');
      await new Promise(() => undefined);
    }
    if (o.ackDelayMs) await sleep(o.ackDelayMs);
  },
});

const store = await openStore(o.url);
const runner = createProjectionRunner({ store, projections: [publisher], batchSize: o.batchSize ?? 200, superviseMs: 200, pollIntervalMs: 200 });

let stopping = false;
async function shutdown() {
  if (stopping) return;
  stopping = true;
  await runner.stop();
  await publisher.close();
  await store.close();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown());

await runner.start();
process.stdout.write(`ready ${process.pid}\n`);
if (o.exitWhenIdle) {
  await runner.idle(60_000);
  process.stdout.write('idle\n');
  await shutdown();
}
