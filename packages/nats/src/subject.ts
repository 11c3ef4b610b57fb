import { NatsErrorCodes, NatsPublishError } from './errors.js';

/**
 * Make any string safe as one token of a NATS subject: `.` separates tokens and `*`, `>` and
 * whitespace are not allowed in a published subject, so they become `_`.
 *
 * @example
 * subject: (e) => `ledger.${natsToken(e.type)}.${natsToken(e.streamId)}`
 */
export function natsToken(value: string): string {
  const token = value.replace(/[\s.*>]/g, '_');
  return token.length > 0 ? token : '_';
}

/** A subject a message can be published on: non-empty tokens, no wildcards, no whitespace. */
export function checkSubject(subject: unknown, eventId: string): string {
  if (typeof subject !== 'string' || subject.length === 0 || /[\s*>]/.test(subject) || subject.split('.').some((t) => t.length === 0)) {
    throw new NatsPublishError(
      NatsErrorCodes.NATS_BAD_MESSAGE,
      `subject(event) returned ${JSON.stringify(subject)} for event ${eventId}: a NATS subject needs dot-separated, non-empty tokens ` +
        'without whitespace, "*" or ">" (natsToken() cleans one token).',
      { eventId, subject },
    );
  }
  return subject;
}
