/**
 * The merchant dashboard: POST /admin/login (the console's accounts, the merchant role), the page
 * at /admin, and its JSON under /v1/admin (Bearer merchant session): the metrics with their
 * definitions, the same as CSV, the charts, and a rated-down reply's conversation. Login carries
 * the console's protections: a rate per address, a lock-out per account counted before the
 * password is checked, scrypt on the threadpool; the page is files under the server's CSP.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ShopbotError } from '../../../src/errors.js';
import type { FunnelReader } from '../../../src/funnel/index.js';
import type { Product } from '../../../src/catalog/index.js';
import { computeDemandReport, computeMerchantMetrics, dashboardCharts, demandTables, EXPERIMENT_EVENT_TYPES, experimentResults, lowStockAlertText, metricsCsv, recentSlates, relevanceOffPolicy, slateExplanation, type SqliteExperimentStore } from '../../../src/insights/index.js';
import type { FunnelEvent } from '../../../src/funnel/index.js';
import type { Limits } from '../../../src/limits/index.js';
import type { TranscriptEntry } from '../../../src/messages.js';
import { parsePeriod } from '../../../src/reports/index.js';
import type { HttpServer } from '../../../src/server/index.js';
import { passwordLogin, type AgentAuth } from '../console/index.js';
import {
  AdminConversationSchema,
  AlertSentSchema,
  ChartsSchema,
  ConversationParamsSchema,
  DemandQuerySchema,
  ExperimentBodySchema,
  ExperimentParamsSchema,
  ExperimentSchema,
  ExperimentsSchema,
  MetricsSchema,
  ReportSchema,
  SlateExplanationSchema,
  SlateParamsSchema,
  SlatesSchema,
  ViewQuerySchema,
} from './schemas.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));

const PAGE_FILES: Readonly<Record<string, { file: string; type: string }>> = {
  '/admin': { file: 'admin.html', type: 'text/html; charset=utf-8' },
  '/admin/admin.js': { file: 'admin.js', type: 'text/javascript; charset=utf-8' },
  '/admin/admin.css': { file: 'admin.css', type: 'text/css; charset=utf-8' },
};

export interface MerchantDashboardDeps {
  /** The console's accounts, restricted to the merchant role (its own session label). */
  readonly auth: AgentAuth;
  readonly limits: Limits;
  readonly funnel: Pick<FunnelReader, 'query'>;
  readonly history: (conversationId: string) => Promise<TranscriptEntry[]>;
  readonly now: () => number;
  readonly catalog: { getMany(ids: readonly string[]): Promise<ReadonlyMap<string, Product>> };
  readonly experiments: Pick<SqliteExperimentStore, 'list' | 'start' | 'stop' | 'get'>;
  /** Posts a merchant alert to their chat channels (Slack, Teams); resolves with how many took it. */
  readonly alerts: (text: string) => Promise<number>;
  /** ranking.maxPerBrand, shown beside the exposure report. */
  readonly maxPerBrand?: number;
}

export function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new ShopbotError('BAD_REQUEST', `${what}: ${z.prettifyError(r.error).slice(0, 300)}`);
  return r.data;
}

/** The merchant a request's `Authorization: Bearer <session>` belongs to; UNAUTHORIZED otherwise. */
export function merchantOf(auth: AgentAuth, req: FastifyRequest): string {
  const h = req.headers.authorization;
  const m = typeof h === 'string' ? /^Bearer\s+(\S{1,2000})$/i.exec(h.trim()) : null;
  if (!m) throw new ShopbotError('UNAUTHORIZED', 'log in to the merchant dashboard first');
  return auth.verify(m[1]!).name;
}

/**
 * Registers the dashboard: the login and page on fastify, the JSON under /v1/admin on the server's
 * API routes, so /openapi.json describes them (merchantSession auth) from the schemas they validate with.
 */
