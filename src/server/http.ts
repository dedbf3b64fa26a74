/**
 * One port for everything: fastify for REST, static files and channel webhooks; socket.io for the
 * widget (and the agent console). The server's pieces are built first, without the app; then the
 * app opens with the channels plugged into them (REST, the sockets' admission, and whatever the
 * caller passes: the widget's gateway, Teams, Slack, the console), and only then does it listen.
 * Error codes map to HTTP statuses in src/errors.ts only.
 */
import fastifyCors from '@fastify/cors';
import Fastify, { type FastifyInstance } from 'fastify';
import { Server } from 'socket.io';
import { createLogger, openApp, type App, type AppDeps, type ChannelContext, type ChannelPlugin } from '../app.js';
import type { Config } from '../config.js';
import { errorBody, RateLimitedError, ShopbotError } from '../errors.js';
import type { Logger } from '../funnel/index.js';
import { clientAddress, createOriginPolicy } from './client.js';
import { acceptFromPrimary } from './cluster.js';
import { securityHeaders } from './headers.js';
import { ApiRoutes } from './openapi.js';
import { restApi } from './rest.js';
import type { HttpServer, ServerChannel } from './types.js';

export type { HttpServer, ServerChannel } from './types.js';

export interface ServerDeps extends Omit<AppDeps, 'channels'> {
  readonly channels?: readonly ServerChannel[];
}

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly fastify: FastifyInstance;
  readonly io: Server;
  readonly app: App;
  /** Every route registered, as fastify saw it (the OpenAPI test compares them with the description). */
  readonly routes: readonly { readonly method: string; readonly url: string }[];
  /** Closes the channels, the sockets and the HTTP server, then the app's backends. */
  close(): Promise<void>;
}

/** fastify and socket.io with everything that needs no app: body parsing, errors, security headers, CORS, origins. */
export async function createHttpServer(config: Config, log: Logger): Promise<HttpServer> {
  const hops = config.security.trustProxyHops;
  const fastify = Fastify({ logger: false, bodyLimit: 1_048_576, ...(hops > 0 ? { trustProxy: (_addr: string, i: number) => i < hops } : {}) });
  const origins = createOriginPolicy(config);
  const headers = securityHeaders(config);
  const routes: { method: string; url: string }[] = [];
  fastify.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) routes.push({ method, url: r.url });
  });

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
    log.error({ err, url: req.url }, 'request failed');
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

  const io = new Server(fastify.server, {
    maxHttpBufferSize: 200_000,
    // Polling from another site needs CORS; a handshake from an origin that is not allowed is refused
    // for every transport (WebSockets are not covered by CORS at all).
    cors: { origin: origins.allowed.length ? [...origins.allowed] : false },
    allowRequest: (req, cb) => cb(origins.isAllowed(req.headers.origin, req.headers.host) ? null : 'origin not allowed', origins.isAllowed(req.headers.origin, req.headers.host)),
  });
  return { config, fastify, io, api: new ApiRoutes(), routes, addressOf: (h) => clientAddress(h.address, h.headers['x-forwarded-for'], hops) };
}

/**
 * Socket admission (a rate per address, caps on open sockets per address and in total) and, with
 * Redis, the adapter that carries rooms and pushes across processes. Opened first, so it closes
 * last of the channels: socket.io and the HTTP server, then the adapter's connections.
 */
