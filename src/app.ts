/**
 * The composition root: reads the config, opens backends in order, builds the stages, and returns
 * the assistant. Only this module chooses engines and calls `new`; `close()` closes in reverse order.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { ingestFile, openCatalogStore, type CatalogStore, type Product } from './catalog/index.js';
import { isDemoStore, type Config } from './config.js';
import { Redis } from 'ioredis';
import { SqliteStateStore, RedisStateStore, type StateStore } from './dialogue/index.js';
import { PostgresFunnelStore, SqliteFunnelStore, FunnelWriter, type FunnelStore, type Logger } from './funnel/index.js';
import type { InboundMessage, OutboundMessage } from './messages.js';
import { openLinearNlu, type Nlu } from './nlu/index.js';
import { openPolicyIndex, loadPolicyChunks } from './policies/index.js';
import { openTextEncoder, type TextEncoder } from './models/index.js';
import { loadTemplates } from './templates/index.js';
import { createRanker, loadBids } from './ranking/index.js';
import { openLearning, type Learning } from './learning/index.js';
import { forgetCouponHolder, openCoupons, loadCampaigns, type Coupons } from './coupons/index.js';
import { createPrivacy, scheduleSweeps, SWEEP_INTERVAL_MS, type Privacy } from './privacy/index.js';
import { createLexicalIndex, createHybridRetriever, createProductRetriever, createShopperVocabulary, openRetrieval, transformerRetrievalEncoder } from './retrieval/index.js';
import { openSqlite, type SqliteDb } from './storage/index.js';
import { createLimits, type Limits } from './limits/index.js';
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
  type ApiKeyVerifier,
  type KeyPurpose,
  type Sessions,
  type SignedIdentity,
} from './identity/index.js';
import { openMailTransport } from './mail/index.js';
import { DEMO_CUSTOMER, DemoStore, ShopifyStore, type StoreConnector } from './store/index.js';
import { ShopbotError } from './errors.js';
import { createTurnHandler, type TurnInfo } from './turn.js';
import { HandoffService, SqliteHandoffQueue, loadHandoffFile, type HandoffFile, type SupportDesk } from './handoff/index.js';
import { createResponder, hostsOf, openVariantRanker, createLlmGenerator, loadLlmPrompts, openChatModel } from './responses/index.js';
import type { TranscriptEntry } from '../channels/web/index.js';

/** The repository root, for files shipped with the product (prompts, models, demo data). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function resolveFromRoot(p: string): string {
  return path.isAbsolute(p) ? p : existsSync(path.resolve(p)) ? path.resolve(p) : path.join(REPO_ROOT, p);
}

export const DEMO_POLICIES_DIR = 'evals/data/demo-store/policies';

/** The store backend named by `store.backend`; carts stay embedded for every backend. */
function openStoreConnector(config: Config, carts: DemoStore, now: () => number): StoreConnector {
  switch (config.store.backend) {
    case 'demo':
      return carts;
    case 'shopify':
      if (!config.store.baseUrl || !config.store.accessToken) {
        throw new ShopbotError('CONFIG_INVALID', 'store.baseUrl (SHOPBOT_STORE_URL) and store.accessToken (SHOPBOT_STORE_TOKEN) are required for the shopify store');
      }
      return new ShopifyStore({ baseUrl: config.store.baseUrl, accessToken: config.store.accessToken, carts, now });
    case 'woocommerce':
      throw new ShopbotError('CONFIG_INVALID', 'store.backend woocommerce is not implemented yet: use demo or shopify');
  }
}

export interface AppDeps {
  readonly log?: Logger & { child?: unknown };
  readonly now?: () => number;
  readonly newId?: () => string;
  /** Uniform [0, 1) source for exploration and coupon holdouts; seed it in tests. */
  readonly rng?: () => number;
  /** Slack/Teams support channels that receive escalations (more can be added with handoff.addDesk). */
  readonly desks?: readonly SupportDesk[];
  /** Told what each turn decided and did (conversation evals, tracing). */
  readonly onTurnEnd?: readonly ((info: TurnInfo) => void)[];
}

