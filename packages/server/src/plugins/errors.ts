import { CairnError, DomainError } from '@cairn/core';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { statusForCode } from '../error-status.js';
import { HttpProblem, PROBLEM_CONTENT_TYPE, problem, type Problem, ServerErrorCodes } from '../problem.js';

export interface ErrorsPluginOptions {
  errorStatus?: Readonly<Record<string, number>>;
}

/** Fastify's own errors that are the client's fault, and what we call them. */
const FASTIFY_CODES: Record<string, { status: number; code: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: ServerErrorCodes.PAYLOAD_TOO_LARGE },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: ServerErrorCodes.UNSUPPORTED_MEDIA_TYPE },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: ServerErrorCodes.MALFORMED_JSON },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: ServerErrorCodes.MALFORMED_JSON },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: ServerErrorCodes.INVALID_REQUEST },
  FST_ERR_BAD_URL: { status: 400, code: ServerErrorCodes.INVALID_REQUEST },
  FST_ERR_MAX_PARAM_LENGTH: { status: 414, code: ServerErrorCodes.URI_TOO_LONG },
};

/**
 * Every error leaves as `application/problem+json` with a stable `code`. Client errors say
 * what was wrong; server errors (5xx) say only that something failed and carry the request
 * id, while the cause (stack, SQL, driver message) goes to the log and never to the client.
 */
export const errorsPlugin = fp<ErrorsPluginOptions>(
  async (app: FastifyInstance, options) => {
    const overrides = options.errorStatus ?? {};

    app.setErrorHandler((error: unknown, request, reply) => {
      const body = toProblem(error, request, overrides);
      if (body.status >= 500) request.log.error({ err: error, code: body.code }, 'request failed');
      else request.log.info({ code: body.code, status: body.status }, body.detail);
      if (error instanceof HttpProblem) for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
      return sendProblem(reply, body);
    });

    // RFC 9112 §3.2: an HTTP/1.1 request without Host is a 400 (Node's own check is off so
    // that this answer has the same shape as every other error).
    app.addHook('onRequest', async (request) => {
      if (request.raw.httpVersion === '1.1' && request.headers.host === undefined) {
        throw new HttpProblem(400, ServerErrorCodes.INVALID_REQUEST, 'An HTTP/1.1 request needs a Host header.');
      }
    });

    app.setNotFoundHandler((request, reply) => {
      const path = request.url.split('?')[0] ?? request.url;
      return sendProblem(
        reply,
        problem(404, ServerErrorCodes.NOT_FOUND, `No route ${request.method} ${path.slice(0, 200)}. The API is described at /openapi.json.`),
      );
    });
  },
  { name: 'cairn-errors', fastify: '5.x' },
);

export function sendProblem(reply: FastifyReply, body: Problem): FastifyReply {
  // Also here: errors raised before routing (a malformed URL) skip the hooks that add it.
  return reply.code(body.status).type(PROBLEM_CONTENT_TYPE).header('x-content-type-options', 'nosniff').send(JSON.stringify(body));
}

export function toProblem(error: unknown, request: FastifyRequest, overrides: Readonly<Record<string, number>> = {}): Problem {
  const instance = { instance: `urn:cairn:request:${request.id}` };
  if (error instanceof HttpProblem) return problem(error.status, error.code, error.message, { ...error.extra, ...instance });

  const fastifyError = error as FastifyError & { validation?: ValidationIssue[]; validationContext?: string };
  if (Array.isArray(fastifyError.validation)) return validationProblem(fastifyError.validation, fastifyError.validationContext ?? 'request', instance);

  if (error instanceof CairnError) {
    // Domain errors carry codes of their own (INSUFFICIENT_FUNDS…): a broken business rule is 422.
    const status = error instanceof DomainError ? (overrides[error.code] ?? 422) : statusForCode(error.code, overrides);
    if (status >= 500) return problem(status, error.code, serverFailure(error.code), instance);
    return problem(status, error.code, error.message, { ...error.details, ...instance });
  }

  const known = typeof fastifyError.code === 'string' ? FASTIFY_CODES[fastifyError.code] : undefined;
  if (known) return problem(known.status, known.code, clientMessage(known.code, fastifyError), instance);
  const status = fastifyError.statusCode;
  // Another client error of Fastify's: a 400 with its message, so the code keeps one status.
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return problem(400, ServerErrorCodes.INVALID_REQUEST, fastifyError.message, instance);
  }
  return problem(500, ServerErrorCodes.INTERNAL, `The server failed to handle the request; it was logged as ${request.id}.`, instance);
}

interface ValidationIssue {
  instancePath?: string;
  message?: string;
  keyword?: string;
  params?: Record<string, unknown>;
}

function validationProblem(issues: ValidationIssue[], where: string, instance: Record<string, string>): Problem {
  const errors = issues.map((issue) => {
    let path = issue.instancePath ?? '';
    // "must have required property" and "must NOT have additional properties" name the key in params.
    const key = issue.params?.missingProperty ?? issue.params?.additionalProperty;
    if (typeof key === 'string') path = `${path}/${key}`;
    return { in: where, path: path || '/', message: describeIssue(issue) };
  });
  const first = errors[0];
  const detail = first ? `Invalid ${where}: ${first.path === '/' ? '' : `${first.path} `}${first.message}.` : `Invalid ${where}.`;
  return problem(400, ServerErrorCodes.INVALID_REQUEST, detail, { errors, ...instance });
}

function describeIssue(issue: ValidationIssue): string {
  if (issue.keyword === 'additionalProperties') return 'is not a known field';
  if (issue.keyword === 'required') return 'is required';
  return issue.message ?? 'is invalid';
}

function clientMessage(code: string, error: FastifyError): string {
  switch (code) {
    case ServerErrorCodes.PAYLOAD_TOO_LARGE:
      return 'The request body is over the server\'s body limit. Split the append into smaller batches, or raise the limit (cairn serve --body-limit).';
    case ServerErrorCodes.UNSUPPORTED_MEDIA_TYPE:
      return 'Send the body as JSON with Content-Type: application/json.';
    case ServerErrorCodes.MALFORMED_JSON:
      return 'The request body is empty; send a JSON document.';
    case ServerErrorCodes.URI_TOO_LONG:
      return 'A path parameter of the URL is over 1,024 characters (stream ids are at most 256).';
    default:
      return error.message;
  }
}

function serverFailure(code: string): string {
  if (code === 'STORE_UNAVAILABLE') return 'The event store is unavailable right now. Retry later; appends are safe to retry with the same event ids.';
  if (code === 'STORE_CLOSED') return 'The server is shutting down. Retry against another instance or in a moment.';
  return 'The server failed to handle the request; the details are in its log.';
}
