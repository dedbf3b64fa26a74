/**
 * The composition root: reads the config, opens backends in order, builds the stages, opens the
 * channels it is given, and returns the assistant. Only this module chooses engines (through each
 * stage's factory) and wires them; `close()` closes in reverse order of opening. The CLI commands
 * that need only part of the app (funnel report, catalog import, ranking retrain) get their
 * engines from the smaller factories at the end, so they read the same stores the server writes.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAdapter as createClusterAdapter } from '@socket.io/cluster-adapter';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import type { ClusterMember } from './cluster/index.js';
import { ingestFile, openCatalogStore, type CatalogFormat, type CatalogStore, type IngestOptions, type IngestSummary, type Product } from './catalog/index.js';
import { isDemoStore, type Config } from './config.js';
import { ShopbotError } from './errors.js';
import { createUpliftTrainer, forgetCouponHolder, loadCampaigns, openCouponStore, openCoupons, type UpliftTrainer } from './coupons/index.js';
import { openStateStore, SqliteStateStore } from './dialogue/index.js';
import { createFunnelLog, FunnelWriter, openFunnelStore, SqliteFunnelStore, type FunnelStore, type Logger } from './funnel/index.js';
import { HandoffService, loadHandoffFile, PostgresHandoffQueue, scheduleServiceLevelChecks, SqliteHandoffQueue, type HandoffQueue, type PushMessage } from './handoff/index.js';
import {
  createApiKeyVerifier,
  createConversationTokens,
  createOrderChecks,
  createSessions,
  deriveKey,
  parseApiKeys,
  resolveIdentitySecret,
  resolveSessionSecret,
  signIdentity,
} from './identity/index.js';
import { createRankingTrainer, openLearning, type RankingTrainer } from './learning/index.js';
import { createLimits, TurnAdmission } from './limits/index.js';
import { openMailTransport } from './mail/index.js';
import type { OutboundMessage } from './messages.js';
import { createMetrics } from './metrics/index.js';
import { openNlu, openTextEncoder, type TextEncoder } from './models/index.js';
import { loadPolicyChunks, openPolicyIndex } from './policies/index.js';
import { createPrivacy, scheduleSweeps, SWEEP_INTERVAL_MS } from './privacy/index.js';
import { createRanker, loadBids, type RankerDeps } from './ranking/index.js';
import { computeDemandReport, createLowStockCheck, experimentArms, experimentRanker, scheduleLowStockChecks, SqliteExperimentStore, type RankingVariantPolicy } from './insights/index.js';
import { parsePeriod } from './reports/index.js';
import { createLlmGenerator, createResponder, hostsOf, loadLlmPrompts, openChatModel, openVariantRanker } from './responses/index.js';
import { indexCatalog, openProductSearch, transformerRetrievalEncoder, type SyncOptions } from './retrieval/index.js';
import { openSqlite, type SqliteDb } from './storage/index.js';
import { DEMO_CUSTOMER, openDemoShop, openStoreConnector } from './store/index.js';
import { loadTemplates } from './templates/index.js';
import { createAnalyzer, createStemmer } from './text/index.js';
import type { AppChannel, AppServices, ChannelContext, ChannelPlugin } from './channel.js';
import { createLogger } from './log.js';
import { createTurnHandler, sequentialCommit, type CommitTurn, type HandleTurn, type TurnInfo } from './turn.js';

export type { AppChannel, AppServices, ChannelContext, ChannelPlugin, Readiness } from './channel.js';
export { createLogger, LOG_REDACT_PATHS } from './log.js';

/** The repository root, for files shipped with the product (prompts, models, demo data). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function resolveFromRoot(p: string): string {
  return path.isAbsolute(p) ? p : existsSync(path.resolve(p)) ? path.resolve(p) : path.join(REPO_ROOT, p);
}

export const DEMO_POLICIES_DIR = 'evals/data/demo-store/policies';

/** The longest a shutdown waits for turns in flight before closing anyway. */
const DRAIN_TIMEOUT_MS = 10_000;

/** The assistant, as the server, the CLI and the evals use it. */
export interface App extends AppServices {
  /** Closes the channels, then every backend, in reverse order of opening; a second call does nothing. */
  close(): Promise<void>;
}

