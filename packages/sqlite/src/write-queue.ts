import type { AppendRequest, AppendResult } from '@cairn/core';

interface Pending {
  request: AppendRequest;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

/** `wrote: false` marks an idempotent retry answered without writing. */
export type Outcome = { ok: true; result: AppendResult; wrote?: false } | { ok: false; error: unknown };

/** Most appends folded into one transaction; bounds the latency one flush adds. */
const MAX_GROUP = 256;

/**
 * Group commit: appends issued in the same turn of the event loop share one transaction and
 * so one fsync. `commit` gives each append its own savepoint, so each keeps its own outcome:
 * a version conflict in one rolls back only that one. Nobody is acknowledged before COMMIT
 * returns, so an acknowledged append is as durable as `synchronous` promises.
 */
export class WriteQueue {
  readonly #commit: (requests: AppendRequest[]) => Promise<Outcome[]>;
  #pending: Pending[] = [];
  #scheduled = false;
  #flushing: Promise<void> | undefined;

  constructor(commit: (requests: AppendRequest[]) => Promise<Outcome[]>) {
    this.#commit = commit;
  }

  enqueue(request: AppendRequest): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ request, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  /** Commit everything queued now. Called by the scheduler and by close(). */
  flush(): Promise<void> {
    this.#flushing = (this.#flushing ?? Promise.resolve()).then(async () => {
      this.#scheduled = false;
      while (this.#pending.length > 0) {
        const group = this.#pending.splice(0, MAX_GROUP);
        let outcomes: Outcome[];
        try {
          outcomes = await this.#commit(group.map((p) => p.request));
        } catch (error) {
          for (const p of group) p.reject(error);
          continue;
        }
        group.forEach((p, i) => {
          const outcome = outcomes[i] as Outcome;
          if (outcome.ok) p.resolve(outcome.result);
          else p.reject(outcome.error);
        });
      }
    });
    return this.#flushing;
  }
}
