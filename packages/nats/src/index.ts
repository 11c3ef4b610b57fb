export { type NatsMessage, type NatsPublisher, natsPublisher, type NatsPublisherOptions, type PublishAck, type PublisherStats } from './nats-publisher.js';
export { createOutboxRunner, type OutboxRunnerOptions } from './outbox-runner.js';
export { CairnHeaders } from './envelope.js';
export { natsToken } from './subject.js';
export { NatsErrorCodes, type NatsErrorCode, NatsPublishError } from './errors.js';
