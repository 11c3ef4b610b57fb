import fc from 'fast-check';

/**
 * Hostile values for fuzzing the HTTP API and the CLI. Each generator mixes known-nasty
 * constants (the inputs that break real systems) with random strings, so a run of a few
 * hundred cases covers every class and still finds the odd one out.
 *
 * The constants avoid the words the leak check looks for (Cairn's table names, driver
 * names, stack-frame shapes): a response that reflects the client's own input must not be
 * mistaken for a leak.
 */

export const SQLISH = [
  "'; drop table users; --",
  "' OR '1'='1",
  '" OR ""="',
  "1; DELETE FROM accounts WHERE 1=1",
  "robert'); DROP TABLE students;--",
  "x' UNION SELECT null, version() --",
  '1 AND SLEEP(5)',
  "'); COPY x TO PROGRAM 'id' --",
  '$1',
  '?',
  '%',
  '_',
  '\\',
  "''",
  '`',
  'E\'\\x41\'',
] as const;

export const PATHISH = [
  '../',
  '../../../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '%2e%2e%2f%2e%2e%2f',
  '/etc/shadow',
  'C:\\boot.ini',
  '....//....//',
  '.',
  '..',
  '~',
  'file:///etc/hosts',
  'a/../../b',
  '//double//slash',
  '%00',
  'a%00b',
  '%',
  '%zz',
  '%C0%AF',
  '%ED%A0%80',
  '%FF%FE',
  '?x=1#frag',
  '#',
] as const;

export const CONTROL = [
  '\u0000',
  'a\u0000b',
  '\u0001\u0002\u0003',
  '\r\n',
  'line\nbreak',
  '\t',
  '\u007f',
  '\u001b[31mred\u001b[0m',
  '\u2028\u2029',
  '\ufeffbom',
  '\ud800',
  'x\udfffy',
  '\ud83d\ude00',
  'e\u0301',
  '\u202eevil',
  'zero\u200bwidth',
  'İı',
  '\uffff',
  ' padded ',
  '',
  ' ',
] as const;

export const HUGE = ['x'.repeat(10_000), 'é'.repeat(5_000), '%'.repeat(3_000), '\u0000'.repeat(1_000), '💥'.repeat(2_600)] as const;

/** Numbers as they arrive in text: query strings, headers, argv. */
export const NUMBER_TEXT = [
  '-1',
  '0',
  '1',
  '2',
  '-0',
  '1.5',
  '1e3',
  '1e309',
  'NaN',
  'Infinity',
  '-Infinity',
  '0x1f',
  '9007199254740991',
  '9007199254740992',
  '2147483648',
  '99999999999999999999',
  '9223372036854775807',
  '9223372036854775808',
  '+1',
  ' 1',
  '1 ',
  '01',
  '',
  'null',
  'true',
  '[]',
  '1,2',
  '١٢',
] as const;

/** Numbers (and not-numbers) as they arrive in JSON. */
export const NUMBER_JSON: readonly unknown[] = [
  -1, 0, 1, 2, 1.5, -0.5, 1e300, -1e300, 2 ** 31, 2 ** 31 - 1, 2 ** 53, 2 ** 53 + 2, 2 ** 63, Number.MAX_VALUE, Number.MIN_VALUE,
  '1', '', 'NaN', null, true, [], {}, [1], { n: 1 },
];

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...SQLISH), weight: 3 },
  { arbitrary: fc.constantFrom(...PATHISH), weight: 3 },
  { arbitrary: fc.constantFrom(...CONTROL), weight: 3 },
  { arbitrary: fc.constantFrom(...HUGE), weight: 1 },
  { arbitrary: fc.constantFrom(...NUMBER_TEXT), weight: 2 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 3 },
  { arbitrary: fc.string({ maxLength: 20 }), weight: 2 },
  { arbitrary: fc.nat({ max: 50 }).map((n) => `acct-${n}`), weight: 3 },
  {
    arbitrary: fc.tuple(fc.constantFrom(...SQLISH, ...PATHISH, ...CONTROL), fc.constantFrom(...SQLISH, ...PATHISH, ...CONTROL)).map(([a, b]) => a + b),
    weight: 2,
  },
);

export const hostileNumberText: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...NUMBER_TEXT), weight: 4 },
  { arbitrary: fc.integer({ min: -1_000, max: 1_000 }).map(String), weight: 2 },
  { arbitrary: fc.double().map(String), weight: 1 },
  { arbitrary: fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String), weight: 1 },
  { arbitrary: hostileString, weight: 1 },
);

export const hostileNumberJson: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.constantFrom(...NUMBER_JSON), weight: 4 },
  { arbitrary: fc.integer({ min: -5, max: 50 }), weight: 3 },
  { arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }), weight: 1 },
  { arbitrary: fc.constantFrom('any', 'no-stream', 'exists', 'ANY', 'none'), weight: 1 },
);

/** A JSON document nested `depth` levels deep, as text (no recursion, so any depth is cheap). */
export function deepJsonText(depth: number, kind: 'array' | 'object' = 'array'): string {
  return kind === 'array' ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

export function deepJson(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

export const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.jsonValue({ maxDepth: 4 }), weight: 5 },
  { arbitrary: hostileString, weight: 3 },
  { arbitrary: hostileNumberJson, weight: 2 },
  { arbitrary: fc.constantFrom(deepJson(127), deepJson(129), deepJson(2_000)), weight: 1 },
  { arbitrary: fc.dictionary(hostileString, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }), weight: 2 },
  { arbitrary: fc.constantFrom({ __proto__: null, constructor: { prototype: { polluted: 1 } } }, JSON.parse('{"__proto__":{"polluted":1}}') as unknown), weight: 1 },
);

/** How a value goes into a URL: percent-encoded, as raw bytes, or encoded twice. */
export type UrlEncoding = 'component' | 'raw' | 'double';
export const urlEncoding: fc.Arbitrary<UrlEncoding> = fc.oneof(
  { arbitrary: fc.constant<UrlEncoding>('component'), weight: 8 },
  { arbitrary: fc.constant<UrlEncoding>('raw'), weight: 1 },
  { arbitrary: fc.constant<UrlEncoding>('double'), weight: 1 },
);

/** Percent-encode the UTF-8 bytes of `text` (lone surrogates become U+FFFD, as in any UTF-8 encoder). */
export function percentEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export function encodeFor(text: string, encoding: UrlEncoding): string {
  if (encoding === 'raw') return text;
  if (encoding === 'double') return percentEncode(percentEncode(text));
  return percentEncode(text);
}

/** Content types a client may (wrongly) send with a JSON body. */
export const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'application/json; charset=utf-16',
  'application/json;charset=latin1',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=xyz',
  'application/jsonp',
  'application/vnd.api+json',
  'application/problem+json',
  'application/json, text/plain',
  'text/event-stream',
  '',
  ';;;',
  'application/json; boundary="\u0000"',
] as const;