function sockets(http: HttpServer): ChannelPlugin {
  return (app: ChannelContext) => {
    const { io, fastify } = http;
    const { limits, config, metrics } = app;
    metrics.gauge('sockets_open', 'Socket.io connections open on this process', () => io.engine.clientsCount);
    io.use((socket, next) => {
      const address = http.addressOf(socket.handshake);
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
          metrics.error(e.code, 'socket');
          next(Object.assign(new Error(e.message), { data: { code: e.code, ...(e instanceof RateLimitedError ? { retryAfterMs: e.retryAfterMs } : {}) } }));
        },
      );
    });
    const inFlight = unansweredPackets(io);
    // Several servers behind a load balancer: rooms and pushes cross processes through Redis.
    const shared = app.socketAdapter?.();
    if (shared) io.adapter(shared.adapter);
    return {
      drain: (timeoutMs) => inFlight.idle(timeoutMs),
      async close() {
        await new Promise<void>((resolve) => io.close(() => resolve()));
        // io.close() already closed the HTTP server, so fastify's own close may report it as not running.
        await fastify.close().catch(() => undefined);
        await shared?.close();
      },
    };
  };
}

/**
 * Socket packets received and not yet acknowledged: a shutdown waits for them (each is answered,
 * or refused BUSY by the turn gate) before socket.io closes. A socket that disconnects gives up
 * its own. Then it waits for every answer written to reach its client: socket.io's close discards
 * what a long-polling client has not fetched yet (it fetches on its next request).
 */
function unansweredPackets(io: Server): { idle(timeoutMs: number): Promise<void> } {
  let open = 0;
  let waiters: (() => void)[] = [];
  const settle = () => {
    if (--open === 0) for (const resolve of waiters.splice(0)) resolve();
  };
  // Engine connections with packets written and not yet flushed to the client.
  const unflushed = new Map<object, Promise<void>>();
  io.on('connection', (socket) => {
    const conn = socket.conn;
    conn.on('packetCreate', () => {
      if (unflushed.has(conn)) return;
      unflushed.set(
        conn,
        new Promise<void>((resolve) => {
          const done = () => (unflushed.delete(conn), conn.off('flush', done), conn.off('close', done), resolve());
          conn.on('flush', done);
          conn.on('close', done);
        }),
      );
    });
    const mine = new Set<() => void>();
    socket.use((packet, next) => {
      const ack = packet[packet.length - 1] as unknown;
      if (typeof ack === 'function') {
        open++;
        const done = () => (mine.delete(done), settle());
        mine.add(done);
        packet[packet.length - 1] = (...args: unknown[]) => {
          if (mine.has(done)) done();
          return (ack as (...a: unknown[]) => unknown)(...args);
        };
      }
      next();
    });
    socket.once('disconnect', () => {
      for (const done of [...mine]) done();
    });
  });
  return {
    async idle(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const answered = open === 0 ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve));
      const delivered = answered.then(() => Promise.all([...unflushed.values()]));
      await Promise.race([delivered, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
      clearTimeout(timer);
      waiters = [];
    },
  };
}

/**
 * Builds the server, opens the app with its channels plugged in, and listens; a worker of
 * `serve --workers N` (deps.cluster) takes its connections from the primary instead.
 */
export async function startServer(config: Config, deps: ServerDeps = {}): Promise<RunningServer> {
  const log = deps.log ?? createLogger(config);
  const http = await createHttpServer(config, log);
  const { channels = [], ...appDeps } = deps;
  let app: App;
  try {
    app = await openApp(config, { ...appDeps, log, channels: [sockets(http), restApi(http), ...channels.map((open) => open(http))] });
  } catch (err) {
    // The app never opened, so nothing closes socket.io and fastify for it.
    await new Promise<void>((resolve) => http.io.close(() => resolve()));
    await http.fastify.close().catch(() => undefined);
    throw err;
  }
  let handed: { close(): void } | undefined;
  try {
    if (deps.cluster) {
      await http.fastify.ready();
      handed = acceptFromPrimary(http, deps.cluster.index, deps.cluster.primary);
    } else await http.fastify.listen({ host: config.server.host, port: config.server.port });
  } catch (err) {
    await app.close();
    throw err;
  }
  const address = http.fastify.server.address();
  const port = typeof address === 'object' && address ? address.port : config.server.port;
  const host = config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host;
  return { url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`, port, fastify: http.fastify, io: http.io, app, routes: http.routes, close: () => app.close().finally(() => handed?.close()) };
}
