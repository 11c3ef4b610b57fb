import { type EventShape, InvalidArgumentError, type Projection, type StoredEvent } from '@cairn/core';
import type { StreamConfig } from '@nats-io/jetstream';
import { headers as natsHeaders, type NodeConnectionOptions } from '@nats-io/transport-node';
import { envelopeHeaders } from './envelope.js';
import { NatsErrorCodes, NatsPublishError } from './errors.js';
import { NatsLink } from './nats-link.js';
import { publishError } from './publish-error.js';
import { checkSubject } from './subject.js';

/** What is published for one event: the body (JSON unless bytes or a string) and extra headers. */
export interface NatsMessage {
  /** Default: the event's `data`, as JSON. */
  data?: unknown;
  headers?: Readonly<Record<string, string>>;
}

/** JetStream's answer to one publish. `duplicate`: the stream already had this event id (a re-send). */
export interface PublishAck {
  stream: string;
  seq: number;
  duplicate: boolean;
  subject: string;
}

export interface NatsPublisherOptions<E extends EventShape = EventShape> {
  /** NATS server URL(s), e.g. `'nats://127.0.0.1:4222'`. */
  servers: string | readonly string[];
  /** The JetStream stream that stores the messages (and deduplicates them). */
  stream: string;
  /** Subjects the stream listens on, when this package creates or widens it. Default `[<stream>.>]`. */
  subjects?: readonly string[];
  /** The subject of an event's message; it must be one the stream listens on. */
  subject: (event: StoredEvent<E>) => string;
  /** Event types to publish (default all). */
  types?: readonly string[];
  /** Stream categories to publish (default all). */
  categories?: readonly string[];
  /** The projection's name (checkpoint, lease, dead letters). Default `nats_<stream>`. */
  name?: string;
  /** Shape the message; return null to publish nothing for this event. Default: `{ data: event.data }`. */
  toMessage?: (event: StoredEvent<E>) => NatsMessage | null;
  /**
   * How long JetStream remembers message ids. A re-send within it (after a crash between the
   * ack and the checkpoint, or an ack lost in transit) is dropped as a duplicate; one after it
   * is stored again. Longer costs server memory: one entry per message in the window.
   * Default 10 minutes. An existing stream's shorter window is raised to this.
   */
  duplicateWindowMs?: number;
  /** Create the stream when missing and widen it when needed (default true); false leaves it to you. */
  manageStream?: boolean;
  /** Further settings for a stream this package creates: retention, max_age, num_replicas… */
  streamConfig?: Partial<StreamConfig>;
  /** Wait this long for JetStream's ack before the attempt fails and is retried. Default 5,000 ms. */
  ackTimeoutMs?: number;
  /** Give up connecting after this long (the attempt fails and is retried). Default 5,000 ms. */
  connectTimeoutMs?: number;
  /** Close the connection after this long without a publish; it reopens on demand. 0: never. Default 30,000 ms. */
  idleCloseMs?: number;
  /** More `connect()` options: credentials, TLS, reconnect policy. */
  connection?: Partial<NodeConnectionOptions>;
  /** Publish from this many partitions (by stream id) in parallel; order still holds per stream. Default 1. */
  partitions?: number;
  /** A brand-new publisher starts at the beginning of the log (default) or at its current end. */
  startFrom?: 'beginning' | 'now';
  /** Called after each ack, before the checkpoint moves (metrics, logs). */
  onPublished?: (event: StoredEvent<E>, ack: PublishAck) => void | Promise<void>;
}

export interface PublisherStats {
  /** Messages JetStream stored. */
  published: number;
  /** Re-sends JetStream recognised and dropped. */
  duplicates: number;
  /** Failed publish attempts. */
  failures: number;
}

/** A projection that publishes; `close()` closes its NATS connection (it reopens on demand). */
export interface NatsPublisher extends Projection {
  close(): Promise<void>;
  stats(): PublisherStats;
  readonly connected: boolean;
}

const DEFAULT_WINDOW_MS = 10 * 60_000;
const encoder = new TextEncoder();

/**
 * The outbox: a projection that forwards events to NATS JetStream, each with its event id as
 * the JetStream message id (`Nats-Msg-Id`). It runs in `createProjectionRunner` like any
 * projection, so it has a checkpoint, a lease (one active publisher across processes),
 * retries and dead letters. It is a non-transactional projection: a publish is awaited until
 * JetStream acks it, and the checkpoint moves only after the acks of its page. A crash can
 * re-send the events acked since the last checkpoint, never skip one, and the stream drops
 * those re-sends as duplicates within its duplicate window.
 *
 * @example
 * const outbox = natsPublisher({
 *   servers: 'nats://127.0.0.1:4222',
 *   stream: 'LEDGER',
 *   subject: (e) => `LEDGER.${e.type}`,
 *   types: ['AccountOpened', 'MoneyDeposited'],
 * });
 * const runner = createProjectionRunner({ store, projections: [outbox] });
 * await runner.start();
 * // … on shutdown:
 * await runner.stop();
 * await outbox.close();
 */
