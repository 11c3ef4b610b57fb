import type { BenchReport } from '../run-bench.js';
import type { ResultRow } from '../result.js';
import { fmtMs, fmtRatio, fmtValue } from './format.js';

const STATUS: Record<ResultRow['status'], string> = { pass: 'pass', fail: '**FAIL**', pending: 'pending', error: '**ERROR**' };

/** The machine and the databases, as the lines printed above the table. */
export function describeSetup(report: BenchReport): string[] {
  const m = report.machine;
  const lines = [
    `- Machine: ${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB RAM, ${m.os}, Node ${m.node}; load average at start ${m.loadAverage.join(' / ')}`,
  ];
  for (const db of report.databases) lines.push(`- ${db.version}: ${db.durability}${db.kind === 'postgres' ? `, shared_buffers=${db.details.shared_buffers}, autovacuum=${db.details.autovacuum}` : ''}`);
  if (report.code) {
    const dirty = report.code.uncommittedStoreFiles.length;
    lines.push(`- Code: commit ${report.code.commit}${dirty > 0 ? ` plus ${dirty} uncommitted store file(s)` : ''}`);
  }
  lines.push(`- Scale ${report.scale}; started ${report.startedAt}; took ${(report.durationMs / 1000).toFixed(0)} s`);
  return lines;
}

/** The Markdown table of a report, with the machine beside it and every row's notes below. */
export function formatMarkdown(report: BenchReport): string {
  const out: string[] = [`## Cairn bench — scale ${report.scale}`, '', ...describeSetup(report), ''];
  out.push('| workload | store | result | p50 ms | p99 ms | raw ceiling | ratio | target | status |');
  out.push('|---|---|---:|---:|---:|---:|---:|---|---|');
  for (const r of report.rows) {
    out.push(
      `| ${r.workload} ${r.title} | ${r.store} | ${fmtValue(r.result?.value, r.unit)} | ${fmtMs(r.result?.p50Ms)} | ${fmtMs(r.result?.p99Ms)} | ` +
        `${fmtValue(r.raw?.value, r.unit)} | ${fmtRatio(r.ratio)} | ${r.target} | ${STATUS[r.status]} |`,
    );
  }
  const notes = report.rows.filter((r) => r.notes.length > 0 || r.raw?.p99Ms !== undefined);
  if (notes.length > 0) {
    out.push('', 'Notes:');
    for (const r of notes) {
      const raw = r.raw?.p99Ms !== undefined ? [`raw p50/p99 ${fmtMs(r.raw.p50Ms)} / ${fmtMs(r.raw.p99Ms)} ms`] : [];
      out.push(`- ${r.workload} ${r.store} (${r.title}): ${[...r.notes, ...raw].join('; ')}`);
    }
  }
  return `${out.join('\n')}\n`;
}
