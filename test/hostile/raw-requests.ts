import fc from 'fast-check';
import { CONTROL, hostileString } from './arbitraries.js';

/**
 * Byte-level garbage for the HTTP parser: broken request lines, bare line feeds, header
 * names with spaces or NUL, obs-fold, conflicting Content-Length and Transfer-Encoding
 * (request smuggling), bad chunk sizes, or plain random bytes. The server must answer each
 * with a problem document (or close) and stay up; nothing reaches a route handler that
 * should not.
 */
export interface RawCase {
  bytes: Buffer;
}

const METHODS = ['GET', 'POST', 'get', 'G E T', 'GET\u0000', '', 'PRI', 'M-SEARCH', 'PROPFIND', 'X'.repeat(100), 'DELETE', 'HEAD'];
const TARGETS = ['/health', '/streams/existing-1', '/events?after=0', '*', 'http://127.0.0.1/health', 'http://evil.example/health', '//', '', '/a b', '/\u0000', '/%00', '/streams/x?\r'];
const VERSIONS = ['HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/0.9', 'http/1.1', 'HTTP/1.1 ', 'HTTP/1.10', 'HTTP/', ''];
const EOLS = ['\r\n', '\n', '\r'];
const LENGTHS = ['5', '-1', '1e3', ' 5', '0x10', '5, 5', '99999999999999999999', '', '+5'];
const ENCODINGS = ['chunked', 'chunked, identity', 'identity', 'gzip, chunked', 'xchunked', 'CHUNKED', 'chunked\u0000'];
const BODIES = ['5\r\nhello\r\n0\r\n\r\n', 'zz\r\nhi\r\n0\r\n\r\n', '-1\r\nx\r\n0\r\n\r\n', '1;ext=1\r\nx\r\n0\r\n\r\n', 'hello', '', '{"events":[{"type":"A","data":1}]}'];
const NAMES = ['X Y', 'X:Y', '', 'X\u0000', 'é', 'Content-Length ', ' Host', 'X-\t', 'Authorization'];

export function rawCases(authorization: string): fc.Arbitrary<RawCase> {
  const header = fc.oneof(
    fc.constant(['Authorization', authorization] as const),
    fc.constantFrom(...LENGTHS).map((v) => ['Content-Length', v] as const),
    fc.constantFrom(...ENCODINGS).map((v) => ['Transfer-Encoding', v] as const),
    fc.tuple(fc.constantFrom(...NAMES), hostileString).map(([n, v]) => [n, v.slice(0, 200)] as const),
    fc.constantFrom(...CONTROL).map((v) => ['X-Control', v] as const),
    fc.constant(['X-Folded', 'first\r\n  folded'] as const),
    fc.constant(['Content-Type', 'application/json'] as const),
  );
  const structured = fc
    .record({
      // Mostly a sound request line, so the header and framing garbage gets parsed too.
      method: fc.oneof({ arbitrary: fc.constantFrom('GET', 'POST', 'HEAD'), weight: 4 }, { arbitrary: fc.constantFrom(...METHODS), weight: 1 }),
      target: fc.oneof({ arbitrary: fc.constantFrom(...TARGETS), weight: 3 }, { arbitrary: hostileString.map((s) => s.slice(0, 300)), weight: 1 }),
      version: fc.oneof({ arbitrary: fc.constant('HTTP/1.1'), weight: 4 }, { arbitrary: fc.constantFrom(...VERSIONS), weight: 1 }),
      eol: fc.oneof({ arbitrary: fc.constant('\r\n'), weight: 6 }, { arbitrary: fc.constantFrom(...EOLS), weight: 1 }),
      host: fc.oneof({ arbitrary: fc.constant(true), weight: 3 }, { arbitrary: fc.constant(false), weight: 1 }),
      headers: fc.array(header, { maxLength: 3 }),
      body: fc.oneof({ arbitrary: fc.constant(''), weight: 2 }, { arbitrary: fc.constantFrom(...BODIES), weight: 1 }),
    })
    .map((r) => {
      const lines = [`${r.method} ${r.target} ${r.version}`.trimEnd(), ...(r.host ? ['Host: 127.0.0.1'] : []), ...r.headers.map(([n, v]) => `${n}: ${v}`)];
      return { bytes: Buffer.from(`${lines.join(r.eol)}${r.eol}${r.eol}${r.body}`, 'utf8') };
    });
  const bytes = fc.uint8Array({ maxLength: 300 }).map((b) => ({ bytes: Buffer.concat([Buffer.from(b), Buffer.from('\r\n\r\n')]) }));
  return fc.oneof({ arbitrary: structured, weight: 4 }, { arbitrary: bytes, weight: 1 }).map((c) => {
    Object.defineProperty(c, fc.toStringMethod, { value: () => JSON.stringify(c.bytes.toString('latin1').slice(0, 400)), enumerable: false });
    return c;
  });
}
