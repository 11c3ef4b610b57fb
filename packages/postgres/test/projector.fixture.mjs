// Child process for the projection process tests: runs one projection runner on a store and
// reports on stdout what it does. Runs the compiled packages (dist/), as a deployment would.
//
//   node projector.fixture.mjs '{"url":"postgres://…?schema=s","name":"ledger","partitions":1,"batchSize":25,"delayMs":5}'
//
// stdout, one line each:
//   ready <pid>                        the runner started
//   h <position> <streamId> <version>  an event was handled (inside its batch's transaction, before the commit)
//   holds <p,p,…>                      the partitions this process holds leases for (on every change)
//   idle                               caught up (only with "exitWhenIdle": then it stops and exits 0)
//   holding                            with "holdAfter": n, after the n-th event: the handler never
//                                      returns, so its batch's transaction stays open until the kill
// SIGTERM stops the runner gracefully (the batch in hand finishes) and exits 0.
//
// The read model `<name>` keeps per account the balance, the last version applied and the
// number of events applied; `<name>_work` counts events per (pid, account) so the test can
// see who did the work (per account: one row per process would serialise that process's
// partition workers on its lock); `<name>_violations` records any event that is not exactly
// the next version of its stream — a repeat or a skip — so the handler itself detects double
// or lost delivery. The same SQL runs on PostgreSQL and SQLite (packages/sqlite/test has a
// twin: keep them in step).
import { createProjectionRunner, defineProjection, openStore } from '@cairn/core';

const o = JSON.parse(process.argv[2] ?? '{}');
const name = o.name ?? 'ledger';
const partitions = o.partitions ?? 1;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let handled = 0;

async function apply(e, delta, { sql, table }) {
  const t = table(name);
  const [row] = await sql.query(`SELECT version FROM ${t} WHERE account = $1`, [e.streamId]);
  const last = row ? Number(row.version) : 0;
  if (e.version !== last + 1) {
    await sql.query(`INSERT INTO ${table(`${name}_violations`)} (account, version, last, pid) VALUES ($1, $2, $3, $4)`, [e.streamId, e.version, last, process.pid]);
  }
  await sql.query(
    `INSERT INTO ${t} (account, cents, version, events) VALUES ($1, $2, $3, 1)
     ON CONFLICT (account) DO UPDATE SET cents = ${t}.cents + excluded.cents, version = excluded.version, events = ${t}.events + 1`,
    [e.streamId, delta, e.version],
  );
  const w = table(`${name}_work`);
  await sql.query(
    `INSERT INTO ${w} (pid, account, events) VALUES ($1, $2, 1) ON CONFLICT (pid, account) DO UPDATE SET events = ${w}.events + 1`,
    [process.pid, e.streamId],
  );
  process.stdout.write(`h ${e.position} ${e.streamId} ${e.version}\n`);
  if (++handled === o.holdAfter) {
    process.stdout.write('holding\n');
    await new Promise(() => undefined);
  }
  if (o.delayMs) await sleep(o.delayMs);
}

const ledger = defineProjection({
  name,
  partitions,
  tables: [name, `${name}_work`, `${name}_violations`],
  setup: async ({ sql, table }) => {
    await sql.query(`CREATE TABLE IF NOT EXISTS ${table(name)} (account text PRIMARY KEY, cents bigint NOT NULL, version bigint NOT NULL, events bigint NOT NULL)`);
    await sql.query(`CREATE TABLE IF NOT EXISTS ${table(`${name}_work`)} (pid integer NOT NULL, account text NOT NULL, events bigint NOT NULL, PRIMARY KEY (pid, account))`);
    await sql.query(`CREATE TABLE IF NOT EXISTS ${table(`${name}_violations`)} (account text NOT NULL, version bigint NOT NULL, last bigint NOT NULL, pid integer NOT NULL)`);
  },
  handlers: {
    Deposited: (e, ctx) => apply(e, e.data.amount, ctx),
    Withdrawn: (e, ctx) => apply(e, -e.data.amount, ctx),
  },
});

const store = await openStore(o.url);
const runner = createProjectionRunner({
  store,
  projections: [ledger],
  batchSize: o.batchSize ?? 200,
  superviseMs: o.superviseMs ?? 200,
  pollIntervalMs: o.pollIntervalMs ?? 200,
  nodeId: `pid-${process.pid}`,
});

let stopping = false;
async function shutdown() {
  if (stopping) return;
  stopping = true;
  await runner.stop();
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
} else {
  // Report lease changes: which partitions this process runs right now.
  let held = '';
  for (;;) {
    if (stopping) break;
    const [report] = await runner.status().catch(() => []);
    const now = (report?.runningHere ?? []).join(',');
    if (now !== held) process.stdout.write(`holds ${now}\n`);
    held = now;
    await sleep(150);
  }
}