export interface Readiness {
  readonly ready: boolean;
  readonly checks: Readonly<Record<string, 'ok' | 'degraded' | 'down'>>;
}

export interface App {
  readonly config: Config;
  readonly log: Logger;
  handleTurn(msg: InboundMessage, options?: { signal?: AbortSignal }): Promise<OutboundMessage>;
  history(conversationId: string): Promise<TranscriptEntry[]>;
  /** Widget and REST conversations: created by the server, reached only with their token. */
  readonly sessions: Sessions;
  /** The store backend's API keys (SHOPBOT_API_KEYS). */
  readonly apiKeys: ApiKeyVerifier;
  /** A key derived from the session secret for one purpose (agent sessions use 'agent-session'). */
  sessionKey(purpose: KeyPurpose): Buffer;
  /** The demo store page's signed identity for its demo customer; undefined outside the demo store. */
  demoIdentity(): SignedIdentity | undefined;
  readonly funnel: FunnelStore;
  readonly funnelWriter: FunnelWriter;
  /** CTR/CVR models trained online from the funnel log. */
  readonly learning: Learning;
  readonly coupons?: Coupons;
  readonly catalog: CatalogStore;
  readonly store: StoreConnector;
  readonly states: StateStore;
  readonly db: SqliteDb;
  /** Escalations, the queue and agent actions (console, Slack/Teams desks). */
  readonly handoff: HandoffService;
  readonly handoffConfig: HandoffFile;
  /** Set when conversation state lives in Redis; the server shares sockets through it too. */
  readonly redis?: Redis;
  /** Abuse limits (rate rules, socket caps), shared through Redis when it is configured. */
  readonly limits: Limits;
  /** Retention sweep (also run at start and hourly) and forgetting one shopper (`shopbot forget`, DELETE /v1/users/:id). */
  readonly privacy: Privacy;
  readiness(): Readiness;
  close(): Promise<void>;
}

/**
 * Log keys that can carry shopper text, contact details or credentials. Code logs ids and counts,
 * not messages; this is the net for an object logged whole (a request, an error's context).
 */
export const LOG_REDACT_PATHS = [
  ...['text', 'email', 'phone', 'password', 'token', 'accessToken', 'secret', 'query', 'lastMessage', 'authorization', 'cookie'].flatMap((k) => [k, `*.${k}`]),
  ...['req.headers', 'request.headers', 'headers', 'res.headers'].flatMap((h) => [`${h}.authorization`, `${h}.cookie`, `${h}["set-cookie"]`, `${h}["x-api-key"]`]),
  'violations[*].text',
];

export function createLogger(config: Config, destination?: pino.DestinationStream): Logger {
  const options = { level: config.logLevel, base: undefined, redact: { paths: LOG_REDACT_PATHS } };
  return destination ? pino(options, destination) : pino(options);
}

async function loadProducts(catalog: CatalogStore): Promise<Product[]> {
  const out: Product[] = [];
  for await (const p of catalog.all()) out.push(p);
  return out;
}

