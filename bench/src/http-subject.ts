import { Agent, request } from 'node:http';
import { EVENT_TYPE, type MoneyDeposited } from './payload.js';
import type { Subject } from './subject.js';

const REQUEST_TIMEOUT_MS = 10_000;

export interface HttpSubject extends Subject {
  /** Close the kept-alive sockets. */
  close(): void;
}

/**
 * The store behind `cairn serve`, driven like the direct store: one `POST /streams/:id` per
 * append with the exact expected version as `If-Match: "<v>"` (`If-None-Match: *` for a new
 * stream); 409 is a version conflict. Node's own HTTP client with a keep-alive agent (one
 * socket per concurrent client, reused for every request), the cheapest client Node has, so
 * the client's CPU takes as little as possible from the two cores the server shares.
 */
export function httpSubject(address: string, key: string, maxSockets: number): HttpSubject {
  const base = new URL(address);
  const agent = new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  const post = (path: string, headers: Record<string, string>, body: string): Promise<{ status: number; body: string }> =>
    new Promise((resolve, reject) => {
      const req = request(
        { host: base.hostname, port: base.port, path, method: 'POST', agent, timeout: REQUEST_TIMEOUT_MS, headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`POST ${path}: no answer within ${REQUEST_TIMEOUT_MS / 1000} s`)));
      req.on('error', reject);
      req.end(body);
    });
  const unsupported = (what: string) => (): never => {
    throw new Error(`the HTTP subject only appends single events (${what} is not measured over HTTP)`);
  };
  return {
    side: 'store',
    async appendOne(streamId: string, expectedVersion: number, data: MoneyDeposited): Promise<boolean> {
      const headers: Record<string, string> = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
      if (expectedVersion === 0) headers['if-none-match'] = '*';
      else headers['if-match'] = `"${expectedVersion}"`;
      const res = await post(`/streams/${encodeURIComponent(streamId)}`, headers, JSON.stringify({ events: [{ type: EVENT_TYPE, data }] }));
      if (res.status === 200) {
        const version = (JSON.parse(res.body) as { version?: unknown }).version;
        if (version !== expectedVersion + 1) throw new Error(`POST /streams/${streamId}: answered version ${String(version)}, expected ${expectedVersion + 1}`);
        return true;
      }
      if (res.status === 409) return false;
      throw new Error(`POST /streams/${streamId}: HTTP ${res.status} ${res.body.slice(0, 300)}`);
    },
    appendBatch: unsupported('appendBatch'),
    readStream: unsupported('readStream'),
    version: unsupported('version'),
    close: () => agent.destroy(),
  };
}
