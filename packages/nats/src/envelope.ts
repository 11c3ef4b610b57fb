import type { StoredEvent } from '@cairn/core';

/**
 * The headers every published event carries, so consumers can route, order and deduplicate
 * without parsing the body. `Nats-Msg-Id` (the event id) is set by the publish itself.
 */
export const CairnHeaders = {
  eventType: 'Cairn-Event-Type',
  streamId: 'Cairn-Stream-Id',
  version: 'Cairn-Stream-Version',
  /** Decimal string: positions are bigints. */
  position: 'Cairn-Position',
  schemaVersion: 'Cairn-Schema-Version',
  recordedAt: 'Cairn-Recorded-At',
  correlationId: 'Cairn-Correlation-Id',
  causationId: 'Cairn-Causation-Id',
} as const;

/** Header values cannot hold line breaks (they would end the header block); other text is kept. */
function clean(value: string): string {
  return value.replace(/[\r\n]+/g, ' ');
}

export function envelopeHeaders(event: StoredEvent): Array<[string, string]> {
  const out: Array<[string, string]> = [
    [CairnHeaders.eventType, clean(event.type)],
    [CairnHeaders.streamId, clean(event.streamId)],
    [CairnHeaders.version, String(event.version)],
    [CairnHeaders.position, event.position.toString()],
    [CairnHeaders.schemaVersion, String(event.schemaVersion)],
    [CairnHeaders.recordedAt, event.recordedAt.toISOString()],
  ];
  const { correlationId, causationId } = event.metadata;
  if (typeof correlationId === 'string' && correlationId !== '') out.push([CairnHeaders.correlationId, clean(correlationId)]);
  if (typeof causationId === 'string' && causationId !== '') out.push([CairnHeaders.causationId, clean(causationId)]);
  return out;
}
