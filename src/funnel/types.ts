import type { FunnelEvent, FunnelEventInput, FunnelEventType } from './events.js';

export interface FunnelQuery {
  readonly types?: readonly FunnelEventType[];
  readonly fromTs?: number;
  readonly toTs?: number;
  readonly conversationId?: string;
  readonly limit?: number;
}

export interface StageRow {
  readonly day: string;
  readonly channel: string;
  readonly counts: Readonly<Record<string, number>>;
  readonly revenueCents: number;
}

/** Where funnel events are stored. Embedded: SQLite; scale-out: PostgreSQL. */
export interface FunnelStore {
  /** Validates and stores; events whose id was already stored are ignored. Returns how many were new. */
  append(events: readonly FunnelEventInput[]): Promise<number>;
  /**
   * The same for events already parsed by FunnelEventSchema (the writer's, validated at its door):
   * parsing them again was a measurable share of a turn's commit.
   */
  appendValidated(events: readonly FunnelEvent[]): Promise<number>;
  /**
   * Embedded engine only: appends already parsed events in one transaction with other synchronous
   * writes into the same SQLite database (a turn's state and transcript), so all of them are stored or none.
   */
  appendWith?(events: readonly FunnelEvent[], alongside: readonly (() => void)[]): Promise<number>;
  /** Replays events in time order (learners, off-policy evaluation, reports). */
  query(q: FunnelQuery): AsyncIterable<FunnelEvent>;
  /** How many events `query(q)` would replay (`limit` ignored): progress bars of long replays. */
  count(q: Omit<FunnelQuery, 'limit'>): Promise<number>;
  /** Stage counts and revenue per day and channel. */
  stages(q: { fromTs?: number; toTs?: number }): Promise<StageRow[]>;
  /**
   * Records a signed request's key; false when it was already seen (a replay). Several callers
   * share the table with their own windows (the store webhook, Slack requests and event ids, keys
   * namespaced by the caller), so each row is kept for twice its own caller's tolerance and no
   * caller's pruning shortens another's window. The column is still named seen_at (no migration);
   * it holds the time the row may be forgotten.
   */
  rememberNonce(signature: string, nowMs: number, toleranceMs: number): Promise<boolean>;
  /** Deletes events of these types older than `cutoffMs` (retention); returns how many. */
  deleteBefore(cutoffMs: number, types: readonly FunnelEventType[]): Promise<number>;
  /** Deletes every event carrying this user id (a forget request); returns how many. */
  deleteUser(userId: string): Promise<number>;
  close(): Promise<void>;
}

/**
 * The funnel as the app's callers see it: the store's reads and writes, and a flush of the events
 * the writer still batches. Only the validating `append`: what callers hand in is checked there.
 */
export type FunnelLog = Omit<FunnelStore, 'close' | 'appendValidated' | 'appendWith'> & { flush(): Promise<void> };

/** What reports read: replays, counts and stage totals. */
export type FunnelReader = Pick<FunnelStore, 'query' | 'stages' | 'count'>;
