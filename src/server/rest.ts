/**
 * The REST API, the store webhook and the static pages (demo store, widget, policy documents), as
 * a channel of the app: registered on the server's fastify when the app opens, with the per-address
 * rate limit in front of every /v1 route.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { REPO_ROOT, resolveFromRoot, type ChannelContext, type ChannelPlugin } from '../app.js';
import { ShopbotError } from '../errors.js';
import { FunnelEventSchema, verifyWebhook } from '../funnel/index.js';
import { feedbackEvent, FeedbackSchema } from '../insights/index.js';
import { isApiKey, isPlatformConversation, SignedIdentitySchema, type AuthorizedConversation } from '../identity/index.js';
import { ChannelSchema, UiActionSchema } from '../messages.js';
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

    fastify.get('/healthz', async () => ({ status: 'ok' }));
    fastify.get('/readyz', async (_req, reply) => {
      const r = app.readiness();
      return reply.status(r.ready ? 200 : 503).send(r);
    });

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

    fastify.post('/v1/conversations', async (req, reply) => {
      const body = parseOrThrow(NewConversationSchema, req.body ?? {}, 'conversation');
      await limits.consume(limits.rules.conversationPerIp, req.ip);
      const s = await app.sessions.start({ channel: 'rest', ...(body.locale ? { locale: body.locale } : {}), ...(body.identity ? { identity: body.identity } : {}) });
      return reply.status(201).send({ conversationId: s.conversationId, token: s.token, expiresAt: new Date(s.expiresAt).toISOString(), ...(s.customer ? { customer: { id: s.customer.id } } : {}) });
    });

    fastify.post('/v1/conversations/:id/messages', async (req) => {
      const id = parseOrThrow(IdSchema, (req.params as { id: string }).id, 'conversation id');
      const conversation = await authorizeConversation(req, id);
      const body = parseOrThrow(RestMessageSchema, req.body, 'message');
      await limits.consume(limits.rules.turnPerConversation, id);
      return app.handleTurn({ conversationId: id, userId: conversation.userId, channel: 'rest', text: body.text, ...(body.action ? { action: body.action } : {}), ...(body.locale ? { locale: body.locale } : {}) });
    });

    fastify.get('/v1/conversations/:id/messages', async (req) => {
      const id = parseOrThrow(IdSchema, (req.params as { id: string }).id, 'conversation id');
      await authorizeConversation(req, id);
      return { messages: await app.history(id) };
    });

    // Shopper feedback (a reply's thumbs, the conversation's rating), on the conversation's token.
    fastify.post('/v1/conversations/:id/feedback', async (req, reply) => {
      const id = parseOrThrow(IdSchema, (req.params as { id: string }).id, 'conversation id');
      const conversation = await authorizeConversation(req, id);
      const body = parseOrThrow(FeedbackSchema, req.body, 'feedback');
      await limits.consume(limits.rules.turnPerConversation, id);
      const channel = ChannelSchema.catch('rest').parse(conversation.state.channel);
      const stored = await app.funnel.append([feedbackEvent(body, { conversationId: id, userId: conversation.userId, channel, ts: Date.now() })]);
      return reply.status(202).send({ stored: stored === 1 });
    });

    // Sign-out: every token of the conversation stops working.
    fastify.delete('/v1/conversations/:id/token', async (req, reply) => {
      const id = parseOrThrow(IdSchema, (req.params as { id: string }).id, 'conversation id');
      await authorizeConversation(req, id);
      await app.sessions.revoke(id);
      return reply.status(204).send();
    });

    // A shopper's right to be forgotten, asked by the store's backend (API key with the privacy scope).
    fastify.delete('/v1/users/:id', async (req) => {
      const bearer = bearerOf(req);
      if (!bearer || !isApiKey(bearer)) throw new ShopbotError('UNAUTHORIZED', 'this call needs an API key with the privacy scope');
      refuseBrowser(req);
      app.apiKeys.verify(bearer, 'privacy');
      const userId = parseOrThrow(UserIdSchema, (req.params as { id: string }).id, 'user id');
      return { forgotten: await app.privacy.forget(userId) };
    });

    // Purchases and other events from a real store: HMAC-signed, replay-protected, idempotent.
    fastify.post('/v1/events', async (req, reply) => {
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
    });

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