export interface AppDeps {
  readonly log?: Logger & { child?: unknown };
  readonly now?: () => number;
  readonly newId?: () => string;
  /** Uniform [0, 1) source for exploration and coupon holdouts; seed it in tests. */
  readonly rng?: () => number;
  /** Told what each turn decided and did (conversation evals, tracing). */
  readonly onTurnEnd?: readonly ((info: TurnInfo) => void)[];
  /** Channels opened with the app, in order (the server's REST API and sockets, Teams, Slack, the console). */
  readonly channels?: readonly ChannelPlugin[];
  /** A worker of `serve --workers N`: shared limits, one learner (the leader), rooms across workers. */
  readonly cluster?: ClusterMember;
}

/** The embedded database of the data directory (`:memory:` for throwaway runs). */
function openDataDir(config: Config, log?: Logger): SqliteDb {
  return openSqlite(config.dataDir === ':memory:' ? ':memory:' : path.resolve(config.dataDir), undefined, log ? { log } : {});
}

async function loadProducts(catalog: CatalogStore): Promise<Product[]> {
  const out: Product[] = [];
  for await (const p of catalog.all()) out.push(p);
  return out;
}

/** Closers run in reverse order of opening; after a failure half-way, what was opened is closed. */
function closerStack(): { push(close: () => Promise<void> | void): void; closeAll(): Promise<void> } {
  const closers: (() => Promise<void> | void)[] = [];
  return {
    push: (close) => void closers.push(close),
    async closeAll() {
      while (closers.length) await closers.pop()!();
    },
  };
}

