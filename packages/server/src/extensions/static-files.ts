import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerExtension } from '../options.js';

export interface StaticFilesOptions {
  /** The folder to serve (a Vite build's dist/). Read once, at start. */
  root: string;
  /** What `/` says when `root` holds no index.html (e.g. the console was not built). */
  missingMessage?: string;
  /**
   * Files under this folder of `root` have content hashes in their names and are cached for
   * a year as immutable. Everything else is revalidated on each load (ETag). Default 'assets'.
   */
  hashedDir?: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

// The console talks to its own origin only; nothing may frame it.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'; object-src 'none'";

/** On every file: no MIME sniffing, no embedding by other sites. */
const FILE_HEADERS = { 'x-content-type-options': 'nosniff', 'cross-origin-resource-policy': 'same-origin' };
/**
 * On pages: the CSP above, plus the same rules for browsers that predate it (X-Frame-Options),
 * no referrer (URLs may name streams), and a browsing context of its own (no window.opener).
 */
const PAGE_HEADERS = {
  'content-security-policy': CSP,
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
};

interface StaticFile {
  body: Buffer;
  type: string;
  etag: string;
  cache: string;
}

/**
 * Serves a built single-page app (the Cairn console) beside the API: one public GET route per
 * file, so nothing outside `root` can ever be reached and the API's own routes keep their
 * paths. Files are read into memory at start — a console build is a few hundred kilobytes.
 * Without a build, `/` answers with a page that says how to make one.
 *
 * @example
 * buildServer({ store, extensions: [staticFiles({ root: consoleDir })] });
 */
export function staticFiles(options: StaticFilesOptions): ServerExtension {
  const hashedDir = options.hashedDir ?? 'assets';
  return {
    name: 'static-files',
    plugin: async (app) => {
      const files = loadFiles(options.root, hashedDir);
      const index = files.get('index.html');
      const routeConfig = { config: { role: 'public' as const }, schema: { hide: true } };

      if (index === undefined) {
        const message = options.missingMessage ?? `No web console here: ${options.root} holds no index.html. Build it with \`npm run build\`.`;
        app.get('/', routeConfig, async (_request, reply) =>
          reply
            .type('text/html; charset=utf-8')
            .headers({ ...FILE_HEADERS, ...PAGE_HEADERS })
            .header('cache-control', 'no-store')
            .send(`<!doctype html><meta charset="utf-8"><title>Cairn</title><h1>Cairn</h1><p>${escapeHtml(message)}</p><p>The API answers as usual; see <a href="/openapi.json">/openapi.json</a>.</p>`),
        );
        return;
      }

      app.get('/', routeConfig, async (request, reply) => send(request, reply, index));
      for (const [path, file] of files) app.get(`/${path}`, routeConfig, async (request, reply) => send(request, reply, file));
    },
  };
}

function send(request: FastifyRequest, reply: FastifyReply, file: StaticFile): FastifyReply {
  reply.header('etag', file.etag).header('cache-control', file.cache).headers(FILE_HEADERS);
  if (file.type.startsWith('text/html')) reply.headers(PAGE_HEADERS);
  if (request.headers['if-none-match'] === file.etag) return reply.code(304).send();
  return reply.type(file.type).send(file.body);
}

function loadFiles(root: string, hashedDir: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  if (!existsSync(root) || !statSync(root).isDirectory()) return files;
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) {
        const path = relative(root, full).split(sep).join('/');
        const body = readFileSync(full);
        const hashed = path.startsWith(`${hashedDir}/`);
        files.set(path, {
          body,
          type: TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream',
          etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
          // Hashed names change with their content: cache them for good. The rest (index.html)
          // is revalidated on every load, so a new build shows up at once.
          cache: hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
        });
      }
    }
  };
  walk(root);
  return files;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
