import { join } from 'node:path';
import fc from 'fast-check';
import { deepJsonText, hostileNumberText, hostileString } from '../../../../test/hostile/arbitraries.js';

/**
 * Hostile command lines for `cairn`: every command with random option values, unknown
 * options, stray tokens, bad JSON, SQL-ish and path-ish ids, odd store URLs. Anything that
 * names a file to write (`--out`, a SQLite `--db`, `copy-stream --to`) stays inside `dir`,
 * whatever the fuzz puts in the name: the fuzz must not write outside its sandbox.
 */
export interface ArgvCase {
  argv: string[];
  /** The command runs until interrupted (serve, tail): the test sends Ctrl-C after a moment. */
  longRunning: boolean;
}

/** A file name made from a hostile string, that cannot leave its directory. */
export function sandboxed(dir: string, name: string): string {
  const safe = name.replace(/[/\\]/g, '_').replace(/^\.+/, '_').slice(0, 200) || 'empty';
  return join(dir, safe);
}

export function hostileArgv(dir: string, postgresUrl: string): fc.Arbitrary<ArgvCase> {
  const opt = (name: string, value: fc.Arbitrary<string>) => fc.option(value.map((v) => [name, v]), { nil: undefined });
  const flag = (name: string) => fc.option(fc.constant(null).map(() => [name]), { nil: undefined });
  const stream = fc.oneof({ arbitrary: fc.constantFrom('acct-1', 'acct-2', 'nobody-1', '$keys', '$audit'), weight: 2 }, { arbitrary: hostileString, weight: 3 });
  const json = fc.oneof(
    fc.json({ maxDepth: 3 }),
    fc.constantFrom('{', '[]', 'null', '{"a":NaN}', '{"__proto__":{"x":1}}', '{"actor":7}', '"\\u0000"', deepJsonText(200), deepJsonText(20_000)),
    hostileString,
  );
  const number = fc.oneof({ arbitrary: fc.constantFrom('1', '2', '10', '0'), weight: 1 }, { arbitrary: hostileNumberText, weight: 1 });
  const dbUrl = fc.oneof(
    fc.constantFrom('memory:', 'mysql://localhost/x', 'sqlite:', 'sqlite:/', ':memory:', 'postgres://root@127.0.0.1:1/x', 'postgres://root@127.0.0.1:5432/no_such_db_here', 'http://example.com'),
    hostileString.map((s) => `sqlite:${sandboxed(join(dir, 'dbs'), s)}`),
    hostileString.map((s) => {
      const url = new URL(postgresUrl);
      url.searchParams.set('schema', s);
      return url.toString();
    }),
  );
  const file = fc.oneof(
    fc.constantFrom('/etc/passwd', '/dev/null', '/nonexistent/x.ndjson', dir, join(dir, 'nope.ndjson')),
    hostileString.map((s) => sandboxed(dir, s)),
  );
  const out = hostileString.map((s) => sandboxed(join(dir, 'out'), s));

  const tuple = (...parts: Array<fc.Arbitrary<string | string[] | undefined>>) =>
    fc.tuple(...parts).map((xs) => xs.flatMap((x) => (x === undefined ? [] : Array.isArray(x) ? x : [x])));

  const commands: Array<fc.Arbitrary<string[]>> = [
    tuple(fc.constant('append'), stream, opt('--type', fc.oneof(fc.constant('Deposited'), hostileString)), opt('--data', json), opt('--expected-version', number), opt('--metadata', json), opt('--tag', hostileString), opt('--id', fc.oneof(fc.uuid(), hostileString))),
    tuple(fc.constant('read'), stream, opt('--from', number), opt('--to', number), opt('--limit', number), flag('--backward'), opt('--until', fc.oneof(fc.constant('2026-01-01T00:00:00Z'), hostileString))),
    tuple(fc.constant('streams'), opt('--prefix', hostileString), opt('--category', hostileString), opt('--type', hostileString), opt('--limit', number), flag('--include-system')),
    tuple(fc.constant('export'), opt('--out', out), opt('--after', number), flag('--include-system')),
    tuple(fc.constant('import'), file, opt('--batch-size', number), flag('--fresh-times')),
    tuple(fc.constant('copy-stream'), stream, opt('--to', dbUrl), opt('--from', dbUrl), opt('--as', stream), opt('--batch-size', number)),
    tuple(fc.constant('verify')),
    tuple(fc.constant('keys'), fc.constant('create'), opt('--name', hostileString), opt('--role', fc.oneof(fc.constantFrom('read', 'write', 'admin'), hostileString)), opt('--prefix', hostileString)),
    tuple(fc.constant('keys'), fc.constantFrom('list', 'revoke'), fc.option(hostileString, { nil: undefined })),
    tuple(fc.constant('projections'), fc.constantFrom('status', 'rebuild', 'pause', 'resume'), fc.option(hostileString, { nil: undefined })),
    tuple(fc.constant('projections'), fc.constant('dead-letters'), fc.constantFrom('list', 'replay', 'skip'), fc.option(hostileString, { nil: undefined }), opt('--status', hostileString), opt('--projection', hostileString)),
    tuple(fc.constant('snapshot'), fc.constantFrom('show', 'delete'), fc.option(stream, { nil: undefined }), opt('--name', hostileString), opt('--stream', stream)),
    tuple(fc.constant('forget'), fc.option(hostileString, { nil: undefined }), opt('--reason', hostileString), opt('--actor', hostileString)),
    tuple(fc.constant('migrate')),
    fc.array(hostileString, { maxLength: 4 }),
  ];
  const longRunning: Array<fc.Arbitrary<string[]>> = [
    tuple(fc.constant('tail'), opt('--after', number), opt('--limit', number), opt('--type', hostileString), flag('--from-start')),
    tuple(fc.constant('serve'), fc.constant('--port'), fc.oneof(fc.constant('0'), number), opt('--host', fc.oneof(fc.constant('127.0.0.1'), hostileString)), opt('--log-level', fc.oneof(fc.constant('silent'), hostileString)), opt('--body-limit', number)),
  ];
  // Half the command lines end cleanly, so the commands' own checks get their turn.
  const extras = fc.oneof(
    fc.constant(null).map((): string[][] => []),
    fc.array(
      fc.oneof(
        fc.constantFrom('--json', '--verbose', '--json', '--nope', '-x', '--', '--db').map((s) => [s]),
        dbUrl.map((u) => ['--db', u]),
        hostileString.map((s) => [s]),
      ),
      { minLength: 1, maxLength: 2 },
    ),
  );
  const build = (longRunningCase: boolean) => (parts: [string[], string[][]]): ArgvCase => ({ argv: [...parts[0], ...parts[1].flat()], longRunning: longRunningCase });
  return fc.oneof(
    { arbitrary: fc.tuple(fc.oneof(...commands), extras).map(build(false)), weight: 12 },
    { arbitrary: fc.tuple(fc.oneof(...longRunning), extras).map(build(true)), weight: 1 },
  );
}
