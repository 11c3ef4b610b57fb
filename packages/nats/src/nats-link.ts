import { type JetStreamClient, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection, type NodeConnectionOptions } from '@nats-io/transport-node';
import { ensureStream, type StreamSettings } from './ensure-stream.js';
import { NatsErrorCodes, NatsPublishError } from './errors.js';

export interface LinkSettings {
  servers: string | string[];
  connectTimeoutMs: number;
  /** Close the connection after this long without a publish; 0 keeps it open until `close()`. */
  idleCloseMs: number;
  connectionName: string;
  /** Anything else `connect()` takes: credentials, TLS, reconnect policy. */
  connection: Partial<NodeConnectionOptions>;
  /** The stream to create or widen before the first publish; undefined leaves streams alone. */
  stream: StreamSettings | undefined;
}

interface Open {
  nc: NatsConnection;
  js: JetStreamClient;
}

/**
 * One lazily opened NATS connection shared by every partition of a publisher. It opens on
 * the first publish, makes sure the stream exists once per connection, reopens after the
 * client gave up reconnecting, and closes when idle or on `close()`: an open NATS socket
 * keeps a Node process alive, and a runner that stopped should not.
 */
export class NatsLink {
  readonly #s: LinkSettings;
  #open: Promise<Open> | undefined;
  #streamReady: Promise<void> | undefined;
  #busy = 0;
  /** Bumped by close(), so a connection that finishes opening after it is not kept. */
  #epoch = 0;
  #idle: NodeJS.Timeout | undefined;

  constructor(settings: LinkSettings) {
    this.#s = settings;
  }

  get connected(): boolean {
    return this.#open !== undefined;
  }

  /** Run `fn` with a JetStream client on an open connection whose stream is ready. */
  async use<T>(fn: (js: JetStreamClient) => Promise<T>): Promise<T> {
    this.#busy++;
    if (this.#idle) clearTimeout(this.#idle);
    try {
      const open = await this.#connection();
      if (this.#s.stream) {
        this.#streamReady ??= this.#ensure(open, this.#s.stream);
        await this.#streamReady;
      }
      return await fn(open.js);
    } finally {
      if (--this.#busy === 0) this.#armIdle();
    }
  }

  /** Check the stream again before the next publish (it may have been deleted). */
  forgetStream(): void {
    this.#streamReady = undefined;
  }

  async close(): Promise<void> {
    if (this.#idle) clearTimeout(this.#idle);
    const open = this.#open;
    this.#open = undefined;
    this.#epoch++;
    this.#streamReady = undefined;
    const o = await open?.catch(() => undefined);
    await o?.nc.close().catch(() => undefined);
  }

  #connection(): Promise<Open> {
    this.#open ??= this.#connect();
    return this.#open;
  }

  async #connect(): Promise<Open> {
    const servers = this.#s.servers;
    const epoch = this.#epoch;
    let nc: NatsConnection;
    try {
      nc = await connect({ name: this.#s.connectionName, timeout: this.#s.connectTimeoutMs, ...this.#s.connection, servers });
    } catch (error) {
      if (this.#epoch === epoch) this.#open = undefined;
      throw new NatsPublishError(
        NatsErrorCodes.NATS_UNAVAILABLE,
        `Cannot connect to NATS at ${[servers].flat().join(', ')}: ${(error as Error)?.message ?? String(error)}. Is the server running, with JetStream enabled (-js)?`,
        { servers },
        { cause: error },
      );
    }
    if (this.#epoch !== epoch) {
      await nc.close().catch(() => undefined);
      throw new NatsPublishError(NatsErrorCodes.NATS_UNAVAILABLE, 'The NATS publisher was closed while it was connecting.');
    }
    // The client gave up reconnecting (or was closed): the next publish opens a fresh connection.
    void nc.closed().then(() => {
      if (this.#epoch === epoch) {
        this.#epoch++;
        this.#open = undefined;
        this.#streamReady = undefined;
      }
    });
    return { nc, js: jetstream(nc) };
  }

  async #ensure(open: Open, stream: StreamSettings): Promise<void> {
    try {
      await ensureStream(await jetstreamManager(open.nc), stream);
    } catch (error) {
      this.#streamReady = undefined;
      if (error instanceof NatsPublishError) throw error;
      throw new NatsPublishError(NatsErrorCodes.NATS_UNAVAILABLE, `JetStream is not available on this NATS connection: ${(error as Error)?.message ?? String(error)}`, {}, { cause: error });
    }
  }

  #armIdle(): void {
    if (this.#s.idleCloseMs <= 0 || this.#open === undefined) return;
    this.#idle = setTimeout(() => {
      if (this.#busy === 0) void this.close();
    }, this.#s.idleCloseMs);
    this.#idle.unref();
  }
}
