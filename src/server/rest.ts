/**
 * The REST API, the store webhook and the static pages (demo store, widget, policy documents), as
 * a channel of the app: registered on the server's fastify when the app opens, with the per-address
 * rate limit in front of every /v1 route.
 */
import { timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { REPO_ROOT, resolveFromRoot, type ChannelContext, type ChannelPlugin } from '../app.js';
import { ShopbotError } from '../errors.js';
import { FunnelEventSchema, verifyWebhook } from '../funnel/index.js';
import { feedbackEvent, FeedbackSchema } from '../insights/index.js';
import { isApiKey, isPlatformConversation, SignedIdentitySchema, type AuthorizedConversation } from '../identity/index.js';
import { ChannelSchema, LangSchema, UiActionSchema } from '../messages.js';
import { UserIdSchema } from '../privacy/index.js';
import type { HttpServer } from './types.js';

const IdSchema = z.string().min(8).max(100).regex(/^[A-Za-z0-9_:-]+$/);
/** No `userId`: the conversation's user is the one the server minted for its token (unknown keys are dropped). */
const RestMessageSchema = z.object({
  text: z.string().max(100_000).default(''),
  action: UiActionSchema.optional(),
  locale: z.string().max(20).optional(),
});
const NewConversationSchema = z.object({ locale: z.string().max(20).optional(), identity: SignedIdentitySchema.optional() });
const EventsBodySchema = z.object({ events: z.array(FunnelEventSchema).min(1).max(1000) });
const ConversationParamsSchema = z.object({ id: IdSchema });
const UserParamsSchema = z.object({ id: UserIdSchema });

// What the routes answer, for the OpenAPI description (and its test, which parses real answers with them).
const HealthSchema = z.object({ status: z.literal('ok') });
const ReadinessSchema = z.object({ ready: z.boolean(), checks: z.record(z.string(), z.enum(['ok', 'degraded', 'down'])) });
export const ConversationCreatedSchema = z.object({ conversationId: z.string(), token: z.string(), expiresAt: z.iso.datetime(), customer: z.object({ id: z.string() }).optional() });
/** The bot's reply (src/messages.ts OutboundMessage); cards, cart, coupon and handoff are described loosely. */
export const ReplySchema = z.looseObject({
  conversationId: z.string(),
  text: z.string(),
  lang: LangSchema,
  products: z.array(z.looseObject({ id: z.string(), title: z.string() })),
  quickReplies: z.array(z.looseObject({ label: z.string() })),
  cart: z.looseObject({}).optional(),
  coupon: z.looseObject({ code: z.string() }).optional(),
  handoff: z.looseObject({}).optional(),
  intent: z.string().optional(),
  confidence: z.number().optional(),
  silent: z.boolean().optional(),
});
export const HistorySchema = z.object({ messages: z.array(z.object({ role: z.enum(['user', 'bot', 'agent', 'system']), text: z.string(), ts: z.number(), reply: ReplySchema.optional() })) });
const ForgottenSchema = z.object({ forgotten: z.record(z.string(), z.unknown()) });
const EventsAcceptedSchema = z.object({ received: z.number().int(), stored: z.number().int() });
const FeedbackStoredSchema = z.object({ stored: z.boolean() });

/** Equal-time comparison, so response timing says nothing about how much of a token was right. */
function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

const STATIC_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.md': 'text/markdown; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.json': 'application/json',
};

function escapeAttribute(v: string): string {
  return v.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Serves a file under `root`, refusing any path that escapes it. */
async function sendFile(root: string, rel: string): Promise<{ body: Buffer; type: string } | undefined> {
  const full = path.resolve(root, rel);
  if (!full.startsWith(path.resolve(root) + path.sep)) return undefined;
  const type = STATIC_TYPES[path.extname(full).toLowerCase()];
  if (!type) return undefined;
  try {
    return { body: await readFile(full), type };
  } catch {
    return undefined;
  }
}

/** The credential in `Authorization: Bearer <x>`: a conversation token or, from a store backend, an API key. */
function bearerOf(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  const m = typeof h === 'string' ? /^Bearer\s+(\S{1,2000})$/i.exec(h.trim()) : null;
  return m?.[1];
}

/** API keys live on the store's servers: a request a browser sent (Origin, Sec-Fetch-*) may not use one. */
function refuseBrowser(req: FastifyRequest): void {
  if (req.headers.origin || req.headers['sec-fetch-site']) throw new ShopbotError('FORBIDDEN', "API keys are for the store's servers, never for a browser");
}

function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new ShopbotError('BAD_REQUEST', `${what}: ${z.prettifyError(r.error)}`);
  return r.data;
}

