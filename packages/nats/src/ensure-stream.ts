import { JetStreamApiCodes, JetStreamApiError, type JetStreamManager, type StreamConfig } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { NatsErrorCodes, NatsPublishError } from './errors.js';

export interface StreamSettings {
  name: string;
  subjects: readonly string[];
  duplicateWindowMs: number;
  /** Anything else for a stream this package creates (retention, max_age, replicas…). */
  config: Partial<StreamConfig>;
}

/**
 * Create the stream when it is missing. When it exists, only widen it: raise a shorter
 * duplicate window (the window is what makes a re-send after a crash a no-op) and add
 * missing subjects. Nothing is ever narrowed or removed: the stream may be shared.
 */
export async function ensureStream(jsm: JetStreamManager, s: StreamSettings): Promise<void> {
  const window = nanos(s.duplicateWindowMs);
  try {
    let info;
    try {
      info = await jsm.streams.info(s.name);
    } catch (error) {
      if (!(error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound)) throw error;
      await jsm.streams.add({ ...s.config, name: s.name, subjects: [...s.subjects], duplicate_window: window });
      return;
    }
    const subjects = info.config.subjects ?? [];
    const missing = s.subjects.filter((x) => !subjects.some((p) => covers(p, x)));
    if (info.config.duplicate_window < window || missing.length > 0) {
      await jsm.streams.update(s.name, {
        ...info.config,
        subjects: [...subjects, ...missing],
        duplicate_window: Math.max(info.config.duplicate_window, window),
      });
    }
  } catch (error) {
    throw new NatsPublishError(
      NatsErrorCodes.NATS_STREAM_SETUP,
      `Could not create or update the JetStream stream "${s.name}" (subjects ${s.subjects.join(', ')}, duplicate window ${s.duplicateWindowMs} ms): ` +
        `${(error as Error)?.message ?? String(error)}. Fix the cause, or create the stream yourself and pass manageStream: false.`,
      { stream: s.name },
      { cause: error },
    );
  }
}

/** True when every subject `subject` (itself possibly a wildcard) matches is matched by `pattern`. */
export function covers(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const x = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    const pt = p[i];
    const xt = x[i];
    if (pt === '>') return xt !== undefined;
    if (xt === undefined || xt === '>') return false;
    if (pt !== '*' && pt !== xt) return false;
  }
  return p.length === x.length;
}
