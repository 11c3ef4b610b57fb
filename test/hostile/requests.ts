import fc from 'fast-check';
import { CONTENT_TYPES, deepJsonText, encodeFor, hostileJson, hostileString, urlEncoding } from './arbitraries.js';
import type { WireRequest } from './wire.js';

/** One route of the API under test, and what to vary in requests to it. */
export interface RouteSpec {
  method: string;
  /** Template such as '/streams/:id'. */
  path: string;
  /** Values for each `:param`; hostile strings by default. */
  params?: Record<string, fc.Arbitrary<string>>;
  /** Query parameters the route knows, with their values. */
  query?: Record<string, fc.Arbitrary<string>>;
  /** Headers the route reads (If-Match, Last-Event-ID, Idempotency-Key…), with their values. */
  headers?: Record<string, fc.Arbitrary<string>>;
  /** The JSON body a well-meaning client would send, for POST routes. */
  body?: fc.Arbitrary<unknown>;
  /** True when a 2xx answer writes events (the "nothing written on rejection" check skips those). */
  writes?: boolean;
  /** How often the route is picked relative to the others. Default 1. */
  weight?: number;
}

export interface HostileRequest extends WireRequest {
  route: RouteSpec;
  /** Which credential was sent, for the tally. */
  as: string;
}

const METHODS = ['GET', 'POST', 'HEAD', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'get', 'FOO', 'CONNECT'] as const;

const EXTRA_HEADERS: ReadonlyArray<readonly [string, string]> = [
  ['X-Forwarded-For', '10.0.0.1, 203.0.113.7'],
  ['X-Forwarded-Proto', 'https'],
  ['X-Forwarded-Host', 'evil.example'],
  ['Origin', 'https://evil.example'],
  ['Expect', '100-continue'],
  ['Content-Encoding', 'gzip'],
  ['Accept', 'text/event-stream'],
  ['Accept-Encoding', 'gzip, deflate, br'],
  ['Range', 'bytes=0-1'],
  ['Cookie', 'session=1; session=2'],
  ['X-HTTP-Method-Override', 'DELETE'],
  ['traceparent', '00-zzzz-yyyy-01'],
  ['Upgrade', 'websocket'],
  ['Transfer-Encoding', 'identity'],
];

/** Header values may hold anything but a line break (that would be another header: a different test). */
const headerValue = (value: string): string => value.replace(/[\r\n]/g, '');

/** How the caller authenticates: a real key of some role, nothing, or something broken. */
export function authHeaders(keys: Readonly<Record<string, string>>): fc.Arbitrary<{ as: string; headers: Array<[string, string]> }> {
  const names = Object.keys(keys);
  const bogus = `cairn_${'A'.repeat(43)}`;
  const any = names[0] === undefined ? bogus : (keys[names[0]] as string);
  return fc.oneof(
    { arbitrary: fc.constantFrom(...names).map((as) => ({ as, headers: [['Authorization', `Bearer ${keys[as]}`] as [string, string]] })), weight: 12 },
    { arbitrary: fc.constant(null).map(() => ({ as: 'none', headers: [] as Array<[string, string]> })), weight: 1 },
    {
      arbitrary: fc
        .constantFrom(
          'Bearer',
          'Bearer ',
          `Bearer ${bogus}`,
          `Basic ${Buffer.from('admin:admin').toString('base64')}`,
          `Bearer ${any}x`,
          `bearer ${any}`,
          `Bearer    ${any}   `,
          `Bearer ${'A'.repeat(10_000)}`,
          `Bearer ${any.slice(0, -1)}`,
          `Bearer ${any}\u0000`,
          'Bearer cairn_../../etc/passwd',
        )
        .map((value) => ({ as: 'broken', headers: [['Authorization', headerValue(value)] as [string, string]] })),
      weight: 2,
    },
    {
      // Two Authorization headers: whichever wins, the answer must be consistent and sane.
      arbitrary: fc.constantFrom(...names).map((as) => ({
        as: 'duplicate',
        headers: [
          ['Authorization', `Bearer ${bogus}`],
          ['Authorization', `Bearer ${keys[as]}`],
        ] as Array<[string, string]>,
      })),
      weight: 1,
    },
  );
}

