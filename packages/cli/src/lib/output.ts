import type { StoredEvent, StreamInfo } from '@cairn/core';
import { eventToJson } from './event-line.js';
import { type CliIo, writeOut } from './io.js';

/** How a command prints: one JSON document or NDJSON lines with --json, text for people otherwise. */
export class Output {
  readonly json: boolean;
  readonly #io: CliIo;

  constructor(io: CliIo, json: boolean) {
    this.#io = io;
    this.json = json;
  }

  /** A line of data on stdout (waits when the pipe is full). */
  line(text: string): Promise<void> {
    return writeOut(this.#io.stdout, `${text}\n`);
  }

  /** One JSON value as one line on stdout: a result document, or one record of NDJSON. */
  record(value: unknown): Promise<void> {
    return this.line(JSON.stringify(value));
  }

  /** A message for people, on stderr, so stdout stays clean for data. */
  note(text: string): void {
    this.#io.stderr.write(`${text}\n`);
  }

  async event(event: StoredEvent, style: 'stream' | 'log'): Promise<void> {
    if (this.json) return this.record(eventToJson(event));
    const head = style === 'stream' ? `${String(event.version).padStart(6)}  @${event.position}` : `${String(event.position).padStart(8)}  ${event.streamId}@${event.version}`;
    return this.line(`${head}  ${event.recordedAt.toISOString()}  ${event.type}  ${clip(JSON.stringify(event.data), 200)}`);
  }

  async stream(info: StreamInfo): Promise<void> {
    if (this.json) return this.record(streamJson(info));
    return this.line(`${info.streamId}\tv${info.version}\t@${info.position}\t${info.updatedAt.toISOString()}`);
  }
}

export function streamJson(info: StreamInfo): Record<string, unknown> {
  return {
    streamId: info.streamId,
    category: info.category,
    version: info.version,
    position: info.position.toString(),
    createdAt: info.createdAt.toISOString(),
    updatedAt: info.updatedAt.toISOString(),
  };
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
