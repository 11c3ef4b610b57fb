import type { AppendRequest, AppendResult } from '@cairn/core';
import type { Database } from './driver.js';
import { translateError } from './errors.js';

interface Pending {
  request: AppendRequest;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

/** Most appends folded into one transaction; bounds the latency one flush adds. */
const MAX_GROUP = 256;

/**
 * Group commit: appends issued in the same turn of the event loop share one transaction and
 * so one fsync. Each append writes inside its own SAVEPOINT, so it keeps its own outcome: a
 * version conflict in one rolls back only that one. Nobody is acknowledged before COMMIT
 * returns, so an acknowledged append is as durable as `synchronous` promises.
 */
export class WriteQueue {
  readonly #db: Database;
  readonly #appendOne: (request: AppendRequest) => AppendResult;
  readonly #onCommit: () => void;
  #pending: Pending[] = [];
  #scheduled = false;

  constructor(db: Database, appendOne: (request: AppendRequest) => AppendResult, onCommit: () => void) {
    this.#db = db;
    this.#appendOne = appendOne;
    this.#onCommit = onCommit;
  }

  enqueue(request: AppendRequest): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ request, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commit everything queued now. Called by the scheduler and by close(). */
  flush(): void {
    this.#scheduled = false;
    while (this.#pending.length > 0) {
      const group = this.#pending.splice(0, MAX_GROUP);
      this.#commit(group);
    }
  }

  #commit(group: Pending[]): void {
    const db = this.#db;
    const outcomes: Array<{ ok: true; result: AppendResult } | { ok: false; error: unknown }> = [];
    try {
      db.exec('BEGIN IMMEDIATE');
    } catch (error) {
      for (const p of group) p.reject(translateError(error, 'begin an append'));
      return;
    }
    try {
      // appendOne undoes its own writes (in a savepoint) when it fails.
      for (const p of group) outcomes.push(this.#run(p.request));
      if (outcomes.some((o) => o.ok)) db.exec('COMMIT');
      else db.exec('ROLLBACK');
    } catch (error) {
      // COMMIT itself failed (disk full, I/O error): nothing of this group is stored.
      if (db.inTransaction) db.exec('ROLLBACK');
      const failure = translateError(error, 'commit appends');
      for (const p of group) p.reject(failure);
      return;
    }
    group.forEach((p, i) => {
      const outcome = outcomes[i];
      if (outcome?.ok) p.resolve(outcome.result);
      else p.reject(outcome?.error);
    });
    if (outcomes.some((o) => o.ok)) this.#onCommit();
  }

  #run(request: AppendRequest): { ok: true; result: AppendResult } | { ok: false; error: unknown } {
    try {
      return { ok: true, result: this.#appendOne(request) };
    } catch (error) {
      return { ok: false, error };
    }
  }
}
