import type { EventShape, StoredEvent } from '../types.js';
import type { Projection, ProjectionContext } from './types.js';

/** The event types a projection receives, or undefined for all. */
export function projectionTypes(p: Projection): readonly string[] | undefined {
  if (p.types) return p.types;
  if (p.handlers && !p.handle) return Object.keys(p.handlers);
  return undefined;
}

/** Call the handler for one event, if the projection has one for its type. */
export async function dispatch<E extends EventShape>(p: Projection<E>, event: StoredEvent<E>, ctx: ProjectionContext): Promise<void> {
  const handler = p.handlers?.[event.type];
  if (handler) await handler(event, ctx);
  else if (p.handle) await p.handle(event, ctx);
}

export function wants(p: Projection, types: readonly string[] | undefined, event: StoredEvent): boolean {
  if (types && !types.includes(event.type)) return false;
  if (p.categories) {
    const dash = event.streamId.indexOf('-');
    const category = dash === -1 ? event.streamId : event.streamId.slice(0, dash);
    if (!p.categories.includes(category)) return false;
  }
  return !event.streamId.startsWith('$');
}

export function generationTable(base: string, generation: number): string {
  return generation === 0 ? base : `${base}_g${generation}`;
}
