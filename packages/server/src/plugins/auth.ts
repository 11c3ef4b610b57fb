import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Principal } from '../keys/key-ring.js';
import { HttpProblem, ServerErrorCodes } from '../problem.js';
import { roleAllows } from '../roles.js';

const INSECURE_PRINCIPAL: Principal = Object.freeze({ keyId: 'insecure-dev', name: 'insecure dev mode', roles: Object.freeze(['admin'] as const) });
const CHALLENGE = { 'www-authenticate': 'Bearer realm="cairn"' };

/**
 * API-key auth on every route. Runs in `onRequest`, before the body is read, so an
 * unauthenticated client cannot make the server parse a 5 MiB body. Deny by default: a
 * route that does not declare `config.role` needs `admin`.
 */
export const authPlugin = fp(
  async (app: FastifyInstance) => {
    const { keys, insecureDev } = app.cairn;
    app.decorateRequest('principal', undefined);

    app.addHook('onRequest', async (request) => {
      if (request.is404) return; // unknown routes answer 404 whoever asks
      const needed = request.routeOptions.config.role ?? 'admin';
      if (needed === 'public') return;
      if (insecureDev) {
        request.principal = INSECURE_PRINCIPAL;
        return;
      }
      const header = request.headers.authorization;
      if (header === undefined || header.length === 0) {
        throw new HttpProblem(
          401,
          ServerErrorCodes.UNAUTHORIZED,
          'This route needs an API key: send "Authorization: Bearer <key>". Create a key with `cairn keys create --name <name> --role <role>`.',
          {},
          CHALLENGE,
        );
      }
      const match = /^Bearer +([^\s]+) *$/i.exec(header);
      const principal = match?.[1] === undefined ? undefined : keys.authenticate(match[1]);
      if (!match) {
        throw new HttpProblem(401, ServerErrorCodes.UNAUTHORIZED, 'The Authorization header must be "Bearer <key>".', {}, CHALLENGE);
      }
      if (!principal) throw new HttpProblem(401, ServerErrorCodes.UNAUTHORIZED, 'The API key is unknown or revoked.', {}, CHALLENGE);
      if (!roleAllows(principal.roles, needed)) {
        throw new HttpProblem(
          403,
          ServerErrorCodes.FORBIDDEN,
          `${request.method} ${request.routeOptions.url} needs the "${needed}" role; API key ${principal.keyId} has ${principal.roles.map((r) => `"${r}"`).join(', ') || 'no role'}.`,
          { keyId: principal.keyId, requiredRole: needed },
        );
      }
      request.principal = principal;
    });
  },
  { name: 'cairn-auth', fastify: '5.x' },
);
