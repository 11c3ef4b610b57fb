export interface SseMessage {
  id?: string;
  event?: string;
  data: string;
}

/**
 * A minimal EventSource over fetch, for tests: it exposes what a browser hides (the raw
 * frames, closing the connection at an exact point) and sends Last-Event-ID on demand.
 */
export class SseClient {
  readonly messages: SseMessage[] = [];
  comments = 0;
  readonly #controller = new AbortController();
  #done: Promise<void> | undefined;
  #waiters: Array<() => void> = [];
  status = 0;
  contentType = '';
  /** True when the server ended the stream normally (not a reset, not our own abort). */
  endedCleanly = false;

  async connect(url: string, headers: Record<string, string> = {}): Promise<void> {
    const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: this.#controller.signal });
    this.status = res.status;
    this.contentType = res.headers.get('content-type') ?? '';
    if (!res.ok || !res.body) {
      await res.text().catch(() => '');
      return;
    }
    this.#done = this.#read(res.body).then(
      () => {
        this.endedCleanly = true;
      },
      () => {},
    );
  }

  async #read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of body) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) !== -1) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        this.#frame(frame);
      }
    }
  }

  #frame(frame: string): void {
    const message: SseMessage = { data: '' };
    const data: string[] = [];
    for (const line of frame.split('\n')) {
      if (line.startsWith(':')) this.comments++;
      else if (line.startsWith('id: ')) message.id = line.slice(4);
      else if (line.startsWith('event: ')) message.event = line.slice(7);
      else if (line.startsWith('data: ')) data.push(line.slice(6));
    }
    if (data.length === 0) return;
    message.data = data.join('\n');
    this.messages.push(message);
    for (const wake of this.#waiters.splice(0)) wake();
  }

  /** Resolves once `count` messages have arrived (or rejects after `timeoutMs`). */
  async waitFor(count: number, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.messages.length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`SSE: got ${this.messages.length} of ${count} messages`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 200));
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async close(): Promise<void> {
    this.#controller.abort();
    await this.#done;
  }

  /** Resolves when the server ends the stream. */
  ended(): Promise<void> {
    return this.#done ?? Promise.resolve();
  }
}
