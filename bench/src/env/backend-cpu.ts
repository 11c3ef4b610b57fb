import { readFileSync } from 'node:fs';
import type { PgPool } from '../drivers/pg-driver.js';

/** Linux reports process CPU in clock ticks; 100 per second on every mainstream kernel config. */
const MS_PER_TICK = 10;

/**
 * Cumulative CPU (user + system) per PostgreSQL backend of this database whose
 * application_name is `appName`, read from /proc: pid → ms. Per pid, so a pool connection
 * that closes or opens between two samples does not corrupt the difference. Only meaningful
 * when PostgreSQL runs on this machine; undefined when /proc cannot be read. Resolution is
 * 10 ms, so it is summed over whole rounds, never per operation.
 */
export async function backendCpuMs(admin: PgPool, appName: string): Promise<Map<number, number> | undefined> {
  const { rows } = await admin.query<{ pid: number }>({
    text: 'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1',
    values: [appName],
  });
  const cpu = new Map<number, number>();
  for (const { pid } of rows) {
    const ms = processCpuMs(pid);
    if (ms === undefined) return undefined;
    cpu.set(pid, ms);
  }
  return cpu;
}

/** Cumulative CPU (user + system) of one process on this machine in ms, from /proc; undefined when it cannot be read. 10 ms resolution. */
export function processCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start at state; utime and stime are the 12th and 13th of those.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * MS_PER_TICK;
  } catch {
    return undefined;
  }
}

/** CPU spent between two samples: a backend that appeared in between counts from zero. */
export function cpuBetween(before: ReadonlyMap<number, number>, after: ReadonlyMap<number, number>): number {
  let ms = 0;
  for (const [pid, used] of after) ms += used - (before.get(pid) ?? 0);
  return Math.max(0, ms);
}