export async function openApp(config: Config, deps: AppDeps = {}): Promise<App> {
  const log = deps.log ?? createLogger(config);
  const now = deps.now ?? Date.now;
  const newId = deps.newId ?? (() => randomUUID().replace(/-/g, '').slice(0, 20));
  const closers = closerStack();
  // Bad key entries stop start-up before anything is opened.
  const apiKeys = createApiKeyVerifier(parseApiKeys(config.security.apiKeys));
  const metrics = createMetrics();
  try {
    const db = openDataDir(config, log);
    closers.push(() => {
      db.close();
    });

    const catalog = openCatalogStore(db);
    closers.push(() => catalog.close());
    if (config.catalog.demo && (await catalog.count()) === 0) {
      const file = resolveFromRoot(config.catalog.demoFile);
      log.info({ file }, 'empty catalog: importing the demo catalog');
      const summary = await ingestFile(file, 'esci', catalog);
      log.info({ inserted: summary.inserted, errors: summary.errors.length }, 'demo catalog imported');
    }
    const products = await loadProducts(catalog);

    // One encoder for the whole app: product retrieval, policy re-ranking and the response model share it.
    const modelsConfig = { ...config.models, dir: resolveFromRoot(config.models.dir) };
    let encoder: TextEncoder | undefined;
    if (existsSync(path.join(modelsConfig.dir, config.models.embedding, 'config.json'))) {
      try {
        const opened = await openTextEncoder(modelsConfig, log, { onBatch: (size) => metrics.modelBatch(config.models.embedding, size) });
        encoder = opened;
        closers.push(() => opened.close());
      } catch (err) {
        log.warn({ err }, 'embedding model unavailable: dense retrieval falls back to the hashing encoder, policies to BM25');
      }
    }
    // One stemmer (and its memo) for every analyzer: product search, the shopper vocabulary, policies.
    const stemmer = createStemmer();
    const search = await openProductSearch({ ...config, models: modelsConfig }, { db, catalog, products, log, now, stemmer, ...(encoder ? { encoder: transformerRetrievalEncoder(encoder, modelsConfig) } : {}) });
    closers.push(() => search.close());
    const { retriever } = search;

    const nlu = await openNlu({ models: modelsConfig, nlu: config.nlu }, log);
    closers.push(() => nlu.close());

    const redis = config.state.backend === 'redis' ? new Redis(config.state.redisUrl!, { maxRetriesPerRequest: 3 }) : undefined;
    if (redis) closers.push(async () => void (await redis.quit()));
    const limits = createLimits(config, redis ? { redis } : deps.cluster ? { primary: deps.cluster.primary } : {});
    // Among workers one process learns and runs the schedules; alone, this one does.
    const cluster = deps.cluster;
    const role = cluster ? (cluster.isLeader ? 'leader' : 'follower') : undefined;
    const runsSchedules = !cluster || cluster.isLeader;
    closers.push(() => limits.close());
    // The shop's PostgreSQL pool (storage.backend postgres): carts and orders, coupons and the
    // handoff desk, so a checkout's coupon redemption commits in the order's own transaction.
    const shopPool = config.storage.backend === 'postgres' ? new (await import('pg')).default.Pool({ connectionString: config.storage.postgresUrl!, max: 10 }) : undefined;
    if (shopPool) closers.push(() => shopPool.end());
    const funnelStore = await openFunnelStore(config, { db });
    closers.push(() => funnelStore.close());
    const rng = deps.rng ?? Math.random;
    const learning = openLearning({ db, funnel: funnelStore, config, clock: now, log, ...(role ? { role } : {}) });
    closers.push(() => learning.close());
    // Events logged since the last checkpoint (a crash, another process) are learned before serving.
    await learning.catchUp();
    const couponStore = await openCouponStore(config, { db, ...(shopPool ? { pool: shopPool } : {}) });
    closers.push(() => couponStore.close());
    const coupons = config.coupons.enabled ? openCoupons({ db, store: couponStore, config, clock: now, rng, log, ...(role ? { role } : {}) }) : undefined;
    closers.push(() => coupons?.close());
    if (coupons) for (const campaign of loadCampaigns(config, now())) await coupons.addCampaign(campaign);
    // The targeter's buffer and open decisions are in memory: refilled from the log a restart keeps.
    if (coupons) await coupons.catchUp(funnelStore);
    // The writer closes before the learners (closers run in reverse), so its last flush still reaches them.
    const funnelWriter = new FunnelWriter(funnelStore, { flushIntervalMs: config.funnel.flushIntervalMs, flushBatchSize: config.funnel.flushBatchSize, log });
    closers.push(() => funnelWriter.close());
    funnelWriter.onFlushed((events) => {
      learning.observe(events);
      coupons?.observe(events);
      if (role === 'follower') cluster!.forward(events);
    });
    if (role === 'leader') closers.push(cluster!.onForwarded((events) => (learning.observe(events), coupons?.observe(events))));
    const funnel = createFunnelLog(funnelStore, funnelWriter);

    const sessionSecret = resolveSessionSecret(config);
    const identitySecret = resolveIdentitySecret(config);
    const mail = openMailTransport(config, { now });
    closers.push(() => mail.close());

    const titles = new Map(products.map((p) => [p.id, p.title]));
    const carts = await openDemoShop(config, { db, ...(shopPool ? { pool: shopPool } : {}), options: { now, titleOf: (id) => titles.get(id) } });
    const store = openStoreConnector(config, { carts, now });
    // A fresh demo install gets three demo orders (see demoOrders in src/store/demo-rules.ts) to track, cancel and return.
    if (config.catalog.demo && config.store.backend === 'demo') await carts.seedDemoOrders();
    closers.push(() => store.close());
    const states = openStateStore(config, { db, ...(redis ? { redis } : {}) });
    closers.push(() => states.close());

    // The shipped demo policies stand in until the merchant points store.policiesDir at their own.
    const configured = resolveFromRoot(config.store.policiesDir);
    const policiesDir = existsSync(configured) ? configured : resolveFromRoot(DEMO_POLICIES_DIR);
    // Policy sections are re-ranked with the project's encoder when its model is there; BM25 alone otherwise.
    // Sources are links the shopper can open: absolute under server.publicUrl (Teams, Slack, e-mail), the served path otherwise.
    const policyLinkBase = config.server.publicUrl ? `${config.server.publicUrl.replace(/\/+$/, '')}/policies` : '/policies';
    const policies = await openPolicyIndex(existsSync(policiesDir) ? loadPolicyChunks(policiesDir) : [], { analyzer: createAnalyzer({ stemmer }), linkBase: policyLinkBase, ...(encoder ? { encoder } : {}) });
    if (policies.size === 0) log.warn({ policiesDir }, 'no policy documents found: policy questions will get "I don\'t know"');

    const templates = loadTemplates(path.join(REPO_ROOT, 'prompts'));
    const sessions = createSessions({
      tokens: createConversationTokens({ key: deriveKey(sessionSecret, 'conversation-token'), ttlMs: config.security.tokenTtlHours * 3_600_000, now }),
      states,
      ...(identitySecret ? { identitySecret } : {}),
      now,
    });
    const orderChecks = createOrderChecks({ store, limits, mail, templates, key: deriveKey(sessionSecret, 'order-code'), now });
    const handoffConfig = loadHandoffFile(config.handoff.file ? resolveFromRoot(config.handoff.file) : undefined);
    // The channels open last (they call the services below), but the handoff service reaches them:
    // support desks take escalations, and agent replies go out through whichever channel has the shopper.
    const channels: AppChannel[] = [];
    const desks = () => channels.flatMap((c) => (c.desk ? [c.desk] : []));
    // Tickets, notes and support threads live with the funnel log: in PostgreSQL when servers share it.
    let tickets: HandoffQueue = new SqliteHandoffQueue(db);
    if (shopPool) {
      const pgQueue = await PostgresHandoffQueue.open({ pool: shopPool });
      closers.push(() => pgQueue.end());
      tickets = pgQueue;
    }
    const handoff = new HandoffService({
      queue: tickets,
      states,
      store,
      funnel: funnelWriter,
      templates,
      config: handoffConfig,
      highValueCartCents: config.handoff.highValueCartCents,
      now,
      newId,
      desks,
      push: (conversationId, message) => deliver(channels, conversationId, message, log),
      hasAgents: () => !!config.agents.users || desks().length > 0,
      log,
    });
    if (config.handoff.serviceLevelCheckMs > 0 && runsSchedules) {
      const checks = scheduleServiceLevelChecks(() => handoff.checkServiceLevels(), config.handoff.serviceLevelCheckMs, log);
      closers.push(() => checks.stop());
    }
    const privacy = createPrivacy({
      stores: { states, funnel: funnelStore, tickets, shop: carts, coupons: { forgetUser: (userId, replacementId) => forgetCouponHolder(couponStore, userId, replacementId) }, flushFunnel: () => funnelWriter.flush() },
      retentionDays: config.privacy.retentionDays,
      now,
    });
    if (config.privacy.retentionDays > 0 && runsSchedules) {
      const swept = await privacy.sweep();
      log.info({ ...swept }, 'retention sweep at start');
      // Pushed after every store it uses, so it stops (and waits for a sweep in flight) before they close.
      const sweeps = scheduleSweeps(privacy, { intervalMs: SWEEP_INTERVAL_MS, log });
      closers.push(() => sweeps.stop());
    }
    const chatModel = openChatModel(config.llm);
    const responder = createResponder({
      templates,
      ownHosts: hostsOf([config.server.publicUrl, config.store.baseUrl]),
      contact: config.store.contact,
      ...(encoder ? { ranker: await openVariantRanker(encoder, templates) } : {}),
      ...(chatModel ? { generator: createLlmGenerator({ model: chatModel, prompts: loadLlmPrompts(path.join(REPO_ROOT, 'prompts')), timeoutMs: config.llm.timeoutMs }) } : {}),
      onEvent: (e) => log.warn({ event: e.type, source: e.source, violations: e.violations, error: e.error }, 'reply failed the grounding check'),
    });
    // The running ranking experiment (if any) ranks each shopper's slates with their variant's policy;
    // the running coupon and reply experiments decide offers and word replies by variant.
    const experiments = new SqliteExperimentStore(db);
    const rankerDeps: RankerDeps = { models: learning.models, isWarm: () => learning.stats().impressions >= config.ranking.minTrainedImpressions, ranking: config.ranking, rng, now, bids: loadBids(config.ranking.bidsFile ? resolveFromRoot(config.ranking.bidsFile) : undefined) };
    // Embedded engines (one SQLite file): a turn's state, transcript and events in one transaction,
    // the funnel writer's group commit. Otherwise each engine commits its own part, in that order.
    const commitTurn: CommitTurn =
      states instanceof SqliteStateStore && funnelStore instanceof SqliteFunnelStore
        ? (w) => funnelWriter.commitWith(w.events, states.turnWrite(w.conversationId, w.state, w.nowMs, w.transcript))
        : sequentialCommit(states, funnelWriter);
    const pipeline = createTurnHandler({
      nlu,
      catalog,
      retriever,
      ranker: experimentRanker(createRanker(rankerDeps), experiments, (variant) => createRanker(variantRankerDeps(rankerDeps, variant))),
      store,
      orderChecks,
      policies,
      states,
      funnel: funnelWriter,
      commitTurn,
      templates,
      handoff,
      responder,
      ...(coupons ? { coupons } : {}),
      experiments: experimentArms(experiments),
      ...(deps.onTurnEnd ? { onTurnEnd: deps.onTurnEnd } : {}),
      observeStage: (stage, ms) => metrics.turnStage(stage, ms),
      now,
      newId,
      clarifyBelow: config.nlu.clarifyBelow,
      slateSize: config.ranking.slateSize,
      candidates: config.retrieval.candidates,
      maxMessageChars: config.server.maxMessageChars,
    });

    // Every channel's turns pass one admission gate: bounded concurrency and queue, BUSY beyond them.
    const admission = new TurnAdmission({ maxConcurrent: config.limits.maxConcurrentTurns, maxQueued: config.limits.maxQueuedTurns, maxWaitMs: config.limits.maxTurnQueueMs, retryAfterMs: 1000 });
    const handleTurn: HandleTurn = async (msg, options) => {
      const t0 = performance.now();
      try {
        const out = await admission.run(() => pipeline(msg, options));
        metrics.turn(msg.channel, performance.now() - t0);
        return out;
      } catch (err) {
        metrics.turn(msg.channel, performance.now() - t0, err instanceof ShopbotError ? err.code : 'INTERNAL');
        throw err;
      }
    };
    metrics.gauge('turns_running', 'Turns running now in this process', () => admission.running);
    metrics.gauge('turns_queued', 'Turns waiting for an admission slot', () => admission.queued);
    metrics.gauge('funnel_pending_events', 'Funnel events queued and not yet stored', () => funnelWriter.pending);
    metrics.gauge('retrieval_degraded', '1 while the vector index is unreachable and turns answer from BM25 alone', () => (search.denseHealth() === 'degraded' ? 1 : 0));

    const services: Omit<App, 'close'> = {
      config,
      log,
      handleTurn,
      async history(conversationId) {
        const rows = await states.transcript(conversationId);
        return rows.map((r) => ({ role: r.role, text: r.text, ts: r.ts, ...(r.role === 'bot' && r.payload ? { reply: r.payload as OutboundMessage } : {}) }));
      },
      readiness() {
        // A degraded vector index (Qdrant unreachable) keeps the server ready: turns answer from BM25.
        const dense = search.denseHealth();
        return {
          ready: true,
          checks: {
            database: 'ok',
            catalog: products.length > 0 ? 'ok' : 'degraded',
            nlu: 'ok',
            retrieval: dense === 'degraded' ? 'degraded' : 'ok',
            funnel: funnelWriter.failedFlushes > 0 && funnelWriter.pending > 0 ? 'degraded' : 'ok',
          },
        };
      },
      sessions,
      apiKeys,
      limits,
      metrics,
      privacy,
      handoff,
      funnel,
      catalog: { get: (id) => catalog.get(id), getMany: (ids) => catalog.getMany(ids), count: () => catalog.count() },
      states,
      store,
      experiments,
      ...(coupons ? { coupons } : {}),
    };
    // Merchant alerts reach every open channel with a merchant conversation (Slack, Teams); a failure of one does not stop the other.
    const alertMerchant = async (text: string): Promise<number> => {
      const senders = channels.flatMap((c) => (c.alert ? [c.alert.bind(c)] : []));
      const sent = await Promise.allSettled(senders.map((send) => send(text)));
      const failed = sent.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed.length && failed.length === sent.length) throw new ShopbotError('CHANNEL_SEND_FAILED', 'no merchant channel took the alert', { cause: failed[0]!.reason });
      for (const f of failed) log.error({ err: f.reason }, 'a merchant channel refused the alert');
      return sent.length - failed.length;
    };
    const context: ChannelContext = {
      ...services,
      handoffConfig,
      alertMerchant,
      demoIdentity() {
        // The demo page stands in for a store whose visitor is logged in as the demo customer.
        if (!isDemoStore(config) || !identitySecret) return undefined;
        return signIdentity(identitySecret, DEMO_CUSTOMER, Math.floor(now() / 1000) + 24 * 3600);
      },
      ...(redis
        ? {
            socketAdapter() {
              const [pub, sub] = [redis.duplicate(), redis.duplicate()];
              return { adapter: createAdapter(pub, sub), close: async () => void (await Promise.all([pub.quit(), sub.quit()])) };
            },
          }
        : cluster
          ? { socketAdapter: () => ({ adapter: createClusterAdapter(), close: async () => undefined }) }
          : {}),
    };
    for (const open of deps.channels ?? []) {
      const channel = await open(context);
      channels.push(channel);
      closers.push(() => channel.close());
    }

    if (config.insights.lowStockCheckMs > 0 && runsSchedules) {
      const check = createLowStockCheck({
        report: () => {
          const period = parsePeriod('quarter', now());
          return computeDemandReport(funnelStore, catalog, { fromTs: period.fromTs, toTs: period.toTs, lowStockDays: config.insights.lowStockDays });
        },
        send: alertMerchant,
      });
      // Pushed after the channels, so it stops (and waits for a check in flight) before they close.
      const checks = scheduleLowStockChecks(check, { intervalMs: config.insights.lowStockCheckMs, log });
      closers.push(() => checks.stop());
    }

    let closed: Promise<void> | undefined;
    // Graceful: turns in flight (and queued) are answered and committed before the channels close.
    const close = async () => {
      await admission.drain(DRAIN_TIMEOUT_MS);
      await Promise.all(channels.map((c) => c.drain?.(DRAIN_TIMEOUT_MS)));
      await closers.closeAll();
    };
    return { ...services, close: () => (closed ??= close()) };
  } catch (err) {
    await closers.closeAll();
    throw err;
  }
}

