// Child process for the crash test: appends as fast as it can from 4 concurrent loops
// (so group commits are in flight when it dies) and prints each acknowledged append.
import { createSqliteStore } from '@cairn/sqlite';

const [path, synchronous] = process.argv.slice(2);
const store = createSqliteStore({ path, synchronous });
await store.migrate();
process.stdout.write('ready\n');

async function loop(w) {
  for (let i = 0; ; i++) {
    const streamId = `crash-${w}-${i % 10}`;
    const batch = Array.from({ length: 1 + (i % 5) }, (_, k) => ({ id: crypto.randomUUID(), type: 'Tick', data: { w, i, k, pad: 'x'.repeat(200) } }));
    const r = await store.append(streamId, batch);
    process.stdout.write(`ack ${streamId} ${r.version} ${r.position} ${batch.map((e) => e.id).join(',')}\n`);
  }
}
await Promise.all([0, 1, 2, 3].map(loop));