export function restApi(http: HttpServer): ChannelPlugin {
  return (app: ChannelContext) => {
    const { fastify } = http;
    const { config, limits } = app;
    const publicDir = path.join(REPO_ROOT, 'channels', 'web', 'public');
    const policiesDir = resolveFromRoot(config.store.policiesDir);

    fastify.addHook('onRequest', async (req) => {
      if (req.url.startsWith('/v1/')) await limits.consume(limits.rules.restTurnPerIp, req.ip);
    });
    fastify.addHook('onError', async (_req, _reply, err) => {
      app.metrics.error(err instanceof ShopbotError ? err.code : 'INTERNAL', 'http');
    });

    const { api } = http;
    api.add(fastify, { method: 'GET', url: '/healthz', summary: 'Liveness: the process answers', auth: ['none'], responses: { 200: { description: 'Alive', schema: HealthSchema } } }, async () => ({ status: 'ok' }));
    api.add(
      fastify,
      { method: 'GET', url: '/readyz', summary: 'Readiness, with each backend check', auth: ['none'], responses: { 200: { description: 'Ready', schema: ReadinessSchema }, 503: { description: 'Not ready', schema: ReadinessSchema } } },
      async (_req, reply) => {
        const r = app.readiness();
        return reply.status(r.ready ? 200 : 503).send(r);
      },
    );

    // Prometheus scrapes with the configured bearer token; without one configured the route answers 404.
    api.add(
      fastify,
      { method: 'GET', url: '/metrics', summary: 'Prometheus metrics of this process (off unless security.metricsToken is set)', auth: ['metricsToken'], responses: { 200: { description: 'Prometheus text format', mediaType: 'text/plain' }, 404: { description: 'Metrics are off' } } },
      async (req, reply) => {
        const token = config.security.metricsToken;
        if (!token) throw new ShopbotError('NOT_FOUND', 'metrics are off: set SHOPBOT_METRICS_TOKEN');
        if (!sameSecret(bearerOf(req), token)) throw new ShopbotError('UNAUTHORIZED', 'GET /metrics needs the metrics bearer token');
        return reply.type(app.metrics.contentType).header('cache-control', 'no-store').send(await app.metrics.render());
      },
    );

    /**
     * Who may act on a conversation: the bearer of its token, or the store's backend with an API key
     * (`conversations` scope, never from a browser). Slack and Teams conversations are reachable only
     * through their own, signed channels.
     */
    async function authorizeConversation(req: FastifyRequest, id: string): Promise<AuthorizedConversation> {
      if (isPlatformConversation(id)) throw new ShopbotError('FORBIDDEN', 'Slack and Teams conversations are not reachable over REST');
      const bearer = bearerOf(req);
      if (bearer && isApiKey(bearer)) {
        refuseBrowser(req);
        app.apiKeys.verify(bearer, 'conversations');
        return app.sessions.load(id);
      }
      return app.sessions.authorize(id, bearer);
    }
    const conversationId = (req: FastifyRequest) => parseOrThrow(ConversationParamsSchema, req.params, 'conversation id').id;

    api.add(
      fastify,
      { method: 'POST', url: '/v1/conversations', summary: 'Start a conversation; returns its token', auth: ['none'], body: NewConversationSchema, responses: { 201: { description: 'Created', schema: ConversationCreatedSchema } } },
      async (req, reply) => {
        const body = parseOrThrow(NewConversationSchema, req.body ?? {}, 'conversation');
        await limits.consume(limits.rules.conversationPerIp, req.ip);
        const s = await app.sessions.start({ channel: 'rest', ...(body.locale ? { locale: body.locale } : {}), ...(body.identity ? { identity: body.identity } : {}) });
        return reply.status(201).send({ conversationId: s.conversationId, token: s.token, expiresAt: new Date(s.expiresAt).toISOString(), ...(s.customer ? { customer: { id: s.customer.id } } : {}) });
      },
    );

    api.add(
      fastify,
      { method: 'POST', url: '/v1/conversations/:id/messages', summary: "Send the shopper's message (or a button's action); returns the reply", auth: ['conversationToken', 'apiKey'], params: ConversationParamsSchema, body: RestMessageSchema, responses: { 200: { description: 'The reply', schema: ReplySchema } } },
      async (req) => {
        const id = conversationId(req);
        const conversation = await authorizeConversation(req, id);
        const body = parseOrThrow(RestMessageSchema, req.body, 'message');
        await limits.consume(limits.rules.turnPerConversation, id);
        return app.handleTurn({ conversationId: id, userId: conversation.userId, channel: 'rest', text: body.text, ...(body.action ? { action: body.action } : {}), ...(body.locale ? { locale: body.locale } : {}) });
      },
    );

    api.add(
      fastify,
      { method: 'GET', url: '/v1/conversations/:id/messages', summary: "The conversation's history", auth: ['conversationToken', 'apiKey'], params: ConversationParamsSchema, responses: { 200: { description: 'History, oldest first', schema: HistorySchema } } },
      async (req) => {
        const id = conversationId(req);
        await authorizeConversation(req, id);
        return { messages: await app.history(id) };
      },
    );

    // Shopper feedback (a reply's thumbs, the conversation's rating), on the conversation's token.
    api.add(
      fastify,
      { method: 'POST', url: '/v1/conversations/:id/feedback', summary: "A reply's thumbs or the conversation's rating", auth: ['conversationToken', 'apiKey'], params: ConversationParamsSchema, body: FeedbackSchema, responses: { 202: { description: 'Stored (false: the same feedback was already stored)', schema: FeedbackStoredSchema } } },
      async (req, reply) => {
        const id = conversationId(req);
        const conversation = await authorizeConversation(req, id);
        const body = parseOrThrow(FeedbackSchema, req.body, 'feedback');
        await limits.consume(limits.rules.turnPerConversation, id);
        const channel = ChannelSchema.catch('rest').parse(conversation.state.channel);
        const stored = await app.funnel.append([feedbackEvent(body, { conversationId: id, userId: conversation.userId, channel, ts: Date.now(), ...(conversation.state.lastAgent ? { lastAgent: conversation.state.lastAgent } : {}) })]);
        return reply.status(202).send({ stored: stored === 1 });
      },
    );

    // Sign-out: every token of the conversation stops working.
    api.add(
      fastify,
      { method: 'DELETE', url: '/v1/conversations/:id/token', summary: 'Sign out: every token of the conversation stops working', auth: ['conversationToken', 'apiKey'], params: ConversationParamsSchema, responses: { 204: { description: 'Revoked' } } },
      async (req, reply) => {
        const id = conversationId(req);
        await authorizeConversation(req, id);
        await app.sessions.revoke(id);
        return reply.status(204).send();
      },
    );

    // A shopper's right to be forgotten, asked by the store's backend (API key with the privacy scope).
    api.add(
      fastify,
      { method: 'DELETE', url: '/v1/users/:id', summary: "Forget a shopper (API key with the privacy scope)", auth: ['apiKey'], params: UserParamsSchema, responses: { 200: { description: 'What was deleted', schema: ForgottenSchema } } },
      async (req) => {
        const bearer = bearerOf(req);
        if (!bearer || !isApiKey(bearer)) throw new ShopbotError('UNAUTHORIZED', 'this call needs an API key with the privacy scope');
        refuseBrowser(req);
        app.apiKeys.verify(bearer, 'privacy');
        const userId = parseOrThrow(UserParamsSchema, req.params, 'user id').id;
        return { forgotten: await app.privacy.forget(userId) };
      },
    );

    // Purchases and other events from a real store: HMAC-signed, replay-protected, idempotent.
    api.add(
      fastify,
      { method: 'POST', url: '/v1/events', summary: "Funnel events from the store's backend (signed, idempotent)", auth: ['webhookSignature'], body: EventsBodySchema, responses: { 202: { description: 'Accepted', schema: EventsAcceptedSchema }, 404: { description: 'The endpoint is off (no webhook secret)' } } },
      async (req, reply) => {
        const secret = config.funnel.webhookSecret;
        if (!secret) throw new ShopbotError('NOT_FOUND', 'the events endpoint is off: set SHOPBOT_WEBHOOK_SECRET');
        const nowMs = Date.now();
        await verifyWebhook({
          secret,
          header: req.headers['x-shopbot-signature'] as string | undefined,
          rawBody: (req as unknown as { rawBody?: string }).rawBody ?? '',
          nowMs,
          toleranceSec: config.funnel.webhookToleranceSec,
          nonces: app.funnel,
        });
        const body = parseOrThrow(EventsBodySchema, req.body, 'events');
        const stored = await app.funnel.append(body.events);
        return reply.status(202).send({ received: body.events.length, stored });
      },
    );

    const openApi = () => api.document({ title: 'shopbot REST API', version: '1', ...(config.server.publicUrl ? { serverUrl: config.server.publicUrl } : {}) });
    api.add(fastify, { method: 'GET', url: '/openapi.json', summary: 'This description', auth: ['none'], responses: { 200: { description: 'OpenAPI 3.1', mediaType: 'application/json' } } }, async () => openApi());

    // The demo store page plays a store whose visitor is logged in: it signs its demo customer, as a
    // real store's page would sign its own (README, "Security model").
    fastify.get('/', async (_req, reply) => {
      const f = await sendFile(publicDir, 'index.html');
      if (!f) throw new ShopbotError('NOT_FOUND', 'demo page missing');
      const identity = app.demoIdentity();
      const html = f.body.toString('utf8').replace('data-identity=""', `data-identity="${identity ? escapeAttribute(JSON.stringify(identity)) : ''}"`);
      return reply.type(f.type).header('cache-control', 'no-store').send(html);
    });
    fastify.get('/widget/*', async (req, reply) => {
      const f = await sendFile(publicDir, (req.params as { '*': string })['*']);
      if (!f) throw new ShopbotError('NOT_FOUND', 'no such file');
      return reply.type(f.type).header('cache-control', 'public, max-age=300').send(f.body);
    });
    fastify.get('/policies/*', async (req, reply) => {
      const f = await sendFile(policiesDir, (req.params as { '*': string })['*']);
      if (!f) throw new ShopbotError('NOT_FOUND', 'no such policy document');
      return reply.type(f.type).send(f.body);
    });
    return { close() {} };
  };
}
