/**
 * All configuration, typed once with zod. This is the only module that reads process.env
 * (callers pass `env` in, so tests never touch the real environment).
 *
 * Sources, later ones winning: schema defaults < JSON file (SHOPBOT_CONFIG or --config) < environment.
 * An invalid value stops start-up with a message naming the setting and its environment variable.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ShopbotError } from './errors.js';

const bool = z.union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no'])]).transform((v) =>
  typeof v === 'boolean' ? v : v === 'true' || v === '1' || v === 'yes',
);
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const num = (min: number, max: number) => z.coerce.number().min(min).max(max);
const optionalString = z.string().min(1).optional();
/** Host names or `*.suffix` patterns (no scheme, port or path): comma-separated in the environment, an array in the file. */
const hostList = z
  .union([z.string().transform((s) => s.split(',').map((h) => h.trim()).filter(Boolean)), z.array(z.string())])
  .pipe(z.array(z.string().regex(/^(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*$|^\[[0-9a-f:]+\]$/i, 'expected a host name or *.suffix, without scheme, port or path')).max(100))
  .default([]);

export const StoreContactSchema = z.object({
  email: z.email().max(320).optional(),
  /** Digits with the usual separators, an optional leading +: what a shopper dials. */
  phone: z.string().regex(/^\+?\d[\d\s().-]{4,28}\d$/, 'expected a phone number (digits, spaces, ( ) . -, an optional leading +)').optional(),
  /** Opening hours as the store writes them ("Mon–Fri 9:00–17:00 CET"). */
  hours: z.string().min(1).max(200).regex(/^[^<>\n]*$/, 'one line, no markup').optional(),
  url: z.url({ protocol: /^https?$/ }).max(2000).optional(),
});
export type StoreContact = z.infer<typeof StoreContactSchema>;

/** The demo store's made-up contact details (an example.com address, a 555-01xx number), so the demo shows what a shopper gets. */
export const DEMO_CONTACT: StoreContact = { email: 'support@shop.example.com', phone: '+1 555 0100', hours: 'Mon–Fri 9:00–17:00' };

export const ConfigSchema = z.object({
  /** Where SQLite files, the vector index and model checkpoints live. */
  dataDir: z.string().min(1).default('var'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  server: z
    .object({
      host: z.string().min(1).default('127.0.0.1'),
      port: int(0, 65535).default(3000),
      /** Public base URL, used in links sent to Teams/Slack and in policy-source links. */
      publicUrl: z.url().optional(),
      maxMessageChars: int(1, 100_000).default(2000),
    })
    .prefault({}),
  security: z
    .object({
      /**
       * HMAC key for conversation tokens and agent-console sessions. Required outside the demo store;
       * the demo keeps a random one in the data directory so tokens survive a restart.
       */
      sessionSecret: z.string().min(32, 'use at least 32 characters (e.g. `openssl rand -hex 32`)').optional(),
      /** Key the store signs logged-in customers with (HMAC-SHA256 or an HS256 JWT); unset: every shopper is a guest. */
      identitySecret: z.string().min(32, 'use at least 32 characters (e.g. `openssl rand -hex 32`)').optional(),
      /** Merchant-backend API keys: "name:scope+scope:sha256-hex-of-key" entries, comma-separated (see `shopbot apikey`). */
      apiKeys: optionalString,
      /** How long a conversation token is valid; a resumed conversation gets a fresh one. */
      tokenTtlHours: int(1, 24 * 365).default(24 * 7),
      /** Origins allowed to call the REST API and open widget sockets, comma-separated; default: the server's own origin. */
      allowedOrigins: optionalString,
      /** CSP frame-ancestors of our HTML pages (the store's domain, to frame the console or demo page there). */
      frameAncestors: z.string().min(1).max(1000).default("'self'"),
      /** Trust X-Forwarded-For from this many proxies in front of the server (0: use the socket address). */
      trustProxyHops: int(0, 10).default(0),
      /** Bearer token for GET /metrics (Prometheus scrapes send it); unset: /metrics is off (404). */
      metricsToken: z.string().min(16, 'use at least 16 characters').optional(),
    })
    .prefault({}),
  /** Abuse limits. Counted in Redis when state.redisUrl is set (so they hold across processes), else in memory. */
  limits: z
    .object({
      restTurnsPerMinutePerIp: int(1, 1_000_000).default(120),
      turnsPerMinutePerConversation: int(1, 100_000).default(30),
      conversationsPerHourPerIp: int(1, 1_000_000).default(120),
      socketConnectionsPerMinutePerIp: int(1, 1_000_000).default(60),
      socketMessagesPerMinutePerIp: int(1, 1_000_000).default(240),
      maxSocketsPerIp: int(1, 1_000_000).default(50),
      maxSockets: int(1, 10_000_000).default(10_000),
      loginsPerMinutePerIp: int(1, 10_000).default(10),
      /** Failed logins before an agent account is locked for lockoutMinutes. */
      loginFailuresBeforeLockout: int(1, 1000).default(5),
      lockoutMinutes: int(1, 24 * 60).default(15),
      /** Guest order look-ups (order number + e-mail) and one-time codes tried, per conversation and per order. */
      orderChecksPerHourPerConversation: int(1, 10_000).default(5),
      orderChecksPerHourPerOrder: int(1, 10_000).default(10),
      /**
       * Admission control (src/limits/admission.ts): turns running at once per process, turns waiting
       * for a slot, and the longest a turn may wait; beyond either cap a turn is refused with BUSY.
       */
      maxConcurrentTurns: int(1, 10_000).default(8),
      maxQueuedTurns: int(0, 1_000_000).default(256),
      maxTurnQueueMs: int(1, 600_000).default(2000),
    })
    .prefault({}),
  /** One-time codes to a guest's order e-mail: SMTP in production, the data directory's outbox in the demo. */
  mail: z
    .object({
      transport: z.enum(['outbox', 'smtp']).default('outbox'),
      /** smtp(s)://user:pass@host:port */
      smtpUrl: optionalString,
      from: z.string().min(3).max(320).default('Shop assistant <no-reply@shop.example>'),
    })
    .prefault({}),
  catalog: z
    .object({
      /** Load the bundled ESCI demo catalog on first start when the catalog is empty. */
      demo: bool.default(true),
      demoFile: z.string().min(1).default('evals/data/esci/ubi_ecommerce_products.json.gz'),
    })
    .prefault({}),
  storage: z
    .object({
      /** Funnel events, conversations and carts: embedded SQLite or PostgreSQL. */
      backend: z.enum(['sqlite', 'postgres']).default('sqlite'),
      postgresUrl: optionalString,
    })
    .prefault({}),
  state: z
    .object({
      /** Conversation state: embedded SQLite or Redis (shared between server processes). */
      backend: z.enum(['sqlite', 'redis']).default('sqlite'),
      redisUrl: optionalString,
      /** Prefix of every Redis key (state, limits, socket counts): lets several deployments share one Redis. */
      redisKeyPrefix: z.string().regex(/^[A-Za-z0-9_.-]{1,60}$/).default('shopbot'),
    })
    .prefault({}),
  retrieval: z
    .object({
      backend: z.enum(['embedded', 'qdrant']).default('embedded'),
      /** Which retrievers answer a turn. */
      mode: z.enum(['hybrid', 'lexical', 'dense']).default('hybrid'),
      qdrantUrl: optionalString,
      qdrantApiKey: optionalString,
      qdrantCollection: z.string().min(1).default('shopbot_products'),
      /** Above this many products the embedded index switches from exact search to HNSW. */
      annThreshold: int(1, 100_000_000).default(20_000),
      /** HNSW candidate list at query time: higher finds more true neighbours, slower (no rebuild needed); default DEFAULT_HNSW.efSearch. */
      hnswEfSearch: int(10, 10_000).optional(),
      candidates: int(1, 1000).default(100),
    })
    .prefault({}),
  models: z
    .object({
      dir: z.string().min(1).default('models'),
      device: z.enum(['cpu', 'cuda']).default('cpu'),
      intent: z.string().min(1).default('intent'),
      embedding: z.string().min(1).default('embedding'),
      /** The joint intent + span model (the default NLU engine). */
      nlu: z.string().min(1).default('nlu'),
      quantized: bool.default(true),
      maxBatchSize: int(1, 1024).default(32),
      // 0: adaptive batching (no wait when idle; see src/models/batcher.ts).
      maxBatchWaitMs: num(0, 1000).default(0),
      // One intra-op thread: the models are 2-layer, 128-wide and see ~10 tokens, too little work to
      // split, and a second ORT thread spin-waits between runs. On the 2-core box `bench turn` cost
      // 23.3 CPU-ms per turn with 2 threads and 8.4 with 1 (README "Load").
      threads: int(1, 256).default(1),
      // Results kept per model for texts seen before (a query's embedding, the NLU's logits and
      // spans): shoppers repeat "hi", "cheaper", "show more". 0 turns the caches off.
      cacheSize: int(0, 1_000_000).default(4096),
    })
    .prefault({}),
  nlu: z
    .object({
      /** Below this calibrated confidence the assistant asks a clarifying question. */
      clarifyBelow: num(0, 1).default(0.45),
      /** `transformer`: the joint model in models.nlu (with the linear model as ensemble partner); `linear`: the baseline alone. */
      engine: z.enum(['transformer', 'linear']).default('transformer'),
      /** The transformer's weight when its intent probabilities are averaged with the linear model's (1: transformer alone). */
      transformerWeight: num(0, 1).default(0.5),
    })
    .prefault({}),
  ranking: z
    .object({
      explorationRate: num(0, 1).default(0.05),
      sponsoredSlots: int(0, 10).default(0),
      sponsoredReserveCpm: num(0, 1e9).default(0),
      /** JSON file of sponsored-product bids: { "<product id>": <max cost per click in cents> }. */
      bidsFile: optionalString,
      slateSize: int(1, 50).default(5),
      /** 'epsilon-greedy' explores uniformly over the top candidates; 'softmax' samples by score. */
      explorationMode: z.enum(['epsilon-greedy', 'softmax']).default('epsilon-greedy'),
      /** How many of the best candidates exploration draws from. */
      explorationPool: int(2, 100).default(10),
      /** Candidates below this share of the best retrieval score are never shown (relevance floor). */
      relevanceFloor: num(0, 1).default(0.5),
      /** Expected-value ordering starts once the CTR/CVR models have trained on this many impressions. */
      minTrainedImpressions: int(0, 1_000_000_000).default(1000),
      /** The most cards of one brand in a slate while other brands are eligible (the exposure report shows it). */
      maxPerBrand: int(1, 50).default(2),
      maxPerCategory: int(1, 50).default(3),
      /** Hashed feature space of the CTR/CVR models: 2^hashBits weights per tower. */
      hashBits: int(12, 24).default(18),
      /** A click or purchase is credited to a shown item only within this window. */
      attributionWindowMs: int(1000, 30 * 86_400_000).default(1_800_000),
      /** Trained impressions between two checkpoints of the online learner. */
      checkpointEvery: int(1, 10_000_000).default(5000),
    })
    .prefault({}),
  coupons: z
    .object({
      enabled: bool.default(true),
      /** HMAC key for coupon codes. Required in production; a fixed dev key is used when demo data is on. */
      secret: optionalString,
      holdoutRate: num(0, 1).default(0.1),
      /** JSON array of the merchant's campaigns (see src/coupons/campaign.ts), upserted at start. */
      campaignsFile: optionalString,
      /** Share of shoppers the uplift model would skip who get an offer anyway, so it keeps learning. */
      explorationRate: num(0, 1).default(0.05),
      /** Margin share of revenue used to price an offer's expected return when products carry no margin. */
      defaultMarginRate: num(0, 1).default(0.3),
    })
    .prefault({}),
  funnel: z
    .object({
      /** HMAC-SHA256 secret for POST /v1/events from a real store. Unset: the endpoint is off. */
      webhookSecret: optionalString,
      /** Signed requests older than this are refused as replays. */
      webhookToleranceSec: int(1, 86_400).default(300),
      flushIntervalMs: int(1, 60_000).default(200),
      flushBatchSize: int(1, 100_000).default(500),
    })
    .prefault({}),
  store: z
    .object({
      backend: z.enum(['demo', 'shopify', 'woocommerce']).default('demo'),
      baseUrl: optionalString,
      accessToken: optionalString,
      consumerKey: optionalString,
      consumerSecret: optionalString,
      policiesDir: z.string().min(1).default('evals/data/demo-store/policies'),
      /** How shoppers reach the store's people when no one is online in the chat (replies quote it as given). */
      contact: StoreContactSchema.prefault({}),
    })
    .prefault({}),
  llm: z
    .object({
      provider: z.enum(['none', 'openai', 'ollama']).default('none'),
      baseUrl: optionalString,
      model: optionalString,
      apiKey: optionalString,
      timeoutMs: int(100, 120_000).default(8000),
    })
    .prefault({}),
  teams: z
    .object({
      appId: optionalString,
      appPassword: optionalString,
      tenantId: optionalString,
      supportConversationId: optionalString,
      /** The Teams conversation (channel) merchant alerts go to; the support channel when unset. */
      alertsConversationId: optionalString,
      serviceUrl: optionalString,
      /** Bot Connector hosts allowed besides Microsoft's (channels/teams/service-url.ts); loopback ones may use http. */
      serviceUrlHosts: hostList,
      /** Comma-separated Teams user ids (aadObjectId or 29:... id) allowed to run merchant reports. */
      merchantUserIds: optionalString,
      /** Entra authority override (sovereign clouds; tests point it at a local JWKS). */
      authority: z.url().optional(),
    })
    .prefault({}),
  slack: z
    .object({
      botToken: optionalString,
      signingSecret: optionalString,
      supportChannel: optionalString,
      /** Channel for merchant alerts (low stock); the support channel when unset. */
      alertsChannel: optionalString,
      apiUrl: optionalString,
      /** Comma-separated Slack user ids allowed to run merchant reports (the support channel always may). */
      merchantUserIds: optionalString,
    })
    .prefault({}),
  handoff: z
    .object({
      /** JSON file with support teams, agents' teams, merchant rules and disabled triggers (src/handoff/config.ts). */
      file: optionalString,
      /** A shopper who needs help with a cart worth at least this much goes to sales first. */
      highValueCartCents: int(0, 1_000_000_000).default(50_000),
      /** How often open tickets are checked against their team's service-level targets (breach alerts); 0 turns it off. */
      serviceLevelCheckMs: int(0, 3_600_000).default(60_000),
    })
    .prefault({}),
  insights: z
    .object({
      /** How often the low-stock check runs and alerts the merchant's Slack / Teams channels on products newly low; 0 turns it off. */
      lowStockCheckMs: int(0, 7 * 86_400_000).default(0),
      /** A product is low when its stock lasts fewer days than this at the forecast rate. */
      lowStockDays: int(1, 365).default(7),
    })
    .prefault({}),
  privacy: z
    .object({
      /** Conversations, transcripts, closed handoff tickets and slate payloads idle this many days are deleted (hourly sweep); 0 keeps them forever. */
      retentionDays: int(0, 36_500).default(90),
    })
    .prefault({}),
  agents: z
    .object({
      /** Agent console logins as "name:password" pairs separated by commas (scrypt-hashed at start). */
      users: optionalString,
      /** Comma-separated names from `users` with the merchant role: they may open the dashboard at /admin. */
      merchants: optionalString,
    })
    .prefault({}),
});

export type Config = z.infer<typeof ConfigSchema>;

/** The demo store: demo data, dev keys kept in the data directory, the mail outbox. Anything else is production. */
export function isDemoStore(config: Pick<Config, 'store'>): boolean {
  return config.store.backend === 'demo';
}
export type ConfigInput = z.input<typeof ConfigSchema>;

/** Environment variable -> dotted config path. Documented in the README's configuration table. */
export const ENV_VARS: Readonly<Record<string, string>> = {
  SHOPBOT_DATA_DIR: 'dataDir',
  SHOPBOT_LOG_LEVEL: 'logLevel',
  HOST: 'server.host',
  PORT: 'server.port',
  SHOPBOT_PUBLIC_URL: 'server.publicUrl',
  SHOPBOT_MAX_MESSAGE_CHARS: 'server.maxMessageChars',
  SHOPBOT_SESSION_SECRET: 'security.sessionSecret',
  SHOPBOT_IDENTITY_SECRET: 'security.identitySecret',
  SHOPBOT_API_KEYS: 'security.apiKeys',
  SHOPBOT_TOKEN_TTL_HOURS: 'security.tokenTtlHours',
  SHOPBOT_ALLOWED_ORIGINS: 'security.allowedOrigins',
  SHOPBOT_FRAME_ANCESTORS: 'security.frameAncestors',
  SHOPBOT_TRUST_PROXY_HOPS: 'security.trustProxyHops',
  SHOPBOT_METRICS_TOKEN: 'security.metricsToken',
  SHOPBOT_LIMIT_REST_TURNS_PER_MINUTE_PER_IP: 'limits.restTurnsPerMinutePerIp',
  SHOPBOT_LIMIT_TURNS_PER_MINUTE_PER_CONVERSATION: 'limits.turnsPerMinutePerConversation',
  SHOPBOT_LIMIT_CONVERSATIONS_PER_HOUR_PER_IP: 'limits.conversationsPerHourPerIp',
  SHOPBOT_LIMIT_SOCKET_CONNECTIONS_PER_MINUTE_PER_IP: 'limits.socketConnectionsPerMinutePerIp',
  SHOPBOT_LIMIT_SOCKET_MESSAGES_PER_MINUTE_PER_IP: 'limits.socketMessagesPerMinutePerIp',
  SHOPBOT_LIMIT_MAX_SOCKETS_PER_IP: 'limits.maxSocketsPerIp',
  SHOPBOT_LIMIT_MAX_SOCKETS: 'limits.maxSockets',
  SHOPBOT_LIMIT_LOGINS_PER_MINUTE_PER_IP: 'limits.loginsPerMinutePerIp',
  SHOPBOT_LIMIT_LOGIN_FAILURES: 'limits.loginFailuresBeforeLockout',
  SHOPBOT_LIMIT_LOCKOUT_MINUTES: 'limits.lockoutMinutes',
  SHOPBOT_LIMIT_ORDER_CHECKS_PER_HOUR_PER_CONVERSATION: 'limits.orderChecksPerHourPerConversation',
  SHOPBOT_LIMIT_ORDER_CHECKS_PER_HOUR_PER_ORDER: 'limits.orderChecksPerHourPerOrder',
  SHOPBOT_LIMIT_CONCURRENT_TURNS: 'limits.maxConcurrentTurns',
  SHOPBOT_LIMIT_QUEUED_TURNS: 'limits.maxQueuedTurns',
  SHOPBOT_LIMIT_TURN_QUEUE_MS: 'limits.maxTurnQueueMs',
  SHOPBOT_MAIL_TRANSPORT: 'mail.transport',
  SHOPBOT_SMTP_URL: 'mail.smtpUrl',
  SHOPBOT_MAIL_FROM: 'mail.from',
  SHOPBOT_DEMO_CATALOG: 'catalog.demo',
  SHOPBOT_DEMO_CATALOG_FILE: 'catalog.demoFile',
  SHOPBOT_STORAGE: 'storage.backend',
  DATABASE_URL: 'storage.postgresUrl',
  SHOPBOT_STATE: 'state.backend',
  REDIS_URL: 'state.redisUrl',
  SHOPBOT_REDIS_PREFIX: 'state.redisKeyPrefix',
  SHOPBOT_RETRIEVAL: 'retrieval.backend',
  SHOPBOT_RETRIEVAL_MODE: 'retrieval.mode',
  QDRANT_URL: 'retrieval.qdrantUrl',
  QDRANT_API_KEY: 'retrieval.qdrantApiKey',
  SHOPBOT_QDRANT_COLLECTION: 'retrieval.qdrantCollection',
  SHOPBOT_ANN_THRESHOLD: 'retrieval.annThreshold',
  SHOPBOT_HNSW_EF: 'retrieval.hnswEfSearch',
  SHOPBOT_MODELS_DIR: 'models.dir',
  SHOPBOT_DEVICE: 'models.device',
  SHOPBOT_QUANTIZED: 'models.quantized',
  SHOPBOT_MODEL_THREADS: 'models.threads',
  SHOPBOT_MODEL_CACHE: 'models.cacheSize',
  SHOPBOT_CLARIFY_BELOW: 'nlu.clarifyBelow',
  SHOPBOT_NLU_ENGINE: 'nlu.engine',
  SHOPBOT_EXPLORATION_RATE: 'ranking.explorationRate',
  SHOPBOT_SPONSORED_SLOTS: 'ranking.sponsoredSlots',
  SHOPBOT_SPONSORED_BIDS: 'ranking.bidsFile',
  SHOPBOT_COUPONS: 'coupons.enabled',
  SHOPBOT_COUPON_SECRET: 'coupons.secret',
  SHOPBOT_COUPON_CAMPAIGNS: 'coupons.campaignsFile',
  SHOPBOT_WEBHOOK_SECRET: 'funnel.webhookSecret',
  SHOPBOT_STORE: 'store.backend',
  SHOPBOT_STORE_URL: 'store.baseUrl',
  SHOPBOT_STORE_TOKEN: 'store.accessToken',
  SHOPBOT_POLICIES_DIR: 'store.policiesDir',
  SHOPBOT_STORE_EMAIL: 'store.contact.email',
  SHOPBOT_STORE_PHONE: 'store.contact.phone',
  SHOPBOT_STORE_HOURS: 'store.contact.hours',
  SHOPBOT_STORE_CONTACT_URL: 'store.contact.url',
  SHOPBOT_LLM: 'llm.provider',
  SHOPBOT_LLM_URL: 'llm.baseUrl',
  SHOPBOT_LLM_MODEL: 'llm.model',
  SHOPBOT_LLM_API_KEY: 'llm.apiKey',
  MICROSOFT_APP_ID: 'teams.appId',
  MICROSOFT_APP_PASSWORD: 'teams.appPassword',
  MICROSOFT_APP_TENANT_ID: 'teams.tenantId',
  SHOPBOT_TEAMS_SUPPORT_CONVERSATION: 'teams.supportConversationId',
  SHOPBOT_TEAMS_ALERTS_CONVERSATION: 'teams.alertsConversationId',
  SHOPBOT_TEAMS_SERVICE_URL: 'teams.serviceUrl',
  SHOPBOT_TEAMS_SERVICE_URL_HOSTS: 'teams.serviceUrlHosts',
  SHOPBOT_TEAMS_MERCHANTS: 'teams.merchantUserIds',
  SHOPBOT_TEAMS_AUTHORITY: 'teams.authority',
  SLACK_BOT_TOKEN: 'slack.botToken',
  SLACK_SIGNING_SECRET: 'slack.signingSecret',
  SHOPBOT_SLACK_SUPPORT_CHANNEL: 'slack.supportChannel',
  SHOPBOT_SLACK_ALERTS_CHANNEL: 'slack.alertsChannel',
  SHOPBOT_SLACK_MERCHANTS: 'slack.merchantUserIds',
  SHOPBOT_AGENT_USERS: 'agents.users',
  SHOPBOT_MERCHANTS: 'agents.merchants',
  SHOPBOT_HANDOFF_FILE: 'handoff.file',
  SHOPBOT_HIGH_VALUE_CART_CENTS: 'handoff.highValueCartCents',
  SHOPBOT_RETENTION_DAYS: 'privacy.retentionDays',
  SHOPBOT_RANKING_MAX_PER_BRAND: 'ranking.maxPerBrand',
  SHOPBOT_LOW_STOCK_CHECK_MS: 'insights.lowStockCheckMs',
  SHOPBOT_LOW_STOCK_DAYS: 'insights.lowStockDays',
};

function setPath(target: Record<string, unknown>, dotted: string, value: unknown): void {
  const keys = dotted.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]!] = value;
}