export function natsPublisher<E extends EventShape = EventShape>(options: NatsPublisherOptions<E>): NatsPublisher {
  const o = validate(options);
  const stream = o.stream;
  const subjects = o.subjects ?? [`${stream}.>`];
  const ackTimeoutMs = o.ackTimeoutMs ?? 5000;
  const link = new NatsLink({
    servers: typeof o.servers === 'string' ? o.servers : [...o.servers],
    connectTimeoutMs: o.connectTimeoutMs ?? 5000,
    idleCloseMs: o.idleCloseMs ?? 30_000,
    connectionName: `cairn-outbox-${stream}`,
    connection: o.connection ?? {},
    stream: o.manageStream === false ? undefined : { name: stream, subjects, duplicateWindowMs: o.duplicateWindowMs ?? DEFAULT_WINDOW_MS, config: o.streamConfig ?? {} },
  });
  const stats: PublisherStats = { published: 0, duplicates: 0, failures: 0 };

  const publish = async (event: StoredEvent<E>): Promise<void> => {
    const message = o.toMessage ? o.toMessage(event) : { data: event.data };
    if (message === null) return;
    const subject = checkSubject(o.subject(event), event.eventId);
    const h = natsHeaders();
    for (const [k, v] of envelopeHeaders(event)) h.set(k, v);
    h.set('Content-Type', message.data instanceof Uint8Array ? 'application/octet-stream' : typeof message.data === 'string' ? 'text/plain; charset=utf-8' : 'application/json');
    for (const [k, v] of Object.entries(message.headers ?? {})) {
      if (k.toLowerCase() === 'nats-msg-id') continue; // the event id is the message id, always
      h.set(k, String(v).replace(/[\r\n]+/g, ' '));
    }
    const body = encode(message.data, event.eventId);
    let ack;
    try {
      ack = await link.use((js) => js.publish(subject, body, { msgID: event.eventId, headers: h, timeout: ackTimeoutMs, expect: { streamName: stream } }));
    } catch (error) {
      stats.failures++;
      const failure = publishError(error, { stream, subject, eventId: event.eventId, ackTimeoutMs });
      if (failure.noStream) link.forgetStream(); // deleted under us? the next attempt creates it again
      throw failure.error;
    }
    if (ack.duplicate) stats.duplicates++;
    else stats.published++;
    await o.onPublished?.(event, { stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate, subject });
  };

  const publisher: NatsPublisher = {
    name: o.name ?? defaultName(stream),
    ...(o.types ? { types: o.types } : {}),
    ...(o.categories ? { categories: o.categories } : {}),
    ...(o.partitions ? { partitions: o.partitions } : {}),
    ...(o.startFrom ? { startFrom: o.startFrom } : {}),
    // The effect is in NATS, not in the database: hold no transaction while waiting for acks
    // (on SQLite it would hold the write lock). Delivery is at-least-once and the checkpoint
    // moves after each page's acks; JetStream's duplicate window turns re-sends into no-ops.
    transactional: false,
    handle: (event) => publish(event as StoredEvent<E>),
    // A retired generation publishes nothing more; it owns no tables to drop.
    teardown: () => undefined,
    close: () => link.close(),
    stats: () => ({ ...stats }),
    get connected() {
      return link.connected;
    },
  };
  return publisher;
}

function encode(data: unknown, eventId: string): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (typeof data === 'string') return encoder.encode(data);
  if (data === undefined) return new Uint8Array(0);
  try {
    return encoder.encode(JSON.stringify(data, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
  } catch (error) {
    throw new NatsPublishError(NatsErrorCodes.NATS_BAD_MESSAGE, `The message for event ${eventId} is not JSON-serialisable: ${(error as Error).message}`, { eventId }, { cause: error });
  }
}

/** `nats_<stream>`, shaped to what a projection name allows (lower-case letters, digits, _). */
function defaultName(stream: string): string {
  return `nats_${stream.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`.slice(0, 41);
}

function validate<E extends EventShape>(o: NatsPublisherOptions<E>): NatsPublisherOptions<E> {
  if (o === null || typeof o !== 'object') throw new InvalidArgumentError('options', 'natsPublisher needs an options object');
  const servers = typeof o.servers === 'string' ? [o.servers] : o.servers;
  if (!Array.isArray(servers) || servers.length === 0 || servers.some((s) => typeof s !== 'string' || s === '')) {
    throw new InvalidArgumentError('servers', 'give one NATS URL or a non-empty list of them, e.g. "nats://127.0.0.1:4222"');
  }
  // JetStream stream names cannot hold '.', '*', '>', whitespace or path separators.
  if (typeof o.stream !== 'string' || !/^[A-Za-z0-9_-]{1,200}$/.test(o.stream)) {
    throw new InvalidArgumentError('stream', `"${String(o.stream)}" must be 1–200 letters, digits, "_" or "-" (a JetStream stream name)`);
  }
  if (typeof o.subject !== 'function') throw new InvalidArgumentError('subject', 'give a function from an event to its subject, e.g. (e) => `LEDGER.${e.type}`');
  if (o.subjects !== undefined && (!Array.isArray(o.subjects) || o.subjects.length === 0 || o.subjects.some((s) => typeof s !== 'string' || s === ''))) {
    throw new InvalidArgumentError('subjects', 'give a non-empty list of subjects, wildcards allowed, e.g. ["LEDGER.>"]');
  }
  for (const [key, min] of [
    ['duplicateWindowMs', 1000],
    ['ackTimeoutMs', 1],
    ['connectTimeoutMs', 1],
    ['idleCloseMs', 0],
  ] as const) {
    const v = o[key];
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < min)) throw new InvalidArgumentError(key, `must be a number of milliseconds ≥ ${min}`);
  }
  return o;
}