const bodyBytes = (body: fc.Arbitrary<unknown>, bodyLimit: number): fc.Arbitrary<Buffer | undefined> =>
  fc.oneof(
    { arbitrary: body.map((v) => Buffer.from(JSON.stringify(v) ?? 'null', 'utf8')), weight: 10 },
    { arbitrary: hostileJson.map((v) => Buffer.from(JSON.stringify(v) ?? 'null', 'utf8')), weight: 2 },
    {
      // Broken JSON: cut short, trailing garbage, a raw NUL byte, invalid UTF-8.
      arbitrary: fc.tuple(body, fc.nat(), fc.constantFrom('cut', 'trail', 'nul', 'utf8')).map(([v, at, how]) => {
        const text = Buffer.from(JSON.stringify(v) ?? 'null', 'utf8');
        const i = text.length === 0 ? 0 : at % text.length;
        if (how === 'cut') return text.subarray(0, i);
        if (how === 'trail') return Buffer.concat([text, Buffer.from(' }]garbage')]);
        if (how === 'nul') return Buffer.concat([text.subarray(0, i), Buffer.from([0]), text.subarray(i)]);
        return Buffer.concat([text.subarray(0, i), Buffer.from([0xff, 0xc3, 0x28]), text.subarray(i)]);
      }),
      weight: 3,
    },
    {
      arbitrary: fc.constantFrom(
        Buffer.from(deepJsonText(100_000)),
        Buffer.from(deepJsonText(50_000, 'object')),
        Buffer.from(`{"events":[{"type":"A","data":"${'x'.repeat(bodyLimit + 10)}"}]}`),
        Buffer.from(`{"events":${JSON.stringify(Array.from({ length: 2_000 }, () => ({ type: 'A', data: 1 })))}}`),
        Buffer.from('NaN'),
        Buffer.from('{"events":[{"type":"A","data":NaN}]}'),
        Buffer.from('{"events":[{"type":"A","data":1e999}]}'),
        Buffer.from('{"events":[{"type":"A","data":1}],"events":"dup"}'),
        Buffer.from('\ufeff{"events":[{"type":"A","data":1}]}'),
        Buffer.alloc(0),
      ),
      weight: 2,
    },
    { arbitrary: fc.constant(undefined), weight: 1 },
  );

/**
 * Requests to the routes of `routes`: mostly well-formed HTTP aimed at a real route with a
 * real key and hostile values where the route takes input, sometimes the wrong method, an
 * unknown path, a broken body, a wrong content type, duplicate or garbage headers.
 */
