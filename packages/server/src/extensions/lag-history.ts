import type { ProjectionReport } from '@cairn/core';
import { Gauge, type Registry } from 'prom-client';

export interface LagSample {
  at: Date;
  reports: readonly ProjectionReport[];
}

/**
 * A ring of recent projection status samples: the lag chart of the console reads it, and
 * the Prometheus gauges report the newest one, so a scrape never runs the (counting) status
 * query itself. Sampling runs on a timer that does not keep the process alive.
 */
export class LagHistory {
  readonly #samples: LagSample[] = [];
  readonly #size: number;
  readonly #minGapMs: number;
  #timer: NodeJS.Timeout | undefined;
  #inFlight: Promise<void> | undefined;

  constructor(
    private readonly sample: () => Promise<readonly ProjectionReport[]>,
    options: { size: number; intervalMs: number },
  ) {
    this.#size = options.size;
    this.#minGapMs = Math.min(1000, options.intervalMs / 2);
  }

  get samples(): readonly LagSample[] {
    return this.#samples;
  }

  get latest(): LagSample | undefined {
    return this.#samples.at(-1);
  }

  /** Add a sample taken elsewhere (a GET /projections answers with fresh numbers anyway). */
  record(reports: readonly ProjectionReport[], at = new Date()): void {
    const last = this.#samples.at(-1);
    // Samples much closer than the interval (a GET right after a tick) add nothing to the chart.
    if (last && at.getTime() - last.at.getTime() < this.#minGapMs) this.#samples[this.#samples.length - 1] = { at, reports };
    else this.#samples.push({ at, reports });
    if (this.#samples.length > this.#size) this.#samples.splice(0, this.#samples.length - this.#size);
  }

  start(intervalMs: number, onError: (error: unknown) => void): void {
    const tick = (): void => {
      // One status query at a time: a slow store must not pile them up.
      this.#inFlight ??= this.sample()
        .then((reports) => this.record(reports))
        .catch(onError)
        .finally(() => {
          this.#inFlight = undefined;
        });
    };
    tick();
    this.#timer = setInterval(tick, intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#inFlight;
  }
}

/** `cairn_projection_lag_events`, `cairn_projection_lag_seconds`, `cairn_projection_dead_letters`, from the newest sample. */
export function registerLagMetrics(registry: Registry, history: LagHistory): void {
  const labelNames = ['projection', 'generation', 'status'] as const;
  const gauge = (name: string, help: string, value: (r: ProjectionReport) => number): void => {
    if (registry.getSingleMetric(name)) return;
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        for (const r of history.latest?.reports ?? []) {
          this.set({ projection: r.name, generation: String(r.generation), status: r.status }, value(r));
        }
      },
    });
  };
  gauge('cairn_projection_lag_events', 'Events after each projection generation\'s checkpoint (counted up to 100,000).', (r) => r.eventsBehind);
  gauge('cairn_projection_lag_seconds', 'Age of the oldest event each projection generation has not handled yet (0 when caught up).', (r) => r.secondsBehind);
  gauge('cairn_projection_dead_letters', 'Parked events per projection generation.', (r) => r.deadLetters);
}
