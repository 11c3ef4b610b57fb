import { type ServerResponse, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { PROBLEM_CONTENT_TYPE, type Problem, problem, ServerErrorCodes } from '../problem.js';

interface ConnectionError extends Error {
  code?: string;
}

/**
 * Errors Node's HTTP parser raises before Fastify sees a request: bytes that are not
 * HTTP/1.1, headers over the size limit, a client too slow to finish its request. Fastify's
 * default answers those with its own JSON shape; this answers with the same problem+json as
 * every other error, then closes the connection (the parser cannot resync after garbage).
 */
export function clientErrorHandler(this: FastifyInstance, error: ConnectionError, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const answer = describe(error);
  this.log.debug({ err: error, code: answer.code }, 'client error before routing');
  answerAndClose(socket, answer);
}

/**
 * `CONNECT` requests never reach Fastify: Node hands them to a 'connect' listener and, without
 * one, drops the connection without a word. This is not a proxy; say so like any other error.
 */
export function refuseConnect(socket: Duplex): void {
  answerAndClose(socket, problem(400, ServerErrorCodes.INVALID_REQUEST, 'CONNECT is not supported: this server is not a proxy.'));
}

/** Write a problem response straight to the socket and close it. */
function answerAndClose(socket: Duplex, answer: Problem): void {
  // Only when no answer has begun (as Node decides it: a 100 Continue does not count): a
  // timeout in the middle of a streamed answer just ends it.
  const current = (socket as { _httpMessage?: ServerResponse })._httpMessage;
  if (socket.writable && current?.headersSent !== true) {
    const body = JSON.stringify(answer);
    socket.write(
      `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? 'Error'}\r\n` +
        `Content-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

function describe(error: ConnectionError): Problem {
  switch (error.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
    case 'ERR_HTTP_HEADERS_TIMEOUT':
      return problem(408, ServerErrorCodes.REQUEST_TIMEOUT, 'The request did not arrive in time: send the headers and the whole body promptly.');
    case 'HPE_HEADER_OVERFLOW':
      return problem(431, ServerErrorCodes.HEADERS_TOO_LARGE, "The request line and headers are over the server's limit; send shorter headers (and a shorter URL).");
    default:
      // The parser's own code (HPE_INVALID_METHOD…) says what was wrong without echoing input.
      return problem(400, ServerErrorCodes.INVALID_REQUEST, `The request is not valid HTTP/1.1 (${error.code ?? 'parse error'}).`);
  }
}
