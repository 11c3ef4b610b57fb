import type { DeadLetter, ProjectionReport } from '@cairn/core';
import { Type } from 'typebox';
import { Position } from '../schemas.js';

/** Projection status and dead letters as JSON: positions as decimal strings, times as ISO-8601. */

export const ProjectionReportSchema = Type.Object({
  name: Type.String(),
  generation: Type.Integer({ description: 'Each rebuild builds a new generation beside the live one.' }),
  definitionVersion: Type.Integer(),
  status: Type.Union([Type.Literal('building'), Type.Literal('live'), Type.Literal('retired')]),
  partitions: Type.Integer(),
  paused: Type.Boolean(),
  position: Position,
  head: Position,
  eventsBehind: Type.Integer({ description: 'Events after the checkpoint (counted up to 100,000).' }),
  secondsBehind: Type.Number({ description: 'Age of the oldest unprocessed event (0 when caught up).' }),
  runningHere: Type.Array(Type.Integer(), { description: 'Partitions the server\'s own process runs.' }),
  deadLetters: Type.Integer({ description: 'Parked events of this generation.' }),
  progress: Type.Number({ description: 'For a generation being built: how far it is, 0..1.' }),
});

export type ProjectionReportJson = ReturnType<typeof reportToJson>;

export function reportToJson(r: ProjectionReport) {
  return {
    name: r.name,
    generation: r.generation,
    definitionVersion: r.definitionVersion,
    status: r.status,
    partitions: r.partitions,
    paused: r.paused,
    position: r.position.toString(),
    head: r.head.toString(),
    eventsBehind: r.eventsBehind,
    secondsBehind: r.secondsBehind,
    runningHere: [...r.runningHere],
    deadLetters: r.deadLetters,
    progress: r.progress,
  };
}

export const DEAD_LETTER_STATUSES = ['parked', 'replay-requested', 'replayed', 'skipped'] as const;

export const DeadLetterSchema = Type.Object({
  id: Type.String(),
  projection: Type.String(),
  generation: Type.Integer(),
  partition: Type.Integer(),
  position: Position,
  eventId: Type.String(),
  streamId: Type.String(),
  type: Type.String(),
  error: Type.String({ description: "The handler's last error message. Its stack stays in the store (`cairn projections dead-letters list`): it names the server's files." }),
  attempts: Type.Integer(),
  status: Type.Union(DEAD_LETTER_STATUSES.map((s) => Type.Literal(s))),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

export function deadLetterToJson(l: DeadLetter) {
  return {
    id: l.id,
    projection: l.projection,
    generation: l.generation,
    partition: l.partition,
    position: l.position.toString(),
    eventId: l.eventId,
    streamId: l.streamId,
    type: l.type,
    error: withoutStackFrames(l.error),
    attempts: l.attempts,
    status: l.status,
    createdAt: l.createdAt.toISOString(),
    updatedAt: l.updatedAt.toISOString(),
  };
}

/**
 * An error as the runner recorded it (`error.stack`), minus the stack frames: those name the
 * server's files and lines, which an API client has no business knowing.
 */
export function withoutStackFrames(text: string): string {
  return text
    .split('\n')
    .filter((line) => !/^\s+at /.test(line))
    .join('\n')
    .trim();
}
