import type { EventStore } from '@cairn/core';
import type { Principal, KeyRing } from './keys/key-ring.js';
import type { CairnMetrics } from './metrics.js';
import type { ResolvedLimits } from './options.js';
import type { Role } from './roles.js';

/** What every route and extension reaches through `app.cairn`. */
export interface CairnContext {
  /** The store, wrapped in OpenTelemetry spans unless tracing is off. */
  store: EventStore;
  metrics: CairnMetrics;
  keys: KeyRing;
  limits: ResolvedLimits;
  insecureDev: boolean;
  /**
   * Every route of the server as registered, extensions included, with the role it declared
   * (undefined: none, so it needs `admin`). Complete once the server is ready.
   */
  routes: readonly RouteInfo[];
}

export interface RouteInfo {
  method: string;
  url: string;
  role: RouteRole | undefined;
}

/** Route-level auth: the role a route needs, or 'public'. */
export type RouteRole = Role | 'public';

declare module 'fastify' {
  interface FastifyInstance {
    cairn: CairnContext;
  }
  interface FastifyRequest {
    /** The authenticated key; undefined on public routes. */
    principal: Principal | undefined;
  }
  interface FastifyContextConfig {
    /** The role this route needs. Routes without one need `admin` (deny by default). */
    role?: RouteRole;
  }
}