export async function openApp(config: Config, deps: AppDeps = {}): Promise<App> {
  const log = deps.log ?? createLogger(config);
  const now = deps.now ?? Date.now;
  const newId = deps.newId ?? (() => randomUUID().replace(/-/g, '').slice(0, 20));
  const closers: (() => Promise<void> | void)[] = [];
  // Bad key entries stop start-up before anything is opened.
  const apiKeys = createApiKeyVerifier(parseApiKeys(config.security.apiKeys));
  try {
    const db = openSqlite(config.dataDir === ':memory:' ? ':memory:' : path.resolve(config.dataDir));
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
    const lexical = createLexicalIndex();
    lexical.upsert(products);
    const vocabulary = createShopperVocabulary(products);

    // One encoder for the whole app: product retrieval, policy re-ranking and the response model share it.
    const modelsConfig = { ...config.models, dir: resolveFromRoot(config.models.dir) };
    let encoder: TextEncoder | undefined;
    if (existsSync(path.join(modelsConfig.dir, config.models.embedding, 'config.json'))) {
      try {
        const opened = await openTextEncoder(modelsConfig, log);
        encoder = opened;
        closers.push(() => opened.close());
      } catch (err) {
        log.warn({ err }, 'embedding model unavailable: dense retrieval falls back to the hashing encoder, policies to BM25');
      }
    }
    // Hybrid retrieval (BM25 + vectors) unless configured lexical-only; the vector index is brought up to
    // date with the catalog before serving (unchanged products are cached by content hash, so this is quick
    // after the first start).
    const retrieval =
      config.retrieval.mode === 'lexical'
        ? undefined
        : await openRetrieval({ ...config, models: modelsConfig }, { db, catalog, lexical, log, now, ...(encoder ? { encoder: transformerRetrievalEncoder(encoder, modelsConfig) } : {}) });
    closers.push(() => retrieval?.close());
    // Lexical-only apps search through the same retriever (its soft filters, its result shape).
    const productSearch = retrieval?.retriever ?? createHybridRetriever({ lexical, mode: 'lexical' });
    if (retrieval) {
      const synced = await retrieval.sync();
      log.info({ ...synced, encoder: retrieval.encoder.modelId }, 'vector index up to date');
    }
    const retriever = createProductRetriever({ retriever: productSearch, vocabulary });

    const nlu: Nlu = await openLinearNlu(path.join(resolveFromRoot(config.models.dir), 'intent-linear'));
    closers.push(() => nlu.close());

    let redis: Redis | undefined;
    if (config.state.backend === 'redis') {
      const client = new Redis(config.state.redisUrl!, { maxRetriesPerRequest: 3 });
      redis = client;
      closers.push(async () => {
        await client.quit();
      });
    }
    const limits = createLimits(config, redis ? { redis } : {});
    closers.push(() => limits.close());
    const funnel: FunnelStore = config.storage.backend === 'postgres' ? await PostgresFunnelStore.open({ url: config.storage.postgresUrl! }) : new SqliteFunnelStore(db);
    closers.push(() => funnel.close());
    const rng = deps.rng ?? Math.random;
    const learning = openLearning({ db, funnel, config, clock: now, log });
    closers.push(() => learning.close());
    // Events logged since the last checkpoint (a crash, another process) are learned before serving.
    await learning.catchUp();
    const coupons = config.coupons.enabled ? openCoupons({ db, config, clock: now, rng, log }) : undefined;
    closers.push(() => coupons?.close());
    if (coupons) for (const campaign of loadCampaigns(config, now())) coupons.addCampaign(campaign);
    // The writer closes before the learners (closers run in reverse), so its last flush still reaches them.
    const funnelWriter = new FunnelWriter(funnel, { flushIntervalMs: config.funnel.flushIntervalMs, flushBatchSize: config.funnel.flushBatchSize, log });
    closers.push(() => funnelWriter.close());
    funnelWriter.onFlushed((events) => {
      learning.observe(events);
      coupons?.observe(events);
    });

    const sessionSecret = resolveSessionSecret(config);
    const identitySecret = resolveIdentitySecret(config);
    const mail = openMailTransport(config, { now });
    closers.push(() => mail.close());

    const titles = new Map(products.map((p) => [p.id, p.title]));
    const carts = new DemoStore(db, { now, titleOf: (id) => titles.get(id) });
    const store = openStoreConnector(config, carts, now);
    // A fresh demo install gets three demo orders (see DemoStore.seedDemoOrders) to track, cancel and return.
    if (config.catalog.demo && config.store.backend === 'demo') carts.seedDemoOrders();
    closers.push(() => store.close());
    const retentionDays = config.privacy.retentionDays;
    // Redis expires idle conversations itself; the sweep only clears its activity index then.
    const states: StateStore = redis ? new RedisStateStore(redis, { prefix: config.state.redisKeyPrefix, ...(retentionDays > 0 ? { ttlSec: retentionDays * 86_400 } : {}) }) : new SqliteStateStore(db);
    closers.push(() => states.close());

    // The shipped demo policies stand in until the merchant points store.policiesDir at their own.
    const configured = resolveFromRoot(config.store.policiesDir);
    const policiesDir = existsSync(configured) ? configured : resolveFromRoot(DEMO_POLICIES_DIR);
    // Policy sections are re-ranked with the project's encoder when its model is there; BM25 alone otherwise.
    const policyEncoder = encoder;
    const policies = await openPolicyIndex(existsSync(policiesDir) ? loadPolicyChunks(policiesDir) : [], policyEncoder ? { encoder: policyEncoder } : {});
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
    const desks: SupportDesk[] = [...(deps.desks ?? [])];
    const tickets = new SqliteHandoffQueue(db);
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
      hasAgents: () => !!config.agents.users || desks.length > 0,
      log,
    });
    const privacy = createPrivacy({
      stores: { states, funnel, tickets, shop: carts, coupons: { forgetUser: (userId, replacementId) => forgetCouponHolder(db, userId, replacementId) }, flushFunnel: () => funnelWriter.flush() },
      retentionDays,
      now,
    });
    if (retentionDays > 0) {
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
      ...(policyEncoder ? { ranker: await openVariantRanker(policyEncoder, templates) } : {}),
      ...(chatModel ? { generator: createLlmGenerator({ model: chatModel, prompts: loadLlmPrompts(path.join(REPO_ROOT, 'prompts')), timeoutMs: config.llm.timeoutMs }) } : {}),
      onEvent: (e) => log.warn({ event: e.type, source: e.source, violations: e.violations, error: e.error }, 'reply failed the grounding check'),
    });
    const handleTurn = createTurnHandler({
      nlu,
      catalog,
      retriever,
      ranker: createRanker({ models: learning.models, isWarm: () => learning.stats().impressions >= config.ranking.minTrainedImpressions, ranking: config.ranking, rng, now, bids: loadBids(config.ranking.bidsFile ? resolveFromRoot(config.ranking.bidsFile) : undefined) }),
      store,
      orderChecks,
      policies,
      states,
      funnel: funnelWriter,
      templates,
      handoff,
      responder,
      ...(coupons ? { coupons } : {}),
      ...(deps.onTurnEnd ? { onTurnEnd: deps.onTurnEnd } : {}),
      now,
      newId,
      clarifyBelow: config.nlu.clarifyBelow,
      slateSize: config.ranking.slateSize,
      candidates: config.retrieval.candidates,
      maxMessageChars: config.server.maxMessageChars,
    });

    return {
      config,
      log,
      handleTurn,
      funnel,
      funnelWriter,
      learning,
      ...(coupons ? { coupons } : {}),
      catalog,
      store,
      states,
      db,
      handoff,
      handoffConfig,
      ...(redis ? { redis } : {}),
      limits,
      privacy,
      async history(conversationId) {
        const rows = await states.transcript(conversationId);
        return rows.map((r) => ({ role: r.role, text: r.text, ts: r.ts, ...(r.role === 'bot' && r.payload ? { reply: r.payload as OutboundMessage } : {}) }));
      },
      sessions,
      apiKeys,
      sessionKey: (purpose) => deriveKey(sessionSecret, purpose),
      demoIdentity() {
        // The demo page stands in for a store whose visitor is logged in as the demo customer.
        if (!isDemoStore(config) || !identitySecret) return undefined;
        return signIdentity(identitySecret, DEMO_CUSTOMER, Math.floor(now() / 1000) + 24 * 3600);
      },
      readiness() {
        // A degraded vector index (Qdrant unreachable) keeps the server ready: turns answer from BM25.
        const dense = retrieval ? retrieval.retriever.health().dense : 'off';
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
      async close() {
        for (const close of closers.reverse()) await close();
      },
    };
  } catch (err) {
    for (const close of closers.reverse()) await close();
    throw err;
  }
}
