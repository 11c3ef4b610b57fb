import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface MetricsOptions {
  /** Also export Node.js process metrics (CPU, memory, event-loop lag, GC). Default true. */
  defaultMetrics?: boolean;
  /** Serve /metrics without an API key (for scrapers on a private network). Default false: needs `read`. */
  public?: boolean;
  /** Prefix of every metric name. Default 'cairn_'. */
  prefix?: string;
}

/** One SSE subscriber as the lag gauge sees it. */
export interface SubscriberProbe {
  /** Seconds between an event's recording and its delivery, for the last event sent. */
  lastLagSeconds: number;
}

/**
 * The server's Prometheus instruments, in a registry of its own so several servers (tests,
 * or an app embedding Cairn beside its own metrics) never clash on the global registry.
 */
export class CairnMetrics {
  readonly registry = new Registry();
  readonly appendDuration: Histogram<'outcome'>;
  readonly eventsAppended: Counter;
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly sseEventsSent: Counter;
  readonly #subscribers = new Set<SubscriberProbe>();

  constructor(options: MetricsOptions = {}) {
    const prefix = options.prefix ?? 'cairn_';
    const registers = [this.registry];
    this.appendDuration = new Histogram({
      name: `${prefix}append_duration_seconds`,
      help: 'Time to append one batch through the HTTP API, by outcome (ok, conflict, rejected, error).',
      labelNames: ['outcome'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.eventsAppended = new Counter({ name: `${prefix}events_appended_total`, help: 'Events appended through the HTTP API.', registers });
    this.httpRequests = new Counter({
      name: `${prefix}http_requests_total`,
      help: 'HTTP requests by method, route template and status.',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.httpDuration = new Histogram({
      name: `${prefix}http_request_duration_seconds`,
      help: 'HTTP request duration by method, route template and status (SSE streams excluded).',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.sseEventsSent = new Counter({ name: `${prefix}sse_events_sent_total`, help: 'Events sent to SSE subscribers.', registers });
    const subscribers = this.#subscribers;
    new Gauge({
      name: `${prefix}sse_subscribers`,
      help: 'Open SSE subscriptions.',
      registers,
      collect() {
        this.set(subscribers.size);
      },
    });
    new Gauge({
      name: `${prefix}sse_lag_seconds`,
      help: 'Largest delay, over open SSE subscriptions, between recording an event and sending it (for the last event each sent). High while a subscriber catches up.',
      registers,
      collect() {
        let max = 0;
        for (const s of subscribers) max = Math.max(max, s.lastLagSeconds);
        this.set(max);
      },
    });
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix });
  }

  addSubscriber(probe: SubscriberProbe): () => void {
    this.#subscribers.add(probe);
    return () => this.#subscribers.delete(probe);
  }

  get subscriberCount(): number {
    return this.#subscribers.size;
  }
}
