// The server documents routes with @fastify/swagger, which adds these keys to route schemas
// for its own code. The ledger only writes them, so it says so here rather than depending on
// the plugin (same types as the plugin's, so the two declarations merge).
declare module 'fastify' {
  interface FastifySchema {
    summary?: string;
    description?: string;
    tags?: readonly string[];
  }
}
export {};
