/**
 * What the app offers its callers and the channels opened with it: the services (each through its
 * stage's interface, never a database), and the contract a channel (the REST API, the widget's
 * gateway, Teams, Slack, the agent console) implements to be opened with the app.
 */
import type { Server } from 'socket.io';
import type { CatalogStore } from './catalog/index.js';
import type { Config } from './config.js';
import type { Coupons } from './coupons/index.js';
import type { StateStore } from './dialogue/index.js';
import type { FunnelLog, Logger } from './funnel/index.js';
import type { SqliteExperimentStore } from './insights/index.js';
import type { HandoffFile, HandoffService, PushMessage, SupportDesk } from './handoff/index.js';
import type { ApiKeyVerifier, Sessions, SignedIdentity } from './identity/index.js';
import type { Limits } from './limits/index.js';
import type { Metrics } from './metrics/index.js';
import type { TranscriptEntry } from './messages.js';
import type { Privacy } from './privacy/index.js';
import type { StoreConnector } from './store/index.js';
import type { HandleTurn } from './turn.js';

export interface Readiness {
  readonly ready: boolean;
  readonly checks: Readonly<Record<string, 'ok' | 'degraded' | 'down'>>;
}

/** The assistant's services, as the server's channels, the CLI and the evals use them. */
export interface AppServices {
  readonly config: Config;
  readonly log: Logger;
  handleTurn: HandleTurn;
  history(conversationId: string): Promise<TranscriptEntry[]>;
  readiness(): Readiness;
  // The services callers use, each through its stage's interface.
  /** Widget and REST conversations: created by the server, reached only with their token. */
  readonly sessions: Sessions;
  /** The store backend's API keys (SHOPBOT_API_KEYS). */
  readonly apiKeys: ApiKeyVerifier;
  /** Abuse limits (rate rules, socket caps), shared through Redis when it is configured. */
  readonly limits: Limits;
  /** Prometheus metrics of this process (GET /metrics); channels add their own gauges and error counts. */
  readonly metrics: Metrics;
  /** Retention sweep (also run at start and hourly) and forgetting one shopper (`shopbot forget`, DELETE /v1/users/:id). */
  readonly privacy: Privacy;
  /** Escalations, the queue and agent actions (console, Slack/Teams desks). */
  readonly handoff: HandoffService;
  /** The funnel log: events as stored (reads, the store webhook's appends) and a flush of those still batched. */
  readonly funnel: FunnelLog;
  /** The catalog, read-only (benches count it, evals look products up). */
  readonly catalog: Pick<CatalogStore, 'get' | 'getMany' | 'count'>;
  readonly states: StateStore;
  readonly store: StoreConnector;
  /** A/B tests (the running ranking experiment ranks its shoppers' slates); started and stopped from /admin or the CLI. */
  readonly experiments: SqliteExperimentStore;
  readonly coupons?: Coupons;
}

/** What a channel opened with the app receives: the app's services, and what only channels need. */
export interface ChannelContext extends AppServices {
  readonly handoffConfig: HandoffFile;
  /** The demo store page's signed identity for its demo customer; undefined outside the demo store. */
  demoIdentity(): SignedIdentity | undefined;
  /**
   * With Redis configured: socket.io's Redis adapter on two new connections, so rooms and pushes
   * cross server processes; among the workers of `serve --workers N`, the cluster adapter (over
   * their IPC with the primary). The caller closes it after its socket server.
   */
  socketAdapter?(): { readonly adapter: Parameters<Server['adapter']>[0]; close(): Promise<void> };
  /** Posts a merchant alert to every open channel that has a merchant conversation; resolves with how many took it. */
  alertMerchant(text: string): Promise<number>;
}

/** A channel (the web gateway, REST, Teams, Slack, the agent console) as the app sees it once open. */
export interface AppChannel {
  /** Where escalations are posted when this channel is a support desk (Slack, Teams). */
  readonly desk?: SupportDesk;
  /** True for the conversations whose shopper this channel reaches (agent replies, handoff updates). */
  handles?(conversationId: string): boolean;
  deliver?(conversationId: string, message: PushMessage): Promise<void> | void;
  /** Posts a merchant alert (low stock) to this channel's merchant conversation; absent when none is configured. */
  alert?(text: string): Promise<void>;
  /**
   * Graceful shutdown, after the turn gate stopped admitting: resolves once every request this
   * channel has received is answered (a turn that reached the gate late is refused BUSY), so none
   * is cut off by the close that follows. Bounded by `timeoutMs`.
   */
  drain?(timeoutMs: number): Promise<void>;
  close(): Promise<void> | void;
}

/** Opens a channel on the app's services; the app closes it first, before any backend. */
export type ChannelPlugin = (ctx: ChannelContext) => Promise<AppChannel> | AppChannel;
