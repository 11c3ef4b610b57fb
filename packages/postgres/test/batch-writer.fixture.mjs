// Child process for the batch-kill test: appends 1,000-event batches and prints each
// acknowledged one; the parent kills it with SIGKILL while a batch is in flight.
import { createPostgresStore } from '@cairn/postgres';

const [connectionString, schema] = process.argv.slice(2);
const store = createPostgresStore({ connectionString, schema });
await store.migrate();
process.stdout.write('ready\n');
for (let i = 0; ; i++) {
  const streamId = `batch-${i % 3}`;
  const events = Array.from({ length: 1000 }, (_, k) => ({ type: 'Tick', data: { i, k, pad: 'x'.repeat(100) } }));
  const r = await store.append(streamId, events);
  process.stdout.write(`ack ${streamId} ${r.version}\n`);
}
