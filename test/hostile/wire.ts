import { connect } from 'node:net';

/**
 * A raw HTTP/1.1 client for hostile-input tests. fetch and node:http refuse to send much of
 * what an attacker sends (duplicate headers, control characters, broken framing, raw bytes
 * in the path), so requests are written to a socket byte for byte and the answer is parsed
 * here. One connection per request, with `Connection: close`.
 */
export interface WireRequest {
  method: string;
  /** Path and query exactly as they go on the request line. */
  target: string;
  /** In order; the same name may repeat. */
  headers: ReadonlyArray<readonly [string, string]>;
  body?: Buffer;
  /** How the body is framed: Content-Length (default), chunked, or not at all. */
  framing?: 'length' | 'chunked' | 'none';
}

export interface WireResponse {
  kind: 'response';
  status: number;
  headers: Record<string, string>;
  body: string;
  ms: number;
}

/** The server closed the connection without answering, or did not answer in time. */
export interface WireSilence {
  kind: 'closed' | 'timeout';
  ms: number;
  /** Whatever bytes did arrive. */
  partial: string;
}

export type WireOutcome = WireResponse | WireSilence;

export function renderRequest(request: WireRequest): Buffer {
  const lines = [`${request.method} ${request.target} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close'];
  for (const [name, value] of request.headers) lines.push(`${name}: ${value}`);
  const body = request.body;
  const framing = request.framing ?? 'length';
  if (body !== undefined && framing === 'length') lines.push(`Content-Length: ${body.length}`);
  if (body !== undefined && framing === 'chunked') lines.push('Transfer-Encoding: chunked');
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'utf8');
  if (body === undefined || framing === 'none') return head;
  if (framing === 'length') return Buffer.concat([head, body]);
  return Buffer.concat([head, Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')]);
}

/**
 * Send `data` and read the answer. An answer is complete when its framing says so (or the
 * server closes); an SSE answer (text/event-stream) once its headers are in: the stream is
 * cut there. `timeoutMs` bounds the whole exchange.
 */
export function exchange(port: number, data: Buffer | WireRequest, timeoutMs: number): Promise<WireOutcome> {
  const bytes = Buffer.isBuffer(data) ? data : renderRequest(data);
  // The answer to HEAD has a Content-Length but no body.
  const head = bytes.subarray(0, 5).toString('latin1') === 'HEAD ';
  const started = performance.now();
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let settled = false;
    const socket = connect({ port, host: '127.0.0.1' });
    const finish = (outcome: WireOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const elapsed = (): number => Math.round(performance.now() - started);
    const timer = setTimeout(() => finish({ kind: 'timeout', ms: elapsed(), partial: Buffer.concat(chunks).toString('latin1').slice(0, 500) }), timeoutMs);
    socket.on('connect', () => socket.write(bytes));
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      const parsed = parseResponse(Buffer.concat(chunks), false, head);
      if (parsed) finish({ ...parsed, ms: elapsed() });
    });
    // A reset after the answer arrived (we were still sending a body the server refused) is fine.
    socket.on('error', () => settle());
    socket.on('close', () => settle());
    function settle(): void {
      const all = Buffer.concat(chunks);
      const parsed = parseResponse(all, true, head);
      if (parsed) finish({ ...parsed, ms: elapsed() });
      else finish({ kind: 'closed', ms: elapsed(), partial: all.toString('latin1').slice(0, 500) });
    }
  });
}

/** Parse one HTTP/1.1 response; `complete` says the connection has ended (body runs to the close). */
function parseResponse(all: Buffer, complete: boolean, head = false): Omit<WireResponse, 'ms'> | undefined {
  // Interim answers (100 Continue to an Expect header) come before the real one.
  while (/^HTTP\/1\.[01] 1\d\d /.test(all.subarray(0, 16).toString('latin1'))) {
    const interimEnd = all.indexOf('\r\n\r\n');
    if (interimEnd === -1) return undefined;
    all = all.subarray(interimEnd + 4);
  }
  const end = all.indexOf('\r\n\r\n');
  if (end === -1) return undefined;
  const [statusLine = '', ...headerLines] = all.subarray(0, end).toString('latin1').split('\r\n');
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
  if (!match) return undefined;
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon > 0) {
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    }
  }
  const raw = all.subarray(end + 4);
  if (headers['content-type']?.startsWith('text/event-stream')) return { kind: 'response', status: Number(match[1]), headers, body: '' };
  const chunked = headers['transfer-encoding']?.toLowerCase() === 'chunked';
  const length = headers['content-length'] === undefined ? undefined : Number(headers['content-length']);
  // A kept-alive connection stays open after the answer: stop once the framing says it is whole.
  const whole = head || (chunked ? raw.includes('0\r\n\r\n') : length !== undefined && raw.length >= length);
  if (!complete && !whole) return undefined;
  const body = chunked ? dechunk(raw) : length !== undefined ? raw.subarray(0, length) : raw;
  return { kind: 'response', status: Number(match[1]), headers, body: body.toString('utf8') };
}

function dechunk(raw: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  while (at < raw.length) {
    const eol = raw.indexOf('\r\n', at);
    if (eol === -1) break;
    const size = Number.parseInt(raw.subarray(at, eol).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(raw.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(parts);
}
