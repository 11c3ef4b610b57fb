import type { EventShape, StoredEvent } from '../types.js';

/**
 * The class-based way to model a domain, for teams used to aggregates: methods check
 * rules and `raise` events; `apply` changes fields. Rebuilt from history by replaying
 * stored events through `apply`.
 *
 * @example
 * class BankAccount extends Aggregate<AccountEvent> {
 *   balance = 0;
 *   withdraw(amount: number) {
 *     if (amount > this.balance) throw new InsufficientFunds(this.balance, amount);
 *     this.raise({ type: 'MoneyWithdrawn', data: { amount } });
 *   }
 *   protected apply(e: AccountEvent) {
 *     if (e.type === 'MoneyWithdrawn') this.balance -= e.data.amount;
 *   }
 * }
 */
export abstract class Aggregate<Event extends EventShape> {
  #version = 0;
  #pending: Event[] = [];
  /** Raised events already applied that the next replayed (stored) events will confirm. */
  #unconfirmed = 0;

  /** The stream version of the last stored event applied (0 for a new aggregate). */
  get version(): number {
    return this.#version;
  }

  /** Events raised since the aggregate was loaded or saved, not stored yet. */
  get pendingEvents(): readonly Event[] {
    return this.#pending;
  }

  /** Change state in reaction to an event. Called for raised and for stored events. */
  protected abstract apply(event: Event): void;

  /** Record a new event and apply it at once. */
  protected raise(event: Event): void {
    this.apply(event);
    this.#pending.push(event);
    this.#unconfirmed++;
  }

  /**
   * Apply a stored event. When it is the stored copy of an event raised here (the command
   * handler appends raised events, then replays them to confirm), it is not applied twice.
   */
  replayEvent(event: StoredEvent<Event>): void {
    if (this.#unconfirmed > 0) {
      this.#unconfirmed--;
      this.#pending.shift();
    } else {
      this.apply(event);
    }
    this.#version = event.version;
  }

  /** Mark pending events as stored at `version` (used by `AggregateRepository.save`). */
  markSaved(version: number): void {
    this.#pending = [];
    this.#unconfirmed = 0;
    this.#version = version;
  }

  /** JSON-serializable state for snapshots. Default: the public fields. Override for private state. */
  toSnapshot(): unknown {
    return { ...this };
  }

  /** Restore from `toSnapshot()` data covering stream `version`. Default: assign the public fields back. */
  restoreSnapshot(data: unknown, version: number): void {
    Object.assign(this, data);
    this.#version = version;
  }
}