/** A ranking variant's ranker: the configured policy with the variant's changes (relevance alone: the models are not used). */
function variantRankerDeps(base: RankerDeps, variant: RankingVariantPolicy): RankerDeps {
  const ranking = { ...base.ranking, ...(variant.explorationRate !== undefined ? { explorationRate: variant.explorationRate } : {}), ...(variant.maxPerBrand !== undefined ? { maxPerBrand: variant.maxPerBrand } : {}) };
  return { ...base, ranking, ...(variant.relevanceOnly ? { isWarm: () => false } : {}) };
}

/** `shopbot experiments`: the experiments table of the data dir. */
export function openExperiments(config: Config): { readonly experiments: SqliteExperimentStore; close(): void } {
  const db = openDataDir(config);
  return { experiments: new SqliteExperimentStore(db), close: () => db.close() };
}

/** An agent's or the bot's message to a shopper, through the first channel that reaches them. */
function deliver(channels: readonly AppChannel[], conversationId: string, message: PushMessage, log: Logger): void {
  const channel = channels.find((c) => c.deliver && c.handles?.(conversationId));
  if (!channel) return;
  const failed = (err: unknown) => log.error({ err, conversationId }, 'could not deliver an agent reply');
  try {
    // The widget's push is synchronous; Teams and Slack send in the background.
    void channel.deliver!(conversationId, message)?.catch(failed);
  } catch (err) {
    failed(err);
  }
}

