/** What the Teams and Slack channels receive from the composition root. */
import type { Config } from '../../src/config.js';
import type { FunnelLog } from '../../src/funnel/index.js';
import type { HandleTurn } from '../../src/turn.js';
import type { SupportCallbacks } from './support.js';

/** pino-compatible subset. */
export interface ChannelLogger {
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

/** Time for the outbound queue's spacing and back-off; tests pass a fake so nothing waits on real time. */
export interface OutboundClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export type { HandleTurn } from '../../src/turn.js';

export interface ChannelDeps {
  readonly config: Config;
  readonly handleTurn: HandleTurn;
  /** For merchant reports (funnel, no-result searches, open escalations) and replayed-request checks. */
  readonly funnel: Omit<FunnelLog, 'flush'>;
  readonly logger: ChannelLogger;
  /** Support channel mode: an agent's reply or hand-back in the support thread. */
  readonly support?: SupportCallbacks;
  /** Who last helped in a shopper's conversation (a rating of subject 'agent' names them); absent: such ratings are refused. */
  readonly lastAgent?: (conversationId: string) => Promise<{ agentId: string; ticketId: string } | undefined>;
  /** Defaults to the real clock; tests pass a fake so nothing waits on real time. */
  readonly clock?: OutboundClock;
  /** Uniform [0, 1) for back-off jitter; defaults to Math.random. */
  readonly random?: () => number;
}

export interface ChannelHandle {
  close(): Promise<void>;
}
