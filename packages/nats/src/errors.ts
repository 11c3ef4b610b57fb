import { CairnError } from '@cairn/core';

/**
 * The codes `@cairn/nats` adds to Cairn's (see `ErrorCodes` in `@cairn/core`):
 *
 * | code                  | meaning                                                        | what to do                                                    |
 * |-----------------------|----------------------------------------------------------------|---------------------------------------------------------------|
 * | NATS_UNAVAILABLE      | no connection, or no publish ack within `ackTimeoutMs`          | check the server; the runner retries, then parks the event    |
 * | NATS_PUBLISH_REJECTED | JetStream refused the message (no stream on the subject, size)  | fix `subject`/`subjects` or the payload, then replay the dead letter |
 * | NATS_STREAM_SETUP     | the JetStream stream could not be created or updated            | read the cause; or create the stream yourself, `manageStream: false` |
 * | NATS_BAD_MESSAGE      | `subject` or `toMessage` produced something unpublishable        | fix the mapping, then replay the dead letter                  |
 */
export const NatsErrorCodes = {
  NATS_UNAVAILABLE: 'NATS_UNAVAILABLE',
  NATS_PUBLISH_REJECTED: 'NATS_PUBLISH_REJECTED',
  NATS_STREAM_SETUP: 'NATS_STREAM_SETUP',
  NATS_BAD_MESSAGE: 'NATS_BAD_MESSAGE',
} as const;

export type NatsErrorCode = (typeof NatsErrorCodes)[keyof typeof NatsErrorCodes];

/** A publish to NATS JetStream failed; `code` says whether retrying can help (NATS_UNAVAILABLE) or not. */
export class NatsPublishError extends CairnError {
  declare readonly code: NatsErrorCode;

  constructor(code: NatsErrorCode, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(code, message, details, options);
  }
}
