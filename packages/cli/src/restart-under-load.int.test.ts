import type { ChildProcess } from 'node:child_process';
import type { EventStore } from '@cairn/core';
import { createApiKey } from '@cairn/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, spawnCairn } from './test-support/cli.js';
import { type Backend, StoreUrls } from './test-support/stores.js';

/**
 * `cairn serve` restarted under load, as real processes on SQLite and PostgreSQL. Writers
 * append continuously, each append with event ids fixed before the first attempt and resent
 * unchanged after a connection error or a 5xx; an SSE client follows /subscribe and resumes
 * with Last-Event-ID. The server gets SIGTERM (graceful) once and SIGKILL once, and comes back
 * on the same port each time. Afterwards: every acknowledged append is stored exactly once,
 * no event twice, every append whole or not at all, and the SSE client saw every event once,
 * in order.
 */

beforeAll(() => assertBuilt());

const WRITERS = 4;
const PHASE_MS = 1_500;

interface Append {
  streamId: string;
  ids: string[];
  acknowledged: boolean;
  attempts: number;
}

interface Server {
  child: ChildProcess;
  port: number;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

async function serve(db: string, port: number): Promise<Server> {
  const child = spawnCairn(['serve', '--db', db, '--port', String(port), '--log-level', 'warn']);
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdout?.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const deadline = Date.now() + 20_000;
  for (;;) {
    const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(stderr);
    if (match?.[1]) return { child, port: Number(match[1]), exited };
    if (child.exitCode !== null) throw new Error(`cairn serve exited with ${child.exitCode}: ${stderr}`);
    if (Date.now() > deadline) throw new Error(`cairn serve did not start: ${stderr}`);
    await sleep(20);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** One writer: appends until told to stop, resending each append unchanged until it is acknowledged. */
async function writer(w: number, base: () => string, key: string, log: Append[], running: () => boolean): Promise<void> {
  for (let n = 0; running(); n++) {
    const append: Append = { streamId: `load-w${w}`, ids: Array.from({ length: 1 + (n % 3) }, () => crypto.randomUUID()), acknowledged: false, attempts: 0 };
    log.push(append);
    const body = JSON.stringify({ events: append.ids.map((id, i) => ({ id, type: 'Loaded', data: { w, n, i } })) });
    // Once sent, an append is resent until acknowledged, even after the writers are told to stop.
    for (let backoff = 20; !append.acknowledged; backoff = Math.min(backoff * 2, 200)) {
      append.attempts++;
      try {
        const res = await fetch(`${base()}/streams/${append.streamId}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(10_000),
        });
        const text = await res.text();
        if (res.status === 200) append.acknowledged = true;
        else if (res.status < 500) throw new Error(`append refused with ${res.status}: ${text}`);
      } catch (error) {
        if (error instanceof Error && error.message.startsWith('append refused')) throw error;
      }
      if (!append.acknowledged) await sleep(backoff);
    }
  }
}

/** An SSE client that reconnects with Last-Event-ID whenever the stream ends or fails. */
class Follower {
  readonly seen: Array<{ position: bigint; eventId: string }> = [];
  connections = 0;
  resumedWithLastEventId = 0;
  #stop = new AbortController();
  #done: Promise<void> | undefined;

  start(base: () => string, key: string): void {
    this.#done = this.#run(base, key);
  }

  async #run(base: () => string, key: string): Promise<void> {
    while (!this.#stop.signal.aborted) {
      const last = this.seen.at(-1)?.position;
      try {
        const res = await fetch(`${base()}/subscribe?after=0`, {
          headers: { authorization: `Bearer ${key}`, accept: 'text/event-stream', ...(last !== undefined ? { 'last-event-id': String(last) } : {}) },
          signal: this.#stop.signal,
        });
        if (res.status !== 200 || !res.body) {
          await res.text().catch(() => '');
        } else {
          this.connections++;
          if (last !== undefined) this.resumedWithLastEventId++;
          await this.#read(res.body);
        }
      } catch {
        // server down or restarting: reconnect below
      }
      if (!this.#stop.signal.aborted) await sleep(50);
    }
  }

  async #read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of body) {
      buffer += decoder.decode(chunk, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const id = /^id: (\d+)$/m.exec(frame)?.[1];
        const data = /^data: (.*)$/m.exec(frame)?.[1];
        if (id !== undefined && data !== undefined) this.seen.push({ position: BigInt(id), eventId: (JSON.parse(data) as { eventId: string }).eventId });
      }
    }
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#done;
  }
}

describe.each(['sqlite', 'postgres'] as Backend[])('cairn serve restarted under load [%s]', (backend) => {
  const urls = new StoreUrls();
  let store: EventStore;
  afterAll(() => urls.cleanup());

  it('SIGTERM, then SIGKILL, mid-load: acknowledged appends stored exactly once, whole, and the SSE client sees each event once, in order', async () => {
    const db = urls.url(backend);
    store = await urls.open(db);
    const { key } = await createApiKey(store, { name: 'load', roles: ['write'] });

    let server = await serve(db, 0);
    const port = server.port;
    const base = (): string => `http://127.0.0.1:${port}`;
    const log: Append[] = [];
    let running = true;
    const follower = new Follower();
    follower.start(base, key);
    const writers = Array.from({ length: WRITERS }, (_, w) => writer(w, base, key, log, () => running));
    const acknowledgedBy: number[] = [];
    const ack = (): number => log.filter((a) => a.acknowledged).length;

    await sleep(PHASE_MS);
    acknowledgedBy.push(ack());
    server.child.kill('SIGTERM');
    const graceful = await server.exited;
    await sleep(300);
    server = await serve(db, port);

    await sleep(PHASE_MS);
    acknowledgedBy.push(ack());
    server.child.kill('SIGKILL');
    const killed = await server.exited;
    await sleep(300);
    server = await serve(db, port);

    await sleep(PHASE_MS);
    running = false;
    await Promise.all(writers);

    // Every append is acknowledged now; the follower catches up, then the server stops.
    const events = (await store.readAll({ categories: ['load'] }).toArray()).filter((e) => e.streamId.startsWith('load-'));
    const deadline = Date.now() + 20_000;
    while (follower.seen.length < events.length && Date.now() < deadline) await sleep(50);
    await follower.stop();
    server.child.kill('SIGTERM');
    const last = await server.exited;

    const attempted = log.flatMap((a) => a.ids);
    const acknowledged = log.filter((a) => a.acknowledged).flatMap((a) => a.ids);
    const found = events.map((e) => e.eventId);
    const foundOnce = new Set(found);
    const duplicates = found.length - foundOnce.size;
    const lost = acknowledged.filter((id) => !foundOnce.has(id)).length;
    const attemptedOnce = new Set(attempted);
    const stranger = found.filter((id) => !attemptedOnce.has(id)).length;
    const partial = log.filter((a) => {
      const present = a.ids.filter((id) => foundOnce.has(id)).length;
      return present !== 0 && present !== a.ids.length;
    }).length;
    const retried = log.filter((a) => a.attempts > 1).length;
    const seenIds = follower.seen.map((s) => s.eventId);
    const sseRepeats = seenIds.length - new Set(seenIds).size;
    const sseInOrder = follower.seen.every((s, i) => i === 0 || s.position > (follower.seen[i - 1] as { position: bigint }).position);
    const seenOnce = new Set(seenIds);
    const sseMissing = found.filter((id) => !seenOnce.has(id)).length;

    console.log(
      `[restart-under-load] ${backend}: ${log.length} appends (${attempted.length} events) by ${WRITERS} writers, ${retried} resent after errors; ` +
        `acknowledged ${log.filter((a) => a.acknowledged).length} appends / ${acknowledged.length} events (${acknowledgedBy.join(' before SIGTERM, ')} before SIGKILL); ` +
        `found ${found.length} events, ${foundOnce.size} distinct: duplicates ${duplicates}, lost ${lost}, partial appends ${partial}, unknown ${stranger}; ` +
        `SIGTERM exit ${graceful.code}, SIGKILL ${killed.signal}; ` +
        `SSE saw ${follower.seen.length} events over ${follower.connections} connections (${follower.resumedWithLastEventId} resumed with Last-Event-ID): repeats ${sseRepeats}, missing ${sseMissing}, in order ${sseInOrder}`,
    );

    expect(graceful.code).toBe(0);
    expect(killed.signal).toBe('SIGKILL');
    expect(last.code).toBe(0);
    expect(acknowledgedBy[0]).toBeGreaterThan(0);
    expect((acknowledgedBy[1] ?? 0) > (acknowledgedBy[0] ?? 0)).toBe(true);
    expect(log.every((a) => a.acknowledged)).toBe(true);
    expect(lost).toBe(0);
    expect(duplicates).toBe(0);
    expect(stranger).toBe(0);
    expect(partial).toBe(0);
    expect(found.length).toBe(acknowledged.length);
    // Each stream's versions run 1..n with no gap: nothing was half-written by the kill.
    for (let w = 0; w < WRITERS; w++) {
      const versions = events.filter((e) => e.streamId === `load-w${w}`).map((e) => e.version);
      expect(versions).toEqual(versions.map((_, i) => i + 1));
    }
    expect(follower.resumedWithLastEventId).toBeGreaterThanOrEqual(2);
    expect(sseRepeats).toBe(0);
    expect(sseInOrder).toBe(true);
    expect(sseMissing).toBe(0);
    expect(follower.seen.length).toBe(found.length);
  }, 90_000);
});
