import { type EventStore, openStore } from '@cairn/core';
import { processCpuMs } from '../env/backend-cpu.js';
import { createKey, type ServeChild, startServe, storeUrl } from '../env/serve-child.js';
import { type HttpSubject, httpSubject } from '../http-subject.js';
import { row } from '../result.js';
import { alternate, cpuDetails, now, scaled, summarize, Tally } from '../stats.js';
import { storeSubject } from '../store-subject.js';
import type { Subject } from '../subject.js';
import { runWriters, type WriterPlan, WriterState } from './writers.js';
import type { Workload } from './workload.js';

const CLIENTS = 8;
const STREAMS_PER_CLIENT = 64;
const ROUNDS = 4;
const WARM_PER_CLIENT = 100;
/** Each side's rounds together stop issuing appends after this long (a slow server cannot stall the run). */
const TIME_LIMIT_MS = 60_000;

/**
 * HTTP: single-event appends at exact expected versions through `cairn serve` (the built CLI
 * started as a child process, an API key made with `cairn keys create`), from 8 concurrent
 * keep-alive clients on loopback, each on its own 64 streams — W2's shape — against the same
 * appends made by direct store calls in this process, with the same concurrency, on the
 * same database, in alternating rounds. The direct side opens the store from the same URL
 * the server does (`openStore`), so both run the same store with the same options.
 * No target yet: the ratio is reported; the row passes when every acknowledged append is in
 * its stream at the version the server answered.
 */
export const httpAppend: Workload = {
  id: 'HTTP',
  title: `appends through cairn serve, ${CLIENTS} clients`,
  async run(ctx) {
    const appends = scaled(8000, ctx.scale, 160);
    const perClientPerRound = Math.max(1, Math.round(appends / CLIENTS / ROUNDS));
    const arena = await ctx.env.arena('HTTP');
    const db = storeUrl(arena.location);
    let serve: ServeChild | undefined;
    let direct: EventStore | undefined;
    let client: HttpSubject | undefined;
    try {
      const key = await createKey(db);
      serve = await startServe(db);
      direct = await openStore(db);
      client = httpSubject(serve.address, key, CLIENTS);
      const serverCpuMs = arena.storeSide.serverCpuMs;
      const sides: Record<'http' | 'direct', Subject> = {
        http: { ...client, ...(serverCpuMs ? { serverCpuMs } : {}) },
        direct: { ...storeSubject(direct), ...(serverCpuMs ? { serverCpuMs } : {}) },
      };
      const plan = (prefix: string): WriterPlan => ({ writers: CLIENTS, streamsPerWriter: STREAMS_PER_CLIENT, streamId: (w, k) => `${prefix}-w${w}-${k}` });
      // The server is a fresh process: its first few hundred requests run before its JIT has warmed up.
      const warm = Math.min(WARM_PER_CLIENT, Math.max(20, perClientPerRound * 2));
      await runWriters(sides.http, new WriterState(plan('warmup-http')), warm, null);
      await runWriters(sides.direct, new WriterState(plan('warmup-direct')), warm, null);

      const http = { state: new WriterState(plan('http')), tally: new Tally(serverCpuMs) };
      const own = { state: new WriterState(plan('direct')), tally: new Tally(serverCpuMs) };
      let serveCpuMs = 0;
      let serveCpuKnown = true;
      const roundLimit = TIME_LIMIT_MS / ROUNDS;
      ctx.log(`HTTP ${ctx.kind}: ${CLIENTS} clients × ${perClientPerRound * ROUNDS} appends through ${serve.address} and direct, ${ROUNDS} alternating rounds`);
      const logLinesBefore = serve.logLines();
      await alternate(ROUNDS, {
        raw: () => runWriters(sides.direct, own.state, perClientPerRound, own.tally, { deadline: now() + roundLimit }),
        store: async () => {
          const before = processCpuMs((serve as ServeChild).pid);
          await runWriters(sides.http, http.state, perClientPerRound, http.tally, { deadline: now() + roundLimit });
          const after = processCpuMs((serve as ServeChild).pid);
          if (before === undefined || after === undefined) serveCpuKnown = false;
          else serveCpuMs += after - before;
        },
      });
      const logLines = serve.logLines() - logLinesBefore;

      // Every acknowledged append must be in its stream: each stream at the version its last answer gave.
      let missing = 0;
      for (const [streamId, version] of [...http.state.versions, ...own.state.versions]) {
        if (((await direct.streamInfo(streamId))?.version ?? 0) !== version) missing++;
      }
      const expected = perClientPerRound * ROUNDS * CLIENTS;
      const cut = http.tally.events < expected || own.tally.events < expected;

      const h = summarize(http.tally.latencies);
      const d = summarize(own.tally.latencies);
      const httpRate = http.tally.perSecond('events');
      const directRate = own.tally.perSecond('events');
      const us = (ms: number, ops: number): string => (ops > 0 ? ((ms * 1000) / ops).toFixed(0) : '?');
      let cpu = `CPU per append: client HTTP ${us(http.tally.cpuMs, http.tally.ops)} / direct ${us(own.tally.cpuMs, own.tally.ops)} µs; cairn serve process ${serveCpuKnown ? us(serveCpuMs, http.tally.ops) : '?'} µs`;
      if (http.tally.serverCpuMs > 0 || own.tally.serverCpuMs > 0) cpu += `; database backends HTTP ${us(http.tally.serverCpuMs, http.tally.ops)} / direct ${us(own.tally.serverCpuMs, own.tally.ops)} µs`;
      return [
        row({
          workload: 'HTTP',
          title: this.title,
          store: ctx.kind,
          unit: 'appends/s',
          result: { value: httpRate, p50Ms: h.p50, p99Ms: h.p99 },
          raw: { value: directRate, p50Ms: d.p50, p99Ms: d.p99 },
          ratio: directRate > 0 ? httpRate / directRate : 0,
          target: 'ratio to direct store calls (no target yet); every append stored',
          status: missing === 0 ? 'pass' : 'fail',
          notes: [
            `"raw ceiling" here: the same appends by direct store calls (${CLIENTS} concurrent, same store URL) in this process; ratio: HTTP / direct`,
            `POST /streams/:id with If-Match, keep-alive node:http clients on loopback; cairn serve with its defaults (log level info: ${logLines} log lines for ${http.tally.ops} requests)`,
            cpu,
            `${http.tally.events} HTTP / ${own.tally.events} direct appends${cut ? ` (cut short by the ${TIME_LIMIT_MS / 1000} s bound; ${expected} planned)` : ''}; ` +
              `${missing === 0 ? 'every acknowledged append stored' : `${missing} streams NOT at their acknowledged version`}`,
          ],
          details: {
            clients: CLIENTS,
            streamsPerClient: STREAMS_PER_CLIENT,
            rounds: ROUNDS,
            appends: { http: http.tally.events, direct: own.tally.events, planned: expected },
            missingStreams: missing,
            requestLogLines: logLines,
            cpu: {
              http: { ...cpuDetails(http.tally), serveProcessUsPerOp: serveCpuKnown && http.tally.ops > 0 ? (serveCpuMs * 1000) / http.tally.ops : null },
              direct: cpuDetails(own.tally),
            },
          },
        }),
      ];
    } finally {
      client?.close();
      await serve?.stop();
      await direct?.close();
      await arena.dispose();
    }
  },
};
