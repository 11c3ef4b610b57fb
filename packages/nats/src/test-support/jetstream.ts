import { type JetStreamManager, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';

export const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

const START_HINT =
  'Start it with: start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js ' +
  '-sd /var/lib/nats-server -l /var/log/nats-server.log (or point NATS_URL at a server with JetStream).';

export interface NatsAdmin {
  nc: NatsConnection;
  jsm: JetStreamManager;
  /** Delete every stream made through `uniqueStream`. */
  cleanup(): Promise<void>;
  close(): Promise<void>;
  /** A stream name no other test or run uses; deleted by `cleanup`. */
  uniqueStream(prefix?: string): string;
}

/** A connection for checking what reached JetStream; fails with a hint when NATS is down. */
export async function natsAdmin(): Promise<NatsAdmin> {
  let nc: NatsConnection;
  try {
    nc = await connect({ servers: NATS_URL, timeout: 3000, name: 'cairn-tests' });
  } catch (error) {
    throw new Error(`NATS is not reachable at ${NATS_URL}: ${(error as Error).message}. ${START_HINT}`);
  }
  let jsm: JetStreamManager;
  try {
    jsm = await jetstreamManager(nc);
  } catch (error) {
    await nc.close();
    throw new Error(`NATS at ${NATS_URL} has no JetStream (${(error as Error).message}). ${START_HINT}`);
  }
  const made: string[] = [];
  return {
    nc,
    jsm,
    uniqueStream(prefix = 'CAIRN_T') {
      const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`.toUpperCase();
      made.push(name);
      return name;
    },
    async cleanup() {
      for (const name of made.splice(0)) await jsm.streams.delete(name).catch(() => undefined);
    },
    async close() {
      await nc.close();
    },
  };
}

export interface ReadMessage {
  seq: number;
  subject: string;
  msgId: string;
  headers: Record<string, string>;
  body: string;
}

/** Every message the stream holds, in sequence order. */
export async function readMessages(jsm: JetStreamManager, stream: string): Promise<ReadMessage[]> {
  const info = await jsm.streams.info(stream);
  const out: ReadMessage[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
    const m = await jsm.streams.getMessage(stream, { seq });
    if (m === null) continue;
    const headers: Record<string, string> = {};
    for (const key of m.header?.keys() ?? []) headers[key] = m.header.get(key);
    out.push({ seq: m.seq, subject: m.subject, msgId: headers['Nats-Msg-Id'] ?? '', headers, body: new TextDecoder().decode(m.data) });
  }
  return out;
}
