import type { Query } from '@cairn/core';
import type { Database } from './driver.js';
import { EVENT_COLUMNS, type EventRow } from './rows.js';

/**
 * Candidate rows for a tag/type query: each tagged item contributes the events carrying its
 * first tag (through the tag index), each type-only item the events of its types. Callers
 * keep the exact matches (all tags, right type). Lazy, so a caller can stop early.
 */
export function candidates(db: Database, query: Query, after: number, upTo: number): IterableIterator<EventRow> {
  const firstTags = [...new Set(query.flatMap((item) => (item.tags ? [item.tags[0] as string] : [])))];
  const typeOnly = [...new Set(query.flatMap((item) => (item.tags ? [] : (item.types ?? []))))];
  const parts: string[] = [];
  const params: unknown[] = [];
  if (firstTags.length > 0) {
    parts.push(`SELECT position FROM cairn_event_tags WHERE tag IN (${firstTags.map(() => '?').join(', ')}) AND position > ? AND position <= ?`);
    params.push(...firstTags, after, upTo);
  }
  if (typeOnly.length > 0) {
    parts.push(`SELECT position FROM cairn_events WHERE type IN (${typeOnly.map(() => '?').join(', ')}) AND position > ? AND position <= ?`);
    params.push(...typeOnly, after, upTo);
  }
  const sql = `SELECT ${EVENT_COLUMNS} FROM cairn_events WHERE position IN (${parts.join(' UNION ')}) ORDER BY position`;
  return db.prepare<EventRow>(sql).iterate(...params);
}

export function rowTags(row: EventRow): string[] {
  return row.tags === null ? [] : (JSON.parse(row.tags) as string[]);
}