export function hostileRequests(routes: readonly RouteSpec[], keys: Readonly<Record<string, string>>, options: { bodyLimit: number }): fc.Arbitrary<HostileRequest> {
  return fc.oneof(...routes.map((route) => ({ arbitrary: fc.constant(route), weight: route.weight ?? 1 }))).chain((route) => {
    const paramNames = [...route.path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1] as string);
    const params = fc.tuple(...paramNames.map((name) => fc.tuple(route.params?.[name] ?? hostileString, urlEncoding)));
    const queryNames = Object.keys(route.query ?? {});
    const query = fc.array(
      fc.oneof(
        {
          arbitrary: queryNames.length === 0 ? fc.tuple(hostileString, hostileString) : fc.constantFrom(...queryNames).chain((name) => fc.tuple(fc.constant(name), route.query?.[name] ?? hostileString)),
          weight: 6,
        },
        { arbitrary: fc.tuple(fc.constantFrom('__proto__[x]', 'constructor[prototype][x]', 'a[]', '', '&', '='), hostileString), weight: 1 },
      ).chain(([name, value]) => fc.tuple(fc.constant(name), fc.constant(value), urlEncoding)),
      { maxLength: 4 },
    );
    const routeHeaderNames = Object.keys(route.headers ?? {});
    // Half the requests send none of the route's headers, so the other inputs get their turn.
    const routeHeaders = fc.oneof(
      fc.constant([] as Array<[string, string]>),
      fc.array(
        routeHeaderNames.length === 0
          ? fc.tuple(fc.constant('X-Nothing'), hostileString)
          : fc.constantFrom(...routeHeaderNames).chain((name) => fc.tuple(fc.constant(name), route.headers?.[name] ?? hostileString)),
        { minLength: 1, maxLength: 3 },
      ),
    );
    const method = fc.oneof({ arbitrary: fc.constant(route.method), weight: 12 }, { arbitrary: fc.constantFrom(...METHODS), weight: 1 });
    const path = fc.oneof(
      { arbitrary: fc.constant('template'), weight: 12 },
      { arbitrary: fc.constantFrom('/', '//streams', '/streams/', '/STREAMS', '/streams/a/b', '/..%2f..%2fetc/passwd', '/%', '/openapi.json/..', '/*', '/streams/%2e%2e'), weight: 1 },
    );
    const contentType = fc.oneof({ arbitrary: fc.constant('application/json'), weight: 10 }, { arbitrary: fc.constantFrom(...CONTENT_TYPES), weight: 2 }, { arbitrary: fc.constant(undefined), weight: 1 });
    const body = route.body ? bodyBytes(route.body, options.bodyLimit) : fc.oneof({ arbitrary: fc.constant(undefined), weight: 8 }, { arbitrary: bodyBytes(hostileJson, options.bodyLimit), weight: 1 });
    const framing = fc.constantFrom<WireRequest['framing']>('length', 'length', 'length', 'length', 'length', 'chunked');
    const extras = fc.subarray([...EXTRA_HEADERS], { maxLength: 2 });

    return fc
      .record({ method, path, params, query, routeHeaders, auth: authHeaders(keys), contentType, body, framing, extras })
      .map((r): HostileRequest => {
        let target = route.path;
        paramNames.forEach((name, i) => {
          const [value, encoding] = r.params[i] as [string, Parameters<typeof encodeFor>[1]];
          target = target.replace(`:${name}`, encodeFor(value, encoding));
        });
        if (r.path !== 'template') target = r.path;
        if (r.query.length > 0) target += `?${r.query.map(([k, v, e]) => `${encodeFor(k, e)}=${encodeFor(v, e)}`).join('&')}`;
        const headers: Array<[string, string]> = [...r.auth.headers];
        for (const [name, value] of r.routeHeaders) headers.push([name, headerValue(value)]);
        for (const [name, value] of r.extras) headers.push([name, value]);
        if (r.body !== undefined && r.contentType !== undefined) headers.push(['Content-Type', headerValue(r.contentType)]);
        const request: HostileRequest = {
          method: r.method,
          target,
          headers,
          route,
          as: r.auth.as,
          ...(r.body !== undefined ? { body: r.body, framing: r.framing } : {}),
        };
        // Counterexamples print compactly: a 10,000-character value shows as its start.
        Object.defineProperty(request, fc.toStringMethod, { value: () => describeRequest(request), enumerable: false });
        return request;
      });
  });
}

export function describeRequest(r: WireRequest): string {
  const clip = (s: string, n = 160): string => (s.length > n ? `${s.slice(0, n)}…(${s.length} chars)` : s);
  const headers = r.headers.map(([k, v]) => `${k}: ${clip(JSON.stringify(v), 80)}`).join(' | ');
  const body = r.body === undefined ? 'no body' : `body ${r.body.length} B ${clip(JSON.stringify(r.body.toString('utf8')), 200)} (${r.framing ?? 'length'})`;
  return `${r.method} ${clip(JSON.stringify(r.target))} [${headers}] ${body}`;
}
