import { InvalidArgumentError } from '../errors.js';

export interface RetryOptions {
  /** Attempts in all, the first included. Default 10. */
  attempts?: number;
  /** First backoff ceiling in ms; doubles per attempt. Default 5. */
  baseDelayMs?: number;
  /** Largest backoff in ms. Default 500. */
  maxDelayMs?: number;
}

export interface RetryPolicy {
  attempts: number;
  /** "Full jitter": a random wait up to an exponentially growing ceiling, so racing writers spread out. */
  delay(attempt: number): number;
}

export function retryPolicy(options: RetryOptions = {}): RetryPolicy {
  const attempts = options.attempts ?? 10;
  const base = options.baseDelayMs ?? 5;
  const max = options.maxDelayMs ?? 500;
  if (!Number.isInteger(attempts) || attempts < 1) throw new InvalidArgumentError('retry.attempts', 'expected an integer of 1 or more');
  if (!(base >= 0) || !(max >= base)) throw new InvalidArgumentError('retry delays', 'expected 0 <= baseDelayMs <= maxDelayMs');
  return { attempts, delay: (attempt) => Math.random() * Math.min(max, base * 2 ** (attempt - 1)) };
}

export function sleep(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));
}
