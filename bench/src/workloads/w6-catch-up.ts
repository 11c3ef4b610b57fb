import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Arena, LoadRow } from '../env/arena.js';
import { deposit } from '../payload.js';
import { ratioRow, row, type ResultRow } from '../result.js';
import { scaled } from '../stats.js';
import { catchUp, type CatchUpJob, type CatchUpMeasurement, RAW_PAGE_SIZE } from './w6-reader.js';
import type { Workload, WorkloadContext } from './workload.js';

const LOAD_BATCH = 1000;
const RAW_LOAD_CHUNK = 10_000;
const STREAMS = 1000;
const RSS_LIMIT_MB = 100;
/**
 * A store read may take at most this many times the first raw read (and at least 20 s):
 * a store that degrades badly must not push the whole run past its 10 minutes. A read cut
 * short reports the rate over what it read, and says so.
 */
const BUDGET_FACTOR = 10;
const MIN_BUDGET_MS = 20_000;

/** Setup (not timed): the same events into the store (through append, 1,000 a call) and the raw table. */
async function load(arena: Arena, events: number, ctx: WorkloadContext): Promise<void> {
  const versions = new Map<string, number>();
  let pending: LoadRow[] = [];
  let lastLog = Date.now();
  for (let b = 0; b * LOAD_BATCH < events; b++) {
    const size = Math.min(LOAD_BATCH, events - b * LOAD_BATCH);
    const streamId = `account-${b % STREAMS}`;
    const from = versions.get(streamId) ?? 0;
    const batch = Array.from({ length: size }, (_, i) => deposit(`acc-${b % STREAMS}`, `w6:${b}:${i}`, b * LOAD_BATCH + i));
    await arena.storeSide.appendBatch(streamId, from, batch);
    versions.set(streamId, from + size);
    batch.forEach((data, i) => pending.push({ streamId, version: from + i + 1, data }));
    if (pending.length >= RAW_LOAD_CHUNK) {
      await arena.rawBulkLoad(pending);
      pending = [];
    }
    if (Date.now() - lastLog > 10_000) {
      ctx.log(`W6 ${ctx.kind}: loaded ${(b + 1) * LOAD_BATCH} of ${events} events`);
      lastLog = Date.now();
    }
  }
  if (pending.length > 0) await arena.rawBulkLoad(pending);
}

/**
 * The compiled child script. Under Vitest this module runs from src/*.ts, so look for the
 * built twin in dist/; when there is none, W6 runs in-process and says so.
 */
function childScript(): string | undefined {
  const here = fileURLToPath(import.meta.url);
  const js = here.endsWith('.ts') ? here.replace(/([\\/])src([\\/].*)\.ts$/, '$1dist$2.js') : here;
  const path = join(dirname(js), 'w6-child.js');
  return existsSync(path) ? path : undefined;
}

/** Profiling flags the parent was started with (e.g. --cpu-prof) carry over to the child. */
function inheritedFlags(): string[] {
  return process.execArgv.filter((f) => /^--(cpu-prof|heap-prof|prof)/.test(f));
}

function inChild(script: string, job: CatchUpJob): Promise<CatchUpMeasurement> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--expose-gc', ...inheritedFlags(), script, JSON.stringify(job)],
      { maxBuffer: 16 * 1024 * 1024, timeout: 600_000 },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`W6 child (${job.side}) failed: ${stderr.trim() || error.message}`));
          return;
        }
        const line = stdout.trim().split('\n').at(-1) ?? '';
        try {
          resolve(JSON.parse(line) as CatchUpMeasurement);
        } catch {
          reject(new Error(`W6 child (${job.side}) printed no result: ${stdout.slice(0, 200)} ${stderr.slice(0, 500)}`));
        }
      },
    );
  });
}

/**
 * W6: a catch-up subscriber reads 1,000,000 events from position 0 into a counting
 * projection, against raw keyset paging (1,000 rows a page), each in its own child process
 * so peak RSS growth over the process's own baseline is meaningful. Two alternating rounds.
 */
export const w6CatchUp: Workload = {
  id: 'W6',
  title: 'catch-up subscriber from 0',
  async run(ctx) {
    const events = scaled(1_000_000, ctx.scale, 5000);
    const arena = await ctx.env.arena('W6');
    try {
      ctx.log(`W6 ${ctx.kind}: loading ${events} events into the store and the raw table (setup, not timed)`);
      await load(arena, events, ctx);
      const script = childScript();
      let budgetMs: number | undefined;
      const measure = (side: 'store' | 'raw'): Promise<CatchUpMeasurement> => {
        const job: CatchUpJob = { location: arena.location, side, expected: events, ...(side === 'store' && budgetMs ? { budgetMs } : {}) };
        return script ? inChild(script, job) : catchUp(job);
      };
      ctx.log(`W6 ${ctx.kind}: reading ${events} events from 0, ${script ? 'each read in a child process' : 'in-process (no built child script)'}`);
      const runs: CatchUpMeasurement[] = [];
      const firstRaw = await measure('raw');
      budgetMs = Math.max(MIN_BUDGET_MS, BUDGET_FACTOR * firstRaw.ms);
      runs.push(firstRaw, await measure('store'));
      // A store read cut short by the budget is not repeated: the run must fit its time.
      if (runs.every((m) => m.complete)) runs.push(await measure('store'));
      runs.push(await measure('raw'));
      const cut = runs.filter((m) => !m.complete);
      const total = (side: 'store' | 'raw'): { events: number; ms: number; growth: number } => {
        const mine = runs.filter((m) => m.side === side);
        return {
          events: mine.reduce((n, m) => n + m.events, 0),
          ms: mine.reduce((n, m) => n + m.ms, 0),
          growth: Math.max(...mine.map((m) => m.rssPeakMb - m.rssBaselineMb)),
        };
      };
      const s = total('store');
      const r = total('raw');
      const where = script ? 'child process per read' : 'in-process (noisier)';
      const rows: ResultRow[] = [
        ratioRow(
          { workload: 'W6', title: this.title, store: ctx.kind, unit: 'events/s' },
          { value: (s.events * 1000) / s.ms },
          { value: (r.events * 1000) / r.ms },
          0.7,
          {
            notes: [
              `${events} events; store: subscribe({ after: 0n }) with default batch size; raw: keyset pages of ${RAW_PAGE_SIZE}`,
              ...cut.map(
                (m) =>
                  `the ${m.side} read hit its time budget (${(Number(budgetMs) / 1000).toFixed(0)} s = ${BUDGET_FACTOR}× the raw read) after ${m.events} of ${events} events; ` +
                  'its rate is over the part read',
              ),
            ],
            details: { events, runs, measuredIn: where, budgetMs },
          },
        ),
        row({
          workload: 'W6',
          title: 'catch-up peak RSS growth',
          store: ctx.kind,
          unit: 'MB',
          result: { value: s.growth },
          raw: { value: r.growth },
          target: `< ${RSS_LIMIT_MB} MB`,
          status: s.growth < RSS_LIMIT_MB ? 'pass' : 'fail',
          notes: [`peak RSS over the reading process's baseline after warm-up and GC (${where})`],
          details: { runs },
        }),
      ];
      return rows;
    } finally {
      await arena.dispose();
    }
  },
};
