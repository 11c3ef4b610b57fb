import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { type CliContext, type CommonOptions, commandSetup, withCommonOptions } from '../lib/context.js';
import { usageError } from '../lib/cli-error.js';
import { port, positiveInt } from '../lib/parse.js';
import { openCliStore, redactUrl } from '../lib/store.js';

interface ServeOptions extends CommonOptions {
  port: number;
  host: string;
  insecureDev?: boolean;
  bodyLimit: number;
  corsOrigin?: string[];
  publicMetrics?: boolean;
  logLevel: string;
}

/** Where @cairn/console's built files are, or a path that does not exist (the server then says so at /). */
function consoleDir(): string {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('@cairn/console/package.json')), 'dist');
  } catch {
    return join(process.cwd(), 'node_modules', '@cairn', 'console', 'dist');
  }
}

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
/** The server's default body limit (5 MiB), repeated so `--help` does not load the server package. */
const DEFAULT_BODY_LIMIT = 5 * 1024 * 1024;

export function registerServe(program: Command, ctx: CliContext): void {
  withCommonOptions(program.command('serve'))
    .description('run the HTTP API: append, read, SSE subscribe, health, metrics (see packages/server/README.md)')
    .option('--port <port>', 'TCP port (0 picks a free one)', port, 4480)
    .option('--host <host>', 'interface to listen on (0.0.0.0 for all)', '127.0.0.1')
    .option('--insecure-dev', 'no API keys needed: for local demos only')
    .option('--body-limit <bytes>', 'largest request body', positiveInt, DEFAULT_BODY_LIMIT)
    .option('--cors-origin <origin>', 'let browsers on this origin call the API (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--public-metrics', 'serve /metrics without a key')
    .option('--log-level <level>', LEVELS.join(', '), 'info')
    .action(async (options: ServeOptions) => {
      const { url, out } = commandSetup(ctx, options);
      if (!LEVELS.includes(options.logLevel)) throw usageError('INVALID_ARGUMENT', `--log-level must be one of ${LEVELS.join(', ')}`);
      ctx.io.claimInterrupts();
      const { buildServer, INSECURE_DEV_WARNING, listApiKeys, projectionsExtension, staticFiles } = await import('@cairn/server');
      const { projectionAdmin } = await import('@cairn/core');
      const store = await openCliStore(url, 'write');
      try {
        await store.migrate();
        const app = buildServer({
          store,
          // Projections run in the application's processes; the server shows and operates them.
          extensions: [
            projectionsExtension({ admin: projectionAdmin(store) }),
            staticFiles({
              root: consoleDir(),
              missingMessage: 'The web console is not built. Run `npm run build` in the Cairn repository (or install @cairn/console), then reload.',
            }),
          ],
          auth: { insecureDev: options.insecureDev === true },
          limits: { bodyLimit: options.bodyLimit },
          logger: { level: options.logLevel },
          metrics: { public: options.publicMetrics === true },
          ...(options.corsOrigin ? { cors: { origin: options.corsOrigin } } : {}),
        });
        try {
          await app.listen({ port: options.port, host: options.host });
        } catch (error) {
          await app.close(); // stops following $keys, so the process can exit at once
          throw error;
        }
        const address = app.server.address();
        const where = typeof address === 'object' && address !== null ? `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}` : String(address);
        if (options.insecureDev) {
          const bar = '!'.repeat(78);
          out.note(`${bar}\n!! ${INSECURE_DEV_WARNING}\n${bar}`);
        } else if ((await listApiKeys(store)).every((k) => k.revokedAt !== undefined)) {
          out.note('no active API keys: every request except /health, /ready and /openapi.json will get 401. Create one with `cairn keys create --name <name> --role admin`.');
        }
        out.note(`cairn serve: listening on ${where} (store ${redactUrl(url)})`);
        if (out.json) await out.record({ listening: where, store: store.kind, insecureDev: options.insecureDev === true });

        await new Promise<void>((resolve) => {
          if (ctx.io.interrupted.aborted) resolve();
          ctx.io.interrupted.addEventListener('abort', () => resolve(), { once: true });
        });
        out.note('cairn serve: shutting down');
        // Graceful first (in-flight requests finish, SSE streams end); after 10 s, cut what is left.
        const force = setTimeout(() => app.server.closeAllConnections(), 10_000);
        await app.close();
        clearTimeout(force);
      } finally {
        await store.close();
      }
    });
}