/** The data dir's database and the funnel log the config names (SQLite there, or PostgreSQL), closed together. */
async function openFunnelOfDataDir(config: Config): Promise<{ readonly db: SqliteDb; readonly funnel: FunnelStore; close(): Promise<void> }> {
  const db = openDataDir(config);
  try {
    const funnel = await openFunnelStore(config, { db });
    return {
      db,
      funnel,
      async close() {
        await funnel.close();
        db.close();
      },
    };
  } catch (err) {
    db.close();
    throw err;
  }
}

/** `shopbot funnel`: the funnel log the config names (SQLite in the data dir, or PostgreSQL). */
export async function openFunnelReport(config: Config): Promise<{ readonly funnel: Pick<FunnelStore, 'stages' | 'query' | 'count'>; close(): Promise<void> }> {
  return openFunnelOfDataDir(config);
}

/** `shopbot ingest`: the catalog of the data dir, and its vector index brought up to date with the configured engine. */
export async function openCatalogImport(
  config: Config,
  log: Logger,
): Promise<{
  ingest(file: string, format: CatalogFormat, options?: IngestOptions): Promise<IngestSummary>;
  count(): Promise<number>;
  index(options?: SyncOptions): ReturnType<typeof indexCatalog>;
  close(): Promise<void>;
}> {
  const db = openDataDir(config);
  const catalog = openCatalogStore(db);
  const modelsConfig = { ...config.models, dir: resolveFromRoot(config.models.dir) };
  return {
    ingest: (file, format, options) => ingestFile(file, format, catalog, options),
    count: () => catalog.count(),
    index: (options) => indexCatalog({ ...config, models: modelsConfig }, { db, catalog, log }, options),
    async close() {
      await catalog.close();
      db.close();
    },
  };
}

/** `shopbot train uplift`: the coupon targeter's checkpoint in the data dir, decisions from the funnel log the config names. */
export async function openUpliftTraining(config: Config, now: () => number = Date.now): Promise<UpliftTrainer & { close(): Promise<void> }> {
  const { db, funnel, close } = await openFunnelOfDataDir(config);
  return { ...createUpliftTrainer({ db, funnel, config, now }), close };
}

/** `shopbot train ranking`: checkpoints in the data dir, events from the funnel log the config names. */
export async function openRankingTraining(config: Config, now: () => number = Date.now): Promise<RankingTrainer & { close(): Promise<void> }> {
  const { db, funnel, close } = await openFunnelOfDataDir(config);
  return { ...createRankingTrainer({ db, funnel, config, now }), close };
}
