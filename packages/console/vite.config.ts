import { defineConfig } from 'vite';

// The console is served by @cairn/server at `/`, on the API's own origin (no CORS, no base
// URL to configure). `npm run dev -w @cairn/console` proxies the API to a running `npm start`.
const api = 'http://127.0.0.1:4480';

export default defineConfig({
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: false, reportCompressedSize: false },
  server: {
    proxy: Object.fromEntries(['/streams', '/events', '/subscribe', '/projections', '/dead-letters', '/ledger', '/ready', '/health', '/metrics', '/openapi.json'].map((p) => [p, api])),
  },
});
