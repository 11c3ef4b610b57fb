import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createProjectionRunner, type EventStore, openStore, type Projection, type ProjectionRunner, type ProjectionRunnerOptions } from '@cairn/core';
import { buildServer, projectionsExtension, staticFiles } from '@cairn/server';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { ensureDemoKey } from './demo/demo-key.js';
import { type SeedReport, seedDemoData, seedState } from './demo/seed.js';
import type { PlanOptions } from './demo/plan-history.js';
import { userCreatedV1ToV2, userPersonalData } from './domain/user.js';
import { LEDGER_ERROR_STATUS, ledgerExtension } from './http/ledger-extension.js';
import { Ledger } from './ledger.js';

export interface LedgerAppOptions {
  /** Store URL: `sqlite:./data/cairn.db` (default) or `postgres://…`. */
  db?: string;
  port?: number;
  host?: string;
  /** Where the demo key file lives. Default: ./data. */
  dataDir?: string;
  /** Seed demo data into an empty store (default), with these options; false: never. */
  seed?: false | (PlanOptions & { onProgress?: (done: number, total: number) => void });
  /** The console's built files. Default: @cairn/console's dist/. */
  consoleDir?: string;
  /** More projections to run beside the ledger's (tests use one to make dead letters). */
  extraProjections?: readonly Projection[];
  runner?: Omit<ProjectionRunnerOptions, 'store' | 'projections'>;
  logger?: FastifyServerOptions['logger'];
  /** How often projection lag is sampled for the console's chart. Default 5,000 ms. */
  lagSampleMs?: number;
}

export interface LedgerApp {
  url: string;
  key: string;
  keyCreated: boolean;
  store: EventStore;
  ledger: Ledger;
  runner: ProjectionRunner;
  server: FastifyInstance;
  /** What the first start seeded; null when the data was there already (or seeding is off). */
  seeded: SeedReport | null;
  /** 'partial': the store holds ledger streams but no complete seed (a seed was cut short). */
  seedState: 'seeded' | 'partial' | 'empty';
  close(): Promise<void>;
}

/** The @cairn/console build, wherever npm put the package. */
export function defaultConsoleDir(): string {
  return join(dirname(createRequire(import.meta.url).resolve('@cairn/console/package.json')), 'dist');
}

/**
 * The whole demo in one call: open and migrate the store, seed it on first start, run the
 * ledger's projections, and serve the Cairn API, the ledger API and the console.
 */
export async function startLedgerApp(options: LedgerAppOptions = {}): Promise<LedgerApp> {
  const db = options.db ?? 'sqlite:./data/cairn.db';
  const store = await openStore(db, { personalData: userPersonalData, upcasters: [userCreatedV1ToV2] });
  let runner: ProjectionRunner | undefined;
  let server: FastifyInstance | undefined;
  try {
    await store.migrate();
    let state = await seedState(store);
    let seeded: SeedReport | null = null;
    if (state === 'empty' && options.seed !== false) {
      seeded = await seedDemoData(store, options.seed ?? {});
      state = 'seeded';
    }
    const { key, created } = await ensureDemoKey(store, join(options.dataDir ?? './data', 'demo-key.txt'));

    const ledger = new Ledger(store);
    runner = createProjectionRunner({ store, projections: [...ledger.projections, ...(options.extraProjections ?? [])], ...options.runner });
    await runner.start();
    server = buildServer({
      store,
      logger: options.logger ?? false,
      errorStatus: LEDGER_ERROR_STATUS,
      extensions: [
        projectionsExtension({ runner, ...(options.lagSampleMs ? { sampleMs: options.lagSampleMs } : {}) }),
        ledgerExtension(ledger),
        staticFiles({
          root: options.consoleDir ?? defaultConsoleDir(),
          missingMessage: 'The web console is not built yet. Run `npm start` (it builds everything) or `npm run build`, then reload. The ledger API is at /ledger and the Cairn API at /streams.',
        }),
      ],
    });
    await server.listen({ port: options.port ?? 4480, host: options.host ?? '127.0.0.1' });
    const address = server.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : options.port;
    const host = options.host ?? '127.0.0.1';
    const app = server;
    const running = runner;
    return {
      url: `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host}:${port}`,
      key,
      keyCreated: created,
      store,
      ledger,
      runner,
      server,
      seeded,
      seedState: state,
      async close() {
        const force = setTimeout(() => app.server.closeAllConnections(), 5_000);
        await app.close();
        clearTimeout(force);
        await running.stop();
        await store.close();
      },
    };
  } catch (error) {
    await server?.close().catch(() => undefined);
    await runner?.stop().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw error;
  }
}
