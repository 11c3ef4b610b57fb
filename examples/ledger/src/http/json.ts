import type { StoredEvent } from '@cairn/core';
import type { AccountSummary } from '../read-models/account-summaries.js';

/** Ledger values as JSON: positions as decimal strings, times as ISO-8601. */

export function eventJson(e: StoredEvent) {
  return { position: e.position.toString(), streamId: e.streamId, version: e.version, eventId: e.eventId, type: e.type, data: e.data, metadata: e.metadata, recordedAt: e.recordedAt.toISOString() };
}

export function summaryJson(s: AccountSummary) {
  return { ...s, openedAt: s.openedAt.toISOString(), lastTransactionAt: s.lastTransactionAt?.toISOString() ?? null };
}

export function commandJson(r: { streamId: string; version: number; position: bigint | null; duplicate?: boolean; state: unknown; events: readonly StoredEvent[] }) {
  return { streamId: r.streamId, version: r.version, position: r.position?.toString() ?? null, duplicate: r.duplicate === true, state: r.state, events: r.events.map(eventJson) };
}
