import type { Writable } from './io.js';

export interface ProgressSnapshot {
  /** Events handled so far. */
  done: number;
  /** Of those, events that were already there (import) or skipped. */
  skipped?: number;
  /** 0..1 when the total is known. */
  fraction?: number;
}

/**
 * Progress of long work on stderr. On a terminal: one line redrawn in place (bar, counts,
 * rate) at most ten times a second. Otherwise (CI logs, pipes): a plain line every few
 * seconds, so logs stay readable. Silent with --json, whose consumers read the summary.
 */
export class Progress {
  readonly #out: Writable;
  readonly #label: string;
  readonly #tty: boolean;
  readonly #silent: boolean;
  readonly #intervalMs: number;
  readonly #started = Date.now();
  /** The first line waits one interval: quick work prints only its summary. */
  #last = this.#started;
  #drawn = false;

  constructor(out: Writable, label: string, options: { silent?: boolean; intervalMs?: number } = {}) {
    this.#out = out;
    this.#label = label;
    this.#tty = out.isTTY === true;
    this.#silent = options.silent === true;
    this.#intervalMs = options.intervalMs ?? (this.#tty ? 100 : 5000);
  }

  update(snapshot: ProgressSnapshot): void {
    if (this.#silent) return;
    const now = Date.now();
    if (now - this.#last < this.#intervalMs) return;
    this.#last = now;
    this.#draw(snapshot);
  }

  /** The final line (always printed unless silent), replacing the live one on a terminal. */
  finish(summary: string): void {
    if (this.#silent) return;
    if (this.#tty && this.#drawn) this.#out.write('\r\x1b[2K');
    this.#out.write(`${summary}\n`);
  }

  get elapsedMs(): number {
    return Date.now() - this.#started;
  }

  rate(done: number): number {
    const seconds = Math.max(this.elapsedMs / 1000, 0.001);
    return Math.round(done / seconds);
  }

  #draw(s: ProgressSnapshot): void {
    const counts = `${fmt(s.done)} events${s.skipped ? ` (${fmt(s.skipped)} already there)` : ''}`;
    const rate = `${fmt(this.rate(s.done))}/s`;
    if (this.#tty) {
      const bar = s.fraction === undefined ? '' : `${renderBar(s.fraction, 24)} ${String(Math.floor(s.fraction * 100)).padStart(3)}%  `;
      this.#out.write(`\r\x1b[2K${this.#label}  ${bar}${counts}  ${rate}`);
      this.#drawn = true;
    } else {
      const pct = s.fraction === undefined ? '' : ` ${Math.floor(s.fraction * 100)}%`;
      this.#out.write(`${this.#label}:${pct} ${counts}, ${rate}\n`);
    }
  }
}

export function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

/** "1 stream", "2 streams". */
export function plural(n: number, noun: string): string {
  return `${fmt(n)} ${noun}${n === 1 ? '' : 's'}`;
}

function renderBar(fraction: number, width: number): string {
  const f = Math.min(Math.max(fraction, 0), 1);
  const full = Math.round(f * width);
  return `[${'#'.repeat(full)}${'.'.repeat(width - full)}]`;
}
