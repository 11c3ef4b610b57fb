import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { HttpProblem, ServerErrorCodes } from '../problem.js';

/**
 * JSON bodies are parsed by Fastify's own parser (secure-json-parse, which refuses
 * `__proto__` and `constructor.prototype` keys), but a failure is reported with the
 * position of the syntax error, so a client can fix its body without guessing.
 */
export const jsonBodyPlugin = fp(
  async (app: FastifyInstance) => {
    const secureParse = app.getDefaultJsonParser('error', 'error');
    // JSON only: other media types (text/plain included) get 415 instead of a string body.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
      const text = typeof body === 'string' ? body : body.toString('utf8');
      if (text.trim().length === 0) {
        done(new HttpProblem(400, ServerErrorCodes.MALFORMED_JSON, 'The request body is empty; send a JSON document.'), undefined);
        return;
      }
      secureParse(request, text, (error, value) => {
        if (!error) {
          done(null, value);
          return;
        }
        done(new HttpProblem(400, ServerErrorCodes.MALFORMED_JSON, describeJsonError(text)), undefined);
      });
    });
  },
  { name: 'cairn-json-body', fastify: '5.x' },
);

function describeJsonError(text: string): string {
  try {
    JSON.parse(text);
    return 'The request body contains a forbidden property name (__proto__ or constructor.prototype).';
  } catch (error) {
    return `The request body is not valid JSON: ${(error as Error).message}.`;
  }
}
