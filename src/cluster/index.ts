/**
 * One worker among the N of `shopbot serve --workers N` (src/server/cluster.ts runs the primary).
 * Worker 1 is the leader: the only process that trains the learners and runs the scheduled jobs
 * (retention sweeps, service-level and low-stock checks). The others forward the funnel events the
 * learners read to it, through the primary, and reload its checkpoints.
 */
import { z } from 'zod';
import type { FunnelEvent } from '../funnel/index.js';
import { LEARNING_EVENT_TYPES } from '../learning/index.js';
import type { IpcPort } from '../limits/index.js';

export type { IpcPort } from '../limits/index.js';

/** Forwarded between workers through the primary. */
export const LEARN_CHANNEL = 'shopbot:learn';
/** Event types the leader learns from: the ranking learner's and the coupon targeter's (coupon_offered, purchase). */
const FORWARDED_TYPES: ReadonlySet<string> = new Set([...LEARNING_EVENT_TYPES, 'coupon_offered']);
/** One flush is at most the writer's batch; a cap keeps a runaway message from growing the primary. */
export const MAX_FORWARDED_EVENTS = 10_000;

export const LearnMessageSchema = z.object({ channel: z.literal(LEARN_CHANNEL), events: z.array(z.record(z.string(), z.unknown())).max(MAX_FORWARDED_EVENTS) });

export interface ClusterMember {
  /** 1..workers; the leader is 1. */
  readonly index: number;
  readonly workers: number;
  readonly isLeader: boolean;
  /** The IPC channel to the primary (shared counters ride on it). */
  readonly primary: IpcPort;
  /** A follower's stored events, for the leader's learners (only the types they read are sent). */
  forward(events: readonly FunnelEvent[]): void;
  /** The leader: events the followers stored. Returns the unsubscribe. */
  onForwarded(listener: (events: readonly FunnelEvent[]) => void): () => void;
}

export function joinCluster(options: { readonly index: number; readonly workers: number; readonly primary: IpcPort }): ClusterMember {
  const { index, workers, primary } = options;
  return {
    index,
    workers,
    isLeader: index === 1,
    primary,
    forward(events) {
      const wanted = events.filter((e) => FORWARDED_TYPES.has(e.type));
      for (let i = 0; i < wanted.length; i += MAX_FORWARDED_EVENTS) primary.send({ channel: LEARN_CHANNEL, events: wanted.slice(i, i + MAX_FORWARDED_EVENTS) });
    },
    onForwarded(listener) {
      const onMessage = (message: unknown) => {
        const m = LearnMessageSchema.safeParse(message);
        // Written by this server's own funnel writer in another worker, validated there.
        if (m.success) listener(m.data.events as unknown as FunnelEvent[]);
      };
      primary.on('message', onMessage);
      return () => void primary.off('message', onMessage);
    },
  };
}
