import type { ServerResponse } from 'node:http';

/**
 * Write one SSE frame, honouring backpressure: a slow client makes the subscription wait
 * (the store pages lazily, so nothing piles up in memory) instead of buffering without end.
 */
export async function writeSse(res: ServerResponse, frame: string, signal: AbortSignal): Promise<void> {
  if (res.write(frame) || signal.aborted) return;
  await new Promise<void>((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
    signal.addEventListener('abort', done, { once: true });
  });
}
