/**
 * One port for everything: fastify for REST, static files and channel webhooks; socket.io for the
 * widget (and the agent console). Error codes map to HTTP statuses in src/errors.ts only.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import fastifyCors from '@fastify/cors';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { Server } from 'socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import { z } from 'zod';
import { attachWebGateway, createAgentAuth, mountAgentConsole, type WebGateway, type ClientToServerEvents, type ServerToClientEvents } from '../../channels/web/index.js';
import { mountChatChannels } from '../../channels/chat.js';
import { REPO_ROOT, resolveFromRoot, type App } from '../app.js';
import { isDemoStore, type Config } from '../config.js';
import { errorBody, RateLimitedError, ShopbotError } from '../errors.js';
import { FunnelEventSchema, verifyWebhook } from '../funnel/index.js';
import { isApiKey, isPlatformConversation, SignedIdentitySchema, type AuthorizedConversation } from '../identity/index.js';
import { UiActionSchema } from '../messages.js';
import { UserIdSchema } from '../privacy/index.js';
import { clientAddress, createOriginPolicy } from './client.js';
import { securityHeaders } from './headers.js';

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly fastify: FastifyInstance;
  readonly io: Server<ClientToServerEvents, ServerToClientEvents>;
  readonly gateway: WebGateway;
  close(): Promise<void>;
}

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

export async function startServer(app: App, config: Config = app.config, extra?: (fastify: FastifyInstance, io: Server) => Promise<void> | void): Promise<RunningServer> {
  // First, before anything listens: a bad agents.users entry or a missing session secret stops start-up.
  const agentAuth = config.agents.users
    ? await createAgentAuth({
        users: config.agents.users,
        ...(config.security.sessionSecret ? { secret: config.security.sessionSecret } : {}),
        allowEphemeralKey: isDemoStore(config),
        now: Date.now,
      })
    : undefined;
  const hops = config.security.trustProxyHops;
  const fastify = Fastify({ logger: false, bodyLimit: 1_048_576, ...(hops > 0 ? { trustProxy: (_addr: string, i: number) => i < hops } : {}) });
  const publicDir = path.join(REPO_ROOT, 'channels', 'web', 'public');
  const policiesDir = resolveFromRoot(config.store.policiesDir);
  const origins = createOriginPolicy(config);
  const headers = securityHeaders(config);
  const { limits } = app;

  // Keep the raw body for signature checks (HMAC over exactly the bytes received).
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    (req as unknown as { rawBody: string }).rawBody = body as string;
    if ((body as string).length === 0) return done(null, {});
    try {
      done(null, JSON.parse(body as string));
    } catch {
      done(new ShopbotError('BAD_REQUEST', 'body is not valid JSON'), undefined);
    }
  });

  fastify.setErrorHandler((err, req, reply) => {
    if (err instanceof ShopbotError) {
      const { status, body } = errorBody(err);
      if (err instanceof RateLimitedError) reply.header('retry-after', String(Math.ceil(err.retryAfterMs / 1000)));
      return reply.status(status).send(body);
    }
    const status = (err as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500) {
      return reply.status(status).send({ error: { code: status === 413 ? 'MESSAGE_TOO_LONG' : 'BAD_REQUEST', message: (err as Error).message } });
    }
    app.log.error({ err, url: req.url }, 'request failed');
    return reply.status(500).send(errorBody(err).body);
  });

  fastify.addHook('onSend', async (_req, reply, payload) => {
    for (const [k, v] of Object.entries(headers.common)) reply.header(k, v);
    if (String(reply.getHeader('content-type') ?? '').startsWith('text/html')) for (const [k, v] of Object.entries(headers.html)) reply.header(k, v);
    return payload;
  });

  // Browsers may call the API only from the allowed origins (CORS answers them; others get no CORS
  // headers and, for anything but a read, a 403 before the route runs).
  await fastify.register(fastifyCors, {
    origin: (origin, cb) => cb(null, origin !== undefined && origins.allowed.includes(origin)),
    methods: ['GET', 'POST', 'DELETE'],
    allowedHeaders: ['content-type', 'authorization'],
    maxAge: 600,
  });
  fastify.addHook('onRequest', async (req) => {
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return;
    if (!origins.isAllowed(req.headers.origin, req.headers.host)) throw new ShopbotError('ORIGIN_FORBIDDEN', `origin ${String(req.headers.origin).slice(0, 100)} may not use this server`);
  });
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

  const addressOf = (h: { address: string; headers: Readonly<Record<string, string | string[] | undefined>> }) => clientAddress(h.address, h.headers['x-forwarded-for'], hops);
  const io = new Server<ClientToServerEvents, ServerToClientEvents>(fastify.server, {
    maxHttpBufferSize: 200_000,
    // Polling from another site needs CORS; a handshake from an origin that is not allowed is refused
    // for every transport (WebSockets are not covered by CORS at all).
    cors: { origin: origins.allowed.length ? [...origins.allowed] : false },
    allowRequest: (req, cb) => cb(origins.isAllowed(req.headers.origin, req.headers.host) ? null : 'origin not allowed', origins.isAllowed(req.headers.origin, req.headers.host)),
  });
  // Widget connections: a rate per address, and caps on open sockets per address and in total.
  io.use((socket, next) => {
    const address = addressOf(socket.handshake);
    (async () => {
      await limits.consume(limits.rules.socketConnectPerIp, address);
      const slot = await limits.connections.acquire(address);
      if (slot !== 'ok') {
        throw new RateLimitedError(5000, slot === 'per_key' ? `at most ${config.limits.maxSocketsPerIp} open connections from one address` : 'the server is at its connection limit', 'TOO_MANY_CONNECTIONS');
      }
      socket.once('disconnect', () => void limits.connections.release(address).catch((err: unknown) => app.log.warn({ err }, 'socket slot release failed')));
    })().then(
      () => next(),
      (err: unknown) => {
        const e = err instanceof ShopbotError ? err : new ShopbotError('INTERNAL', 'connection refused');
        if (!(err instanceof ShopbotError)) app.log.error({ err }, 'socket admission failed');
        next(Object.assign(new Error(e.message), { data: { code: e.code, ...(e instanceof RateLimitedError ? { retryAfterMs: e.retryAfterMs } : {}) } }));
      },
    );
  });
  // Several servers behind a load balancer: rooms and pushes cross processes through Redis.
  const adapterClients = app.redis ? [app.redis.duplicate(), app.redis.duplicate()] : [];
  if (adapterClients.length === 2) io.adapter(createAdapter(adapterClients[0], adapterClients[1]));
  const gateway = attachWebGateway(io, {
    handleTurn: (msg, opts) => app.handleTurn(msg, opts),
    history: (id) => app.history(id),
    async hello({ conversationId, token, locale, identity, address }) {
      if (conversationId) return app.sessions.resume(conversationId, token, identity);
      await limits.consume(limits.rules.conversationPerIp, address);
      return app.sessions.start({ channel: 'web', ...(locale ? { locale } : {}), ...(identity ? { identity } : {}) });
    },
    async admitMessage({ address, conversationId }) {
      await limits.consume(limits.rules.socketMessagePerIp, address);
      await limits.consume(limits.rules.turnPerConversation, conversationId);
    },
    addressOf,
    maxMessageChars: config.server.maxMessageChars,
    log: { warn: (o, m) => app.log.warn(o, m), error: (o, m) => app.log.error(o, m), debug: (o, m) => (app.log as { debug?: (o: unknown, m?: string) => void }).debug?.(o, m) },
  });
  // Teams and Slack: mounted when their credentials are set; the log says which are off and why.
  const chat = await mountChatChannels(fastify, {
    config,
    funnel: app.funnel,
    logger: app.log,
    handleTurn: (msg, opts) => app.handleTurn(msg, opts),
    // The service's callbacks: a thread reply takes a queued ticket first; who may act is checked there.
    support: app.handoff.callbacks,
  });
  if (chat.supportDesk) app.handoff.addDesk(chat.supportDesk);
  // Agent replies reach the shopper wherever they are: the widget's room, or their Teams/Slack conversation.
  app.handoff.attachPush((conversationId, message) => {
    if (/^(teams|slack):/.test(conversationId)) {
      chat.deliver(conversationId, message).catch((err: unknown) => app.log.error({ err, conversationId }, 'could not deliver an agent reply'));
    } else gateway.push(conversationId, message);
  });
  const agentConsole = agentAuth
    ? mountAgentConsole(fastify, io as unknown as Server, {
        service: app.handoff,
        auth: agentAuth,
        handoff: app.handoffConfig,
        limits: app.limits,
        addressOf,
        log: app.log,
      })
    : undefined;
  if (extra) await extra(fastify, io as unknown as Server);

  await fastify.listen({ host: config.server.host, port: config.server.port });
  const address = fastify.server.address();
  const port = typeof address === 'object' && address ? address.port : config.server.port;
  const host = config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host;
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    port,
    fastify,
    io,
    gateway,
    async close() {
      agentConsole?.close();
      await chat.close();
      gateway.close();
      await new Promise<void>((resolve) => io.close(() => resolve()));
      // io.close() already closed the HTTP server, so fastify's own close may report it as not running.
      await fastify.close().catch(() => undefined);
      for (const c of adapterClients) await c.quit();
    },
  };
}
