import { createProjectionRunner, type ProjectionRunner, type ProjectionRunnerOptions } from '@cairn/core';
import type { NatsPublisher } from './nats-publisher.js';

export interface OutboxRunnerOptions extends Omit<ProjectionRunnerOptions, 'projections'> {
  publishers: readonly NatsPublisher[];
}

/**
 * A projection runner for publishers: its `stop()` also closes their NATS connections, and
 * its retry defaults ride out a broker outage of about a minute (20 attempts, backoff from
 * 100 ms up to 5 s) before an event is parked as a dead letter. A plain runner parks after
 * 5 attempts within a second, which suits a read model whose failures are bugs, not one whose
 * failures are mostly a broker restarting. Any option given wins over these defaults.
 *
 * @example
 * const runner = createOutboxRunner({ store, publishers: [natsPublisher({ … })] });
 * await runner.start();
 * await runner.stop(); // publishes in hand finish, checkpoint saved, connections closed
 */
export function createOutboxRunner(options: OutboxRunnerOptions): ProjectionRunner {
  const { publishers, ...rest } = options;
  const runner = createProjectionRunner({ maxAttempts: 20, retryDelayMs: 100, maxRetryDelayMs: 5000, ...rest, projections: publishers });
  const stop = async (): Promise<void> => {
    try {
      await runner.stop();
    } finally {
      await Promise.all(publishers.map((p) => p.close()));
    }
  };
  // Everything else is the runner's own (a proxy, so methods the runner gains later pass through).
  return new Proxy(runner, {
    get(target, key) {
      if (key === 'stop') return stop;
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
