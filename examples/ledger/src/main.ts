import { parseArgs } from 'node:util';
import { DEFAULT_STORE_URL } from '@cairn/core';
import { startLedgerApp } from './app.js';
import { progressBar } from './demo/progress-bar.js';

/**
 * `npm start`: the bank ledger on embedded SQLite (./data/cairn.db) or PostgreSQL
 * (`npm start -- --db postgres://…` or CAIRN_DB), with demo data on first start, the Cairn
 * API, the ledger API and the web console.
 */
const { values } = parseArgs({
  options: {
    db: { type: 'string' },
    port: { type: 'string', default: process.env.PORT ?? '4480' },
    host: { type: 'string', default: '127.0.0.1' },
    'no-seed': { type: 'boolean', default: false },
    accounts: { type: 'string', default: '200' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log(`npm start -- [--db URL] [--port N] [--host H] [--no-seed] [--accounts N]

  --db        store URL (default: CAIRN_DB or ${DEFAULT_STORE_URL}; postgres://user@host/db for PostgreSQL)
  --port      HTTP port (default 4480; 0 picks a free one)
  --host      interface to listen on (default 127.0.0.1)
  --no-seed   never write demo data
  --accounts  demo accounts to seed into an empty store (default 200)`);
  process.exit(0);
}
const port = Number(values.port);
const accounts = Number(values.accounts);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be a port number, got ${values.port}`);
if (!Number.isInteger(accounts) || accounts < 20 || accounts > 100_000) fail(`--accounts must be a whole number from 20 to 100000, got ${values.accounts}`);

const db = values.db || process.env.CAIRN_DB || DEFAULT_STORE_URL;
const bar = progressBar('Seeding demo data');
const started = Date.now();
console.log(`Cairn bank ledger — opening ${db.replace(/\/\/([^:@/]+):[^@/]+@/, '//$1:***@')}`);
try {
  const app = await startLedgerApp({
    db,
    port,
    host: values.host,
    seed: values['no-seed'] ? false : { accounts, onProgress: (done, total) => bar.update(done, total) },
  });
  if (app.seeded) bar.finish(`Seeded ${app.seeded.events.toLocaleString('en')} events in ${app.seeded.streams} streams (${(app.seeded.ms / 1000).toFixed(1)} s).`);
  else if (app.seedState === 'partial') console.log('Note: this store holds ledger data from a seed that was cut short; delete ./data to start over.');
  else console.log('Using the data already in the store (delete ./data to start over).');

  console.log(`
  Console     ${app.url}/
  Ledger API  ${app.url}/ledger/accounts        (all routes: ${app.url}/openapi.json)
  Cairn API   ${app.url}/streams

  Demo admin key${app.keyCreated ? ' (new, saved in ./data/demo-key.txt)' : ' (from ./data/demo-key.txt)'}:
    ${app.key}

  Paste it into the console, or:  curl -H "Authorization: Bearer ${app.key}" ${app.url}/ledger/accounts?limit=3

Ready in ${((Date.now() - started) / 1000).toFixed(1)} s. Ctrl+C stops.`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping…');
    await app.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
} catch (error) {
  const e = error as { code?: string; message?: string };
  if (e.code === 'EADDRINUSE') fail(`port ${port} is in use: stop the other server or pick another port (npm start -- --port 4481).`);
  fail(`${e.code ? `${e.code}: ` : ''}${e.message ?? String(error)}`);
}

function fail(message: string): never {
  console.error(`Error: ${message}`);
  process.exit(1);
}