function envNameFor(dotted: string): string | undefined {
  return Object.entries(ENV_VARS).find(([, p]) => p === dotted)?.[0];
}

export interface LoadConfigOptions {
  env?: Readonly<Record<string, string | undefined>>;
  /** Path of a JSON config file; defaults to env.SHOPBOT_CONFIG. */
  file?: string;
  /** Values that win over everything else (tests, CLI flags). */
  overrides?: ConfigInput;
}

function deepMerge(base: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(extra)) {
    const prev = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && prev && typeof prev === 'object' && !Array.isArray(prev)
        ? deepMerge(prev as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? {};
  let raw: Record<string, unknown> = {};
  const file = options.file ?? env.SHOPBOT_CONFIG;
  if (file) {
    try {
      raw = JSON.parse(readFileSync(path.resolve(file), 'utf8')) as Record<string, unknown>;
    } catch (cause) {
      throw new ShopbotError('CONFIG_INVALID', `config file ${file}: ${(cause as Error).message}`, { cause });
    }
  }
  const fromEnv: Record<string, unknown> = {};
  for (const [name, dotted] of Object.entries(ENV_VARS)) {
    const value = env[name];
    if (value !== undefined && value !== '') setPath(fromEnv, dotted, value);
  }
  raw = deepMerge(deepMerge(raw, fromEnv), (options.overrides ?? {}) as Record<string, unknown>);
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const dotted = issue.path.join('.');
      const envName = envNameFor(dotted);
      return `  ${dotted}${envName ? ` (${envName})` : ''}: ${issue.message}`;
    });
    throw new ShopbotError('CONFIG_INVALID', `invalid configuration:\n${lines.join('\n')}`);
  }
  const parsedConfig = parsed.data;
  // The demo store shows its made-up contact details unless some are configured.
  const noContact = Object.values(parsedConfig.store.contact).every((v) => v === undefined);
  const config = isDemoStore(parsedConfig) && noContact ? { ...parsedConfig, store: { ...parsedConfig.store, contact: DEMO_CONTACT } } : parsedConfig;
  if (config.storage.backend === 'postgres' && !config.storage.postgresUrl) {
    throw new ShopbotError('CONFIG_INVALID', 'invalid configuration:\n  storage.postgresUrl (DATABASE_URL): required when storage.backend is postgres');
  }
  if (config.state.backend === 'redis' && !config.state.redisUrl) {
    throw new ShopbotError('CONFIG_INVALID', 'invalid configuration:\n  state.redisUrl (REDIS_URL): required when state.backend is redis');
  }
  if (!isDemoStore(config) && !config.security.sessionSecret) {
    throw new ShopbotError('CONFIG_INVALID', 'invalid configuration:\n  security.sessionSecret (SHOPBOT_SESSION_SECRET): required outside the demo store (conversation tokens and agent sessions are signed with it)');
  }
  if (config.state.backend === 'redis' && !config.security.sessionSecret) {
    // Processes sharing conversations must verify each other's tokens: one secret, not one per data dir.
    throw new ShopbotError('CONFIG_INVALID', 'invalid configuration:\n  security.sessionSecret (SHOPBOT_SESSION_SECRET): required when state.backend is redis (every server must sign and verify the same tokens)');
  }
  if (config.mail.transport === 'smtp' && !config.mail.smtpUrl) {
    throw new ShopbotError('CONFIG_INVALID', 'invalid configuration:\n  mail.smtpUrl (SHOPBOT_SMTP_URL): required when mail.transport is smtp');
  }
  if (config.retrieval.backend === 'qdrant' && !config.retrieval.qdrantUrl) {
    throw new ShopbotError('CONFIG_INVALID', 'invalid configuration:\n  retrieval.qdrantUrl (QDRANT_URL): required when retrieval.backend is qdrant');
  }
  return config;
}
