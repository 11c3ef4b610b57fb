import { getKey } from './key-store';
import type { StoredEvent } from './types';

/**
 * Follow `GET /subscribe` over fetch rather than EventSource, which cannot send the
 * Authorization header. Reconnects after a dropped connection, resuming after the last
 * position seen (the same thing Last-Event-ID does for EventSource).
 */
export function follow(options: { after: string; onEvent(e: StoredEvent): void; onStatus(status: 'connecting' | 'live' | 'error', detail?: string): void; signal: AbortSignal }): void {
  let last = options.after;
  const run = async (): Promise<void> => {
    while (!options.signal.aborted) {
      options.onStatus('connecting');
      try {
        const key = getKey();
        const res = await fetch(`/subscribe?after=${encodeURIComponent(last)}`, {
          headers: { accept: 'text/event-stream', ...(key ? { authorization: `Bearer ${key}` } : {}) },
          signal: options.signal,
        });
        if (!res.ok || !res.body) {
          const problem = (await res.json().catch(() => ({}))) as { detail?: string };
          options.onStatus('error', problem.detail ?? `HTTP ${res.status}`);
          if (res.status === 401 || res.status === 403) return;
        } else {
          options.onStatus('live');
          const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
          let buffer = '';
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            buffer += value;
            let end: number;
            while ((end = buffer.indexOf('\n\n')) !== -1) {
              const frame = buffer.slice(0, end);
              buffer = buffer.slice(end + 2);
              const data = frame
                .split('\n')
                .filter((l) => l.startsWith('data: '))
                .map((l) => l.slice(6))
                .join('\n');
              if (!data || frame.split('\n').some((l) => l === 'event: error')) continue;
              const event = JSON.parse(data) as StoredEvent;
              last = event.position;
              options.onEvent(event);
            }
          }
        }
      } catch (error) {
        if (options.signal.aborted) return;
        options.onStatus('error', (error as Error).message);
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  };
  void run();
}