export function mountMerchantDashboard(http: Pick<HttpServer, 'fastify' | 'api'>, deps: MerchantDashboardDeps): void {
  const { fastify, api } = http;
  const { limits, auth } = deps;
  // The console's login, on the same accounts and counters (one account, one lock-out).
  fastify.post('/admin/login', async (req) => passwordLogin(limits, auth, req.ip, req.body));
  for (const [url, { file, type }] of Object.entries(PAGE_FILES)) {
    fastify.get(url, async (_req, reply) => reply.type(type).header('cache-control', 'no-store').send(await readFile(path.join(HERE, file))));
  }

  const merchant = ['merchantSession'] as const;
  const notFound = (description: string) => ({ 404: { description } });
  const metricsOptions = deps.maxPerBrand !== undefined ? { maxPerBrand: deps.maxPerBrand } : {};
  const view = (req: FastifyRequest) => {
    merchantOf(auth, req);
    const q = parseOrThrow(ViewQuerySchema, req.query ?? {}, 'query');
    return { period: parsePeriod(q.period, deps.now()), channel: q.channel };
  };
  api.add(fastify, { method: 'GET', url: '/v1/admin/metrics', summary: "The dashboard's figures, each with its definition, for a period and channel", auth: merchant, query: ViewQuerySchema, responses: { 200: { description: 'Metrics and tables', schema: MetricsSchema } } }, async (req, reply) => {
    const { period, channel } = view(req);
    return reply.header('cache-control', 'no-store').send(await computeMerchantMetrics(deps.funnel, period, channel, undefined, metricsOptions));
  });
  api.add(fastify, { method: 'GET', url: '/v1/admin/metrics.csv', summary: 'The same figures as CSV', auth: merchant, query: ViewQuerySchema, responses: { 200: { description: 'One row per metric and table cell', mediaType: 'text/csv' } } }, async (req, reply) => {
    const { period, channel } = view(req);
    const csv = metricsCsv(await computeMerchantMetrics(deps.funnel, period, channel, undefined, metricsOptions));
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="shopbot-metrics-${channel}.csv"`).header('cache-control', 'no-store').send(csv);
  });
  api.add(fastify, { method: 'GET', url: '/v1/admin/charts', summary: "The dashboard's charts, drawn server-side", auth: merchant, query: ViewQuerySchema, responses: { 200: { description: 'PNG charts as data URIs', schema: ChartsSchema } } }, async (req, reply) => {
    const { period, channel } = view(req);
    return reply.header('cache-control', 'no-store').send({ charts: dashboardCharts(await computeMerchantMetrics(deps.funnel, period, channel, undefined, metricsOptions)) });
  });
  const demand = (req: FastifyRequest) => {
    merchantOf(auth, req);
    const q = parseOrThrow(DemandQuerySchema, req.query ?? {}, 'query');
    const period = parsePeriod(q.period, deps.now());
    return computeDemandReport(deps.funnel, deps.catalog, { fromTs: period.fromTs, toTs: period.toTs, lowStockDays: q.lowStockDays });
  };
  api.add(fastify, { method: 'GET', url: '/v1/admin/demand', summary: 'Demand signals per product: views, carts, purchases, unmet demand, forecast and days of cover', auth: merchant, query: DemandQuerySchema, responses: { 200: { description: 'Metrics and tables', schema: ReportSchema } } }, async (req, reply) =>
    reply.header('cache-control', 'no-store').send(demandTables(await demand(req))),
  );
  // Sends the low-stock alert now (the dashboard's button; a scheduler can call it too).
  api.add(
    fastify,
    { method: 'POST', url: '/v1/admin/demand/alert', summary: "Posts the low-stock alert to the merchant's Slack / Teams channels now", auth: merchant, query: DemandQuerySchema, responses: { 200: { description: 'Whether an alert went out, for how many products, to how many channels', schema: AlertSentSchema }, ...notFound('No merchant channel for alerts is configured') } },
    async (req) => {
      const report = await demand(req);
      const text = lowStockAlertText(report);
      const channels = text ? await deps.alerts(text) : undefined;
      if (channels === 0) throw new ShopbotError('NOT_FOUND', 'no merchant channel for alerts: set SHOPBOT_SLACK_ALERTS_CHANNEL (with the Slack bot token) or SHOPBOT_TEAMS_ALERTS_CONVERSATION (with the Teams service URL)');
      return { sent: text !== undefined, products: report.lowStock.length, ...(channels !== undefined ? { channels } : {}) };
    },
  );

  // Experiments: each one's results since it started, and the off-policy estimate of relevance-only ranking.
  api.add(fastify, { method: 'GET', url: '/v1/admin/experiments', summary: 'Experiments with their results and intervals, and the off-policy estimate of a candidate ranking', auth: merchant, query: ViewQuerySchema, responses: { 200: { description: 'Experiments, metrics and tables', schema: ExperimentsSchema } } }, async (req, reply) => {
    const { period } = view(req);
    const experiments = deps.experiments.list();
    const fromTs = Math.min(period.fromTs, ...experiments.map((e) => e.startedAt));
    const events: FunnelEvent[] = [];
    for await (const e of deps.funnel.query({ types: EXPERIMENT_EVENT_TYPES, fromTs, toTs: period.toTs })) events.push(e);
    const metrics = [];
    const tables = [];
    for (const x of experiments) {
      const r = experimentResults(x, events.filter((e) => e.ts >= x.startedAt && (x.stoppedAt === undefined || e.ts < x.stoppedAt)));
      metrics.push(...r.metrics);
      tables.push(...r.tables);
    }
    metrics.push(...relevanceOffPolicy(events.filter((e) => e.ts >= period.fromTs)));
    return reply.header('cache-control', 'no-store').send({ experiments, metrics, tables });
  });
  api.add(
    fastify,
    { method: 'POST', url: '/v1/admin/experiments', summary: 'Starts an experiment (one per kind at a time)', auth: merchant, body: ExperimentBodySchema, responses: { 201: { description: 'Started', schema: ExperimentSchema }, 409: { description: 'One of this kind is running, or the id is taken (CONFLICT)' } } },
    async (req, reply) => {
      merchantOf(auth, req);
      return reply.status(201).send(deps.experiments.start(req.body, deps.now()));
    },
  );
  api.add(
    fastify,
    { method: 'POST', url: '/v1/admin/experiments/:id/stop', summary: 'Stops a running experiment', auth: merchant, params: ExperimentParamsSchema, responses: { 200: { description: 'Stopped', schema: ExperimentSchema }, ...notFound('No running experiment of that id') } },
    async (req) => {
      merchantOf(auth, req);
      return deps.experiments.stop(parseOrThrow(ExperimentParamsSchema, req.params, 'experiment id').id, deps.now());
    },
  );

  // Explanations: the period's latest slates, and why each product of one slate was placed.
  const slatesOf = async (req: FastifyRequest) => {
    const { period, channel } = view(req);
    const slates: FunnelEvent[] = [];
    for await (const e of deps.funnel.query({ types: ['slate'], fromTs: period.fromTs, toTs: period.toTs })) if (channel === 'all' || e.channel === channel) slates.push(e);
    return slates;
  };
  api.add(fastify, { method: 'GET', url: '/v1/admin/slates', summary: "The period's latest recommendation slates", auth: merchant, query: ViewQuerySchema, responses: { 200: { description: 'One table, a slate a row', schema: SlatesSchema } } }, async (req, reply) =>
    reply.header('cache-control', 'no-store').send({ tables: [recentSlates(await slatesOf(req))] }),
  );
  api.add(
    fastify,
    {
      method: 'GET',
      url: '/v1/admin/slates/:id',
      summary: 'Why each product of a slate was placed: relevance, predicted click and purchase, top features, sponsored, explored',
      auth: merchant,
      params: SlateParamsSchema,
      query: ViewQuerySchema,
      responses: { 200: { description: 'One table, a product a row', schema: SlateExplanationSchema }, ...notFound('No slate of that id in the period') },
    },
    async (req, reply) => {
      merchantOf(auth, req);
      const { id } = parseOrThrow(SlateParamsSchema, req.params, 'slate id');
      const slate = (await slatesOf(req)).find((e): e is Extract<FunnelEvent, { type: 'slate' }> => e.type === 'slate' && e.slateId === id);
      if (!slate) throw new ShopbotError('NOT_FOUND', `no slate ${id} in this period`);
      const products = await deps.catalog.getMany(slate.shown.map((s) => s.productId));
      const titles = new Map([...products].map(([pid, p]) => [pid, p.title]));
      return reply.header('cache-control', 'no-store').send({ slateId: id, tables: [slateExplanation(slate, titles)] });
    },
  );

  // The conversation behind a rated-down reply (transcripts are stored masked).
  api.add(fastify, { method: 'GET', url: '/v1/admin/conversations/:id', summary: "A conversation's transcript (masked), behind a rated-down reply", auth: merchant, params: ConversationParamsSchema, responses: { 200: { description: 'Messages, oldest first', schema: AdminConversationSchema } } }, async (req, reply) => {
    merchantOf(auth, req);
    const { id } = parseOrThrow(ConversationParamsSchema, req.params, 'conversation id');
    const messages = await deps.history(id);
    return reply.header('cache-control', 'no-store').send({ conversationId: id, messages: messages.map((m) => ({ role: m.role, text: m.text, ts: m.ts })) });
  });
}
