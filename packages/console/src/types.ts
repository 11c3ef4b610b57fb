/** Shapes of the API's JSON. Positions are decimal strings (a JSON number would lose precision). */

export interface StoredEvent {
  position: string;
  streamId: string;
  version: number;
  eventId: string;
  type: string;
  schemaVersion?: number;
  data: unknown;
  metadata: Record<string, unknown>;
  tags?: string[];
  recordedAt: string;
}

export interface StreamInfo {
  streamId: string;
  category: string;
  version: number;
  position: string;
  createdAt: string;
  updatedAt: string;
}

export interface ProjectionReport {
  name: string;
  generation: number;
  definitionVersion: number;
  status: 'building' | 'live' | 'retired';
  partitions: number;
  paused: boolean;
  position: string;
  head: string;
  eventsBehind: number;
  secondsBehind: number;
  runningHere: number[];
  deadLetters: number;
  progress: number;
}

export interface LagSample {
  at: string;
  projections: Array<{ name: string; generation: number; status: string; eventsBehind: number; secondsBehind: number; progress: number }>;
}

export interface DeadLetter {
  id: string;
  projection: string;
  generation: number;
  partition: number;
  position: string;
  eventId: string;
  streamId: string;
  type: string;
  error: string;
  attempts: number;
  status: 'parked' | 'replay-requested' | 'replayed' | 'skipped';
  createdAt: string;
  updatedAt: string;
}

export interface AccountState {
  status: string;
  accountId: string;
  owner: string;
  currency: string;
  balanceCents: number;
  transactions: number;
}

export interface AccountSummary {
  accountId: string;
  owner: string;
  currency: string;
  status: string;
  balanceCents: number;
  transactions: number;
  openedAt: string;
  lastTransactionAt: string | null;
  version: number;
}

export interface TimeTravel {
  accountId: string;
  streamId: string;
  streamVersion: number;
  version: number;
  at: string | null;
  state: AccountState;
  events: StoredEvent[];
  timeline: Array<{ version: number; type: string; recordedAt: string; amountCents: number | null }>;
}

export interface BalanceOn {
  accountId: string;
  date: string;
  at: string;
  balanceCents: number;
  version: number;
  fromReadModel: number | null;
  agree: boolean;
}
