import { JetStreamApiError } from '@nats-io/jetstream';
import { ClosedConnectionError, ConnectionError, DrainingConnectionError, errors, TimeoutError } from '@nats-io/transport-node';
import { NatsErrorCodes, NatsPublishError } from './errors.js';

export interface PublishAttempt {
  stream: string;
  subject: string;
  eventId: string;
  ackTimeoutMs: number;
}

/**
 * Say what a failed publish means for the caller: NATS_UNAVAILABLE when trying again later
 * can succeed (no connection, no ack in time), NATS_PUBLISH_REJECTED when JetStream refused
 * this message as it is. `noStream` is true when no stream captured the subject.
 */
export function publishError(error: unknown, a: PublishAttempt): { error: NatsPublishError; noStream: boolean } {
  if (error instanceof NatsPublishError) return { error, noStream: false };
  const cause = (error as Error)?.message ?? String(error);
  const details = { stream: a.stream, subject: a.subject, eventId: a.eventId };
  const wrap = (code: keyof typeof NatsErrorCodes, message: string) => new NatsPublishError(NatsErrorCodes[code], message, details, { cause: error });
  // nats.js reports "no responders" on a JetStream publish as "jetstream is not enabled"; on a
  // server with JetStream, it means no stream listens on the subject.
  if ((error as Error)?.name === 'JetStreamNotEnabled' || error instanceof errors.NoRespondersError) {
    return {
      error: wrap(
        'NATS_PUBLISH_REJECTED',
        `No JetStream stream stores subject "${a.subject}" (event ${a.eventId}): add it to the stream's subjects ` +
          `(option \`subjects\` of stream "${a.stream}"), or make \`subject(event)\` return one the stream listens on. Is JetStream enabled (-js)?`,
      ),
      noStream: true,
    };
  }
  if (error instanceof JetStreamApiError) {
    return {
      error: wrap('NATS_PUBLISH_REJECTED', `JetStream refused event ${a.eventId} on "${a.subject}" (stream "${a.stream}"): ${cause} (API error ${error.code}).`),
      noStream: false,
    };
  }
  if (error instanceof errors.InvalidArgumentError) {
    return { error: wrap('NATS_PUBLISH_REJECTED', `NATS refused event ${a.eventId} on "${a.subject}": ${cause}.`), noStream: false };
  }
  if (error instanceof TimeoutError) {
    return {
      error: wrap('NATS_UNAVAILABLE', `No JetStream ack for event ${a.eventId} on "${a.subject}" within ${a.ackTimeoutMs} ms; it is sent again with the same message id, so it is stored once.`),
      noStream: false,
    };
  }
  if (error instanceof ClosedConnectionError || error instanceof DrainingConnectionError || error instanceof ConnectionError) {
    return { error: wrap('NATS_UNAVAILABLE', `The NATS connection failed while publishing event ${a.eventId}: ${cause}.`), noStream: false };
  }
  return { error: wrap('NATS_UNAVAILABLE', `Publishing event ${a.eventId} on "${a.subject}" failed: ${cause}.`), noStream: false };
}
