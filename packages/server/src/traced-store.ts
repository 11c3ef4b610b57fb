import type {
  AppendOptions,
  AppendResult,
  EventInput,
  EventShape,
  EventStore,
  EventStream,
  ListStreamsOptions,
  Position,
  ReadAllOptions,
  ReadStreamOptions,
  StoredEvent,
  StreamInfo,
  SubscribeOptions,
} from '@cairn/core';
import { type Attributes, context, type Span, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import { PACKAGE_VERSION } from './version.js';

/** The tracer of `@cairn/server`; a no-op until the application registers an OpenTelemetry SDK. */
export function cairnTracer(): Tracer {
  return trace.getTracer('@cairn/server', PACKAGE_VERSION);
}

/**
 * Wrap a store so append, reads and subscriptions produce OpenTelemetry spans
 * (`cairn.append`, `cairn.read_stream`, `cairn.read_all`, `cairn.subscribe`, …), children of
 * whatever span is active at the call. Uses only `@opentelemetry/api`: without an SDK every
 * span is a no-op and the cost is a few function calls.
 *
 * @example
 * const store = traceStore(await openStore(url));
 */
export function traceStore<S extends EventStore>(store: S, tracer: Tracer = cairnTracer()): S {
  const traced = tracedMethods(store, tracer);
  // A proxy, not a class implementing EventStore: members this wrapper does not trace
  // (and members the contract gains later) pass straight through to the store.
  return new Proxy(store, {
    get(target, property) {
      if (typeof property === 'string' && Object.hasOwn(traced, property)) return traced[property as keyof typeof traced];
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

function tracedMethods(inner: EventStore, tracer: Tracer) {
  const kind = (): string => inner.kind;

  async function run<T>(name: string, attributes: Attributes, fn: (span: Span) => Promise<T>): Promise<T> {
    return tracer.startActiveSpan(name, { kind: SpanKind.INTERNAL, attributes: { 'db.system.name': kind(), ...attributes } }, async (span) => {
      try {
        return await fn(span);
      } catch (error) {
        fail(span, error);
        throw error;
      } finally {
        span.end();
      }
    });
  }

  /** One span per iteration, from the first `next()` until the iterator finishes or is abandoned. */
  function traceIterable<T>(name: string, attributes: Attributes, source: AsyncIterable<T>): EventStream<T> {
    const iterate = async function* (): AsyncGenerator<T> {
      const span = tracer.startSpan(name, { kind: SpanKind.INTERNAL, attributes: { 'db.system.name': kind(), ...attributes } }, context.active());
      let count = 0;
      try {
        for await (const item of source) {
          count++;
          yield item;
        }
      } catch (error) {
        fail(span, error);
        throw error;
      } finally {
        span.setAttribute('cairn.event_count', count);
        span.end();
      }
    };
    return {
      [Symbol.asyncIterator]: () => iterate(),
      async toArray() {
        const out: T[] = [];
        for await (const item of iterate()) out.push(item);
        return out;
      },
    };
  }

  return {
    migrate: (): Promise<void> => run('cairn.migrate', {}, () => inner.migrate()),

    append: <E extends EventShape>(streamId: string, events: readonly EventInput<E>[], options?: AppendOptions): Promise<AppendResult> => {
      const attributes: Attributes = { 'cairn.stream_id': streamId, 'cairn.event_count': Array.isArray(events) ? events.length : 0 };
      if (options?.expectedVersion !== undefined) attributes['cairn.expected_version'] = String(options.expectedVersion);
      return run('cairn.append', attributes, async (span) => {
        const result = await inner.append(streamId, events, options);
        span.setAttributes({ 'cairn.version': result.version, 'cairn.position': result.position.toString() });
        return result;
      });
    },

    readStream: <E extends EventShape = EventShape>(streamId: string, options?: ReadStreamOptions): EventStream<StoredEvent<E>> =>
      traceIterable('cairn.read_stream', { 'cairn.stream_id': streamId, 'cairn.direction': options?.direction ?? 'forward' }, inner.readStream<E>(streamId, options)),

    readAll: <E extends EventShape = EventShape>(options?: ReadAllOptions): EventStream<StoredEvent<E>> =>
      traceIterable('cairn.read_all', options?.after !== undefined ? { 'cairn.after': String(options.after) } : {}, inner.readAll<E>(options)),

    subscribe: <E extends EventShape = EventShape>(options?: SubscribeOptions): AsyncIterable<StoredEvent<E>> =>
      traceIterable('cairn.subscribe', options?.after !== undefined ? { 'cairn.after': String(options.after) } : {}, inner.subscribe<E>(options)),

    streamInfo: (streamId: string): Promise<StreamInfo | null> => run('cairn.stream_info', { 'cairn.stream_id': streamId }, () => inner.streamInfo(streamId)),

    listStreams: (options?: ListStreamsOptions): Promise<StreamInfo[]> => run('cairn.list_streams', {}, () => inner.listStreams(options)),

    headPosition: (): Promise<Position> => run('cairn.head_position', {}, () => inner.headPosition()),
  };
}

function fail(span: Span, error: unknown): void {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') span.setAttribute('cairn.error_code', code);
  span.recordException(error as Error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
}
