/**
 * One port for everything: fastify for REST, static files and channel webhooks; socket.io for the
 * widget (and the agent console). Error codes map to HTTP statuses in src/errors.ts only.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { Server } from 'socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import { z } from 'zod';
import { attachWebGateway, type WebGateway } from '../../channels/web/gateway.js';
import { createAgentAuth, mountAgentConsole } from '../../channels/web/console/index.js';
import { mountChatChannels } from '../../channels/shared/mount.js';
import type { ClientToServerEvents, ServerToClientEvents } from '../../channels/web/protocol.js';
import { REPO_ROOT, resolveFromRoot, type App } from '../app.js';
import { isDemoStore, type Config } from '../config.js';
import { errorBody, RateLimitedError, ShopbotError } from '../errors.js';
import { FunnelEventSchema } from '../funnel/events.js';
import { verifyWebhook } from '../funnel/webhook.js';
import { UiActionSchema } from '../messages.js';

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly fastify: FastifyInstance;
  readonly io: Server<ClientToServerEvents, ServerToClientEvents>;
  readonly gateway: WebGateway;
  close(): Promise<void>;
}

const IdSchema = z.string().min(8).max(100).regex(/^[A-Za-z0-9_:-]+$/);
const RestMessageSchema = z.object({
  text: z.string().max(100_000).default(''),
  userId: IdSchema.optional(),
  action: UiActionSchema.optional(),
  locale: z.string().max(20).optional(),
});
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
  const fastify = Fastify({ logger: false, bodyLimit: 1_048_576 });
  const publicDir = path.join(REPO_ROOT, 'channels', 'web', 'public');
  const policiesDir = resolveFromRoot(config.store.policiesDir);

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

  fastify.get('/healthz', async () => ({ status: 'ok' }));
  fastify.get('/readyz', async (_req, reply) => {
    const r = app.readiness();
    return reply.status(r.ready ? 200 : 503).send(r);
  });

  fastify.post('/v1/conversations/:id/messages', async (req) => {
    const id = parseOrThrow(IdSchema, (req.params as { id: string }).id, 'conversation id');
    const body = parseOrThrow(RestMessageSchema, req.body, 'message');
    const userId = body.userId ?? `rest-${id}`;
    if (!(await app.ownsConversation(id, userId))) throw new ShopbotError('FORBIDDEN', 'this conversation belongs to another user');
    return app.handleTurn({ conversationId: id, userId, channel: 'rest', text: body.text, ...(body.action ? { action: body.action } : {}), ...(body.locale ? { locale: body.locale } : {}) });
  });

  fastify.get('/v1/conversations/:id/messages', async (req) => {
    const id = parseOrThrow(IdSchema, (req.params as { id: string }).id, 'conversation id');
    if (!(await app.conversationExists(id))) throw new ShopbotError('UNKNOWN_CONVERSATION', `no conversation ${id}`);
    return { messages: await app.history(id) };
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

  fastify.get('/', async (_req, reply) => {
    const f = await sendFile(publicDir, 'index.html');
    if (!f) throw new ShopbotError('NOT_FOUND', 'demo page missing');
    return reply.type(f.type).send(f.body);
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

  const io = new Server<ClientToServerEvents, ServerToClientEvents>(fastify.server, {
    maxHttpBufferSize: 200_000,
    cors: { origin: true },
  });
  // Several servers behind a load balancer: rooms and pushes cross processes through Redis.
  const adapterClients = app.redis ? [app.redis.duplicate(), app.redis.duplicate()] : [];
  if (adapterClients.length === 2) io.adapter(createAdapter(adapterClients[0], adapterClients[1]));
  const gateway = attachWebGateway(io, {
    handleTurn: (msg, opts) => app.handleTurn(msg, opts),
    history: (id) => app.history(id),
    ownsConversation: (id, user) => app.ownsConversation(id, user),
    maxMessageChars: config.server.maxMessageChars,
    messagesPerMinute: config.limits.turnsPerMinutePerConversation,
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
