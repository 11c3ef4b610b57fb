/**
 * RFC 9457 problem details, the body of every error response. `code` is stable (tests and
 * clients branch on it); `detail` is for people. Cairn errors add their structured fields
 * (streamId, expected, actual, field…) beside them.
 */
export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  instance?: string;
  [extra: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/** Codes the server adds to Cairn's own (see error-status.ts for the whole table). */
export const ServerErrorCodes = {
  MALFORMED_JSON: 'MALFORMED_JSON',
  INVALID_REQUEST: 'INVALID_REQUEST',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  TOO_MANY_SUBSCRIBERS: 'TOO_MANY_SUBSCRIBERS',
  REQUEST_TIMEOUT: 'REQUEST_TIMEOUT',
  HEADERS_TOO_LARGE: 'HEADERS_TOO_LARGE',
  URI_TOO_LONG: 'URI_TOO_LONG',
  INTERNAL: 'INTERNAL',
} as const;

export type ServerErrorCode = (typeof ServerErrorCodes)[keyof typeof ServerErrorCodes];

/** An error a route throws on purpose; the error handler turns it into a problem response as is. */
export class HttpProblem extends Error {
  readonly status: number;
  readonly code: string;
  readonly extra: Readonly<Record<string, unknown>>;
  readonly headers: Readonly<Record<string, string>>;

  constructor(status: number, code: string, detail: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
    super(detail);
    this.name = 'HttpProblem';
    this.status = status;
    this.code = code;
    this.extra = extra;
    this.headers = headers;
  }
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function problem(status: number, code: string, detail: string, extra: Record<string, unknown> = {}): Problem {
  // Structured fields never override the standard members.
  return { ...extra, type: `urn:cairn:error:${code}`, title: TITLES[status] ?? 'Error', status, code, detail };
}
