import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import {
  type Attributes,
  type Context,
  type ContextManager,
  context,
  ROOT_CONTEXT,
  type Span,
  type SpanContext,
  type SpanOptions,
  type SpanStatus,
  type Tracer,
  trace,
  TraceFlags,
} from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createKeys, postJson, type RunningServer, startServer } from './test-support/servers.js';
import { StoreFactory } from './test-support/stores.js';

// A recording tracer and an AsyncLocalStorage context manager written against the API alone:
// what an OpenTelemetry SDK would provide, without depending on one.
interface Recorded {
  name: string;
  kind: number | undefined;
  traceId: string;
  spanId: string;
  parentId: string | undefined;
  attributes: Attributes;
  status?: SpanStatus;
  ended: boolean;
}

const recorded: Recorded[] = [];

class RecordingSpan implements Span {
  readonly #context: SpanContext;
  readonly record: Recorded;

  constructor(name: string, options: SpanOptions, parent: Context) {
    const parentSpan = trace.getSpan(parent)?.spanContext();
    this.#context = { traceId: parentSpan?.traceId ?? randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex'), traceFlags: TraceFlags.SAMPLED };
    this.record = { name, kind: options.kind, traceId: this.#context.traceId, spanId: this.#context.spanId, parentId: parentSpan?.spanId, attributes: { ...options.attributes }, ended: false };
    recorded.push(this.record);
  }
  spanContext(): SpanContext {
    return this.#context;
  }
  setAttribute(key: string, value: Attributes[string]): this {
    if (value !== undefined) this.record.attributes[key] = value;
    return this;
  }
  setAttributes(attributes: Attributes): this {
    Object.assign(this.record.attributes, attributes);
    return this;
  }
  addEvent(): this {
    return this;
  }
  addLink(): this {
    return this;
  }
  addLinks(): this {
    return this;
  }
  setStatus(status: SpanStatus): this {
    this.record.status = status;
    return this;
  }
  updateName(name: string): this {
    this.record.name = name;
    return this;
  }
  end(): void {
    this.record.ended = true;
  }
  isRecording(): boolean {
    return true;
  }
  recordException(): void {}
}

const tracer: Tracer = {
  startSpan: (name, options = {}, ctx = context.active()) => new RecordingSpan(name, options, ctx),
  startActiveSpan: ((name: string, ...args: unknown[]) => {
    const fn = args.at(-1) as (span: Span) => unknown;
    const options = (args.length > 1 ? args[0] : {}) as SpanOptions;
    const parent = (args.length > 2 ? args[1] : context.active()) as Context;
    const span = new RecordingSpan(name, options, parent);
    return context.with(trace.setSpan(parent, span), () => fn(span));
  }) as Tracer['startActiveSpan'],
};

class AlsContextManager implements ContextManager {
  readonly #storage = new AsyncLocalStorage<Context>();
  active(): Context {
    return this.#storage.getStore() ?? ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(ctx: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    return this.#storage.run(ctx, () => fn.apply(thisArg, args));
  }
  bind<T>(_ctx: Context, target: T): T {
    return target;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    return this;
  }
}

describe('OpenTelemetry spans, once the application registers a tracer', () => {
  const factory = new StoreFactory('sqlite');
  let server: RunningServer;
  let auth: Record<string, string>;

  beforeAll(async () => {
    context.setGlobalContextManager(new AlsContextManager());
    trace.setGlobalTracerProvider({ getTracer: () => tracer });
    const store = await factory.open();
    auth = bearer((await createKeys(store)).write);
    server = await startServer(store);
  });
  afterAll(async () => {
    await server?.close();
    await factory.cleanup();
    trace.disable();
    context.disable();
  });

  it('records a SERVER span per request with the store calls as its children', async () => {
    recorded.length = 0;
    const res = await postJson(`${server.url}/streams/traced-1`, { events: [{ type: 'A', data: 1 }, { type: 'B', data: 2 }] }, { ...auth, 'if-none-match': '*' });
    expect(res.status).toBe(200);
    await (await fetch(`${server.url}/streams/traced-1`, { headers: auth })).text();
    await new Promise((r) => setTimeout(r, 50)); // spans end when the response closes

    const post = recorded.find((s) => s.name === 'POST /streams/:id');
    expect(post).toMatchObject({ kind: 1 /* SERVER */, ended: true, attributes: expect.objectContaining({ 'http.route': '/streams/:id', 'http.response.status_code': 200 }) });
    const append = recorded.find((s) => s.name === 'cairn.append');
    expect(append).toMatchObject({ parentId: post?.spanId, traceId: post?.traceId, ended: true });
    expect(append?.attributes).toMatchObject({ 'cairn.stream_id': 'traced-1', 'cairn.event_count': 2, 'cairn.expected_version': 'no-stream', 'cairn.version': 2, 'db.system.name': 'sqlite' });

    const get = recorded.find((s) => s.name === 'GET /streams/:id');
    const read = recorded.find((s) => s.name === 'cairn.read_stream');
    expect(read).toMatchObject({ parentId: get?.spanId, ended: true, attributes: expect.objectContaining({ 'cairn.event_count': 2 }) });
    expect(recorded.find((s) => s.name === 'cairn.stream_info')?.parentId).toBe(get?.spanId);
  });

  it('marks failed store calls and 4xx answers on their spans', async () => {
    recorded.length = 0;
    const res = await postJson(`${server.url}/streams/traced-1`, { events: [{ type: 'C', data: 3 }] }, { ...auth, 'if-match': '"1"' });
    expect(res.status).toBe(409);
    await new Promise((r) => setTimeout(r, 50));
    expect(recorded.find((s) => s.name === 'cairn.append')).toMatchObject({ status: { code: 2 /* ERROR */ }, attributes: expect.objectContaining({ 'cairn.error_code': 'CONCURRENCY' }) });
    expect(recorded.find((s) => s.name === 'POST /streams/:id')?.attributes['http.response.status_code']).toBe(409);
  });
});
