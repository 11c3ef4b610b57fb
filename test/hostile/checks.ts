import type { EventStore } from '@cairn/core';
import type { WireOutcome } from './wire.js';

/**
 * What a server may never send back, whatever it was asked: stack frames, source or
 * dependency paths, the test's own directories (a SQLite file's path), driver and SQL
 * internals. The hostile inputs avoid these words, so a reflected input is not a leak.
 */
export function leakPatterns(extra: readonly string[] = []): RegExp[] {
  const literal = (s: string): RegExp => new RegExp(s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i');
  return [
    /\n\s+at [^\n]+\(/, // a stack frame: "    at fn (file:1:2)"
    /\.(ts|js|mjs|cjs):\d+:\d+/, // file:line:column
    /node_modules/,
    /node:internal/,
    /SQLITE_[A-Z]/,
    /better-sqlite3/i,
    /\bsyntax error at or near\b/i,
    /\bviolates (unique|foreign key|check|not-null) constraint\b/i,
    /\binvalid input syntax for type\b/i,
    /\bout of range for type\b/i,
    /\brelation "[^"]*" does not exist\b/i,
    /\bhorizon_xid\b|\bevent_tags\b|\bpg_advisory|\bpg_snapshot|\bpg_locks\b/i,
    /\bINSERT INTO\b/,
    /\bFROM (cairn\.)?(events|streams)\b/,
    literal(process.cwd()),
    ...extra.filter((s) => s.length > 3).map(literal),
  ];
}

/** Every code an error response may carry: the server's table plus what extensions add. */
export type CodeTable = Readonly<Record<string, number>>;

export interface CheckOptions {
  codes: CodeTable;
  leaks: readonly RegExp[];
  /** Longest acceptable answer time. */
  maxMs: number;
  /** Whether silence (connection closed without an answer) is acceptable for this request. */
  allowSilence?: boolean;
}

/**
 * The properties every answer must have: it comes in time, it is no 5xx, an error is
 * application/problem+json with a known, stable `code` whose status matches, and nothing in
 * it leaks internals. Returns the violations (empty when the answer is fine).
 */
export function checkAnswer(outcome: WireOutcome, method: string, options: CheckOptions): string[] {
  const problems: string[] = [];
  if (outcome.kind !== 'response') {
    if (outcome.kind === 'timeout') return [`no answer within ${options.maxMs} ms (got ${JSON.stringify(outcome.partial.slice(0, 120))})`];
    return options.allowSilence ? [] : [`connection closed without an answer after ${outcome.ms} ms`];
  }
  if (outcome.ms > options.maxMs) problems.push(`answered after ${outcome.ms} ms, over ${options.maxMs}`);
  if (outcome.status >= 500) problems.push(`status ${outcome.status}: ${outcome.body.slice(0, 300)}`);
  if (outcome.headers['x-content-type-options'] !== 'nosniff') problems.push(`status ${outcome.status} without X-Content-Type-Options: nosniff`);
  for (const pattern of options.leaks) if (pattern.test(outcome.body)) problems.push(`response leaks ${pattern}: ${outcome.body.slice(0, 300)}`);
  if (outcome.status >= 400 && method !== 'HEAD') {
    const type = outcome.headers['content-type'] ?? '';
    if (!type.startsWith('application/problem+json')) problems.push(`error ${outcome.status} with content-type ${JSON.stringify(type)}: ${outcome.body.slice(0, 200)}`);
    let body: Record<string, unknown> | undefined;
    try {
      body = JSON.parse(outcome.body) as Record<string, unknown>;
    } catch {
      problems.push(`error body is not JSON: ${outcome.body.slice(0, 200)}`);
    }
    if (body) {
      const code = body.code;
      if (typeof code !== 'string' || !(code in options.codes)) problems.push(`unknown error code ${JSON.stringify(code)} (status ${outcome.status})`);
      else if (options.codes[code] !== outcome.status) problems.push(`code ${code} came with status ${outcome.status}, its table says ${options.codes[code]}`);
      if (body.status !== outcome.status) problems.push(`problem status ${String(body.status)} ≠ HTTP status ${outcome.status}`);
      if (typeof body.detail !== 'string' || body.detail.length === 0) problems.push('problem without detail');
    }
  }
  return problems;
}

/** The store's visible state: its settled head and every stream's version, `$` streams included. */
export interface StoreState {
  head: bigint;
  streams: Record<string, number>;
}

export async function storeState(store: EventStore): Promise<StoreState> {
  const streams: Record<string, number> = {};
  for (let after: string | undefined; ; ) {
    const page = await store.listStreams({ limit: 1000, includeSystem: true, ...(after !== undefined ? { afterStreamId: after } : {}) });
    for (const s of page) streams[s.streamId] = s.version;
    if (page.length < 1000) break;
    after = page.at(-1)?.streamId;
  }
  return { head: await store.headPosition(), streams };
}

/** What changed between two states, for the failure message; empty when nothing did. */
export function stateChanges(before: StoreState, after: StoreState): string[] {
  const changes: string[] = [];
  if (before.head !== after.head) changes.push(`head ${before.head} → ${after.head}`);
  for (const [id, version] of Object.entries(after.streams)) {
    if (before.streams[id] !== version) changes.push(`${JSON.stringify(id)} v${before.streams[id] ?? 0} → v${version}`);
  }
  for (const id of Object.keys(before.streams)) if (!(id in after.streams)) changes.push(`${JSON.stringify(id)} disappeared`);
  return changes;
}
