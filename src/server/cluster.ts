/**
 * `shopbot serve --workers N`: a primary process owns the port and hands each TCP connection to
 * one of N worker processes, each a whole server (src/server/http.ts) on the shared data dir.
 *
 * Sticky sessions: socket.io's long-polling sends every request of one socket as a new HTTP
 * request, and only the worker that made the session knows it. So a worker names its sessions
 * after itself (engine.io ids `w<index>-<random>`); the primary reads the request line of each new
 * connection and sends a request carrying `sid=w<index>-...` to that worker, anything else
 * (handshakes, WebSocket upgrades without a session, REST, pages) round-robin. The primary never
 * parses more than the first line, and never touches a byte after it: the worker gets the socket
 * and the bytes already read. Workers close each HTTP connection after its response, so a
 * keep-alive connection can never carry one worker's session to another; WebSockets, once
 * upgraded, stay where they are. (Behind a load balancer, make it sticky on the same `sid`, or on
 * the client address, the way socket.io's own docs say.)
 *
 * Shared between workers: the SQLite file (WAL; every write transaction BEGIN IMMEDIATE under
 * busy_timeout), the rate limits and socket caps (counted here, in the primary, over IPC), rooms
 * and pushes (@socket.io/cluster-adapter, also over IPC). Worker 1 is the leader (src/cluster).
 *
 * The primary restarts a worker that dies; SIGTERM or SIGINT drains every worker (each closes its
 * server: turns in flight answered, the funnel written) and then exits.
 */
import cluster, { type Worker } from 'node:cluster';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { setupPrimary as setupAdapterPrimary } from '@socket.io/cluster-adapter';
import { RateLimiterClusterMaster } from 'rate-limiter-flexible';
import { z } from 'zod';
import { LEARN_CHANNEL, type IpcPort } from '../cluster/index.js';
import type { Config } from '../config.js';
import { ShopbotError } from '../errors.js';
import type { Logger } from '../funnel/index.js';
import { ConnectionCountsPrimary } from '../limits/index.js';
import type { HttpServer } from './types.js';

const CONTROL_CHANNEL = 'shopbot:worker';
const CONNECTION_CHANNEL = 'shopbot:connection';
/** A request line longer than this is not HTTP we serve (node's own header limit is 16 KiB). */
const MAX_REQUEST_LINE_BYTES = 16_384;
/** A client that sends no request line within this long is dropped (slowloris). */
const NO_WORKER_BODY = JSON.stringify({ error: { code: 'BUSY', message: 'the server is starting or restarting its workers; retry shortly' } });
const NO_WORKER_RESPONSE =
  `HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\nContent-Length: ${Buffer.byteLength(NO_WORKER_BODY)}\r\nConnection: close\r\n\r\n${NO_WORKER_BODY}`;
const FIRST_LINE_TIMEOUT_MS = 10_000;
/** A worker that died is started again after this long (longer after quick deaths, up to a minute). */
const RESTART_DELAY_MS = 1000;
const MAX_RESTART_DELAY_MS = 60_000;
/** A worker that lived this long before dying is restarted without back-off. */
const HEALTHY_UPTIME_MS = 30_000;
/** The longest SIGTERM waits for the workers to drain before it kills them. */
const DRAIN_TIMEOUT_MS = 30_000;

const ControlSchema = z.object({ channel: z.literal(CONTROL_CHANNEL), type: z.enum(['ready', 'shutdown']) });
const ConnectionSchema = z.object({ channel: z.literal(CONNECTION_CHANNEL), head: z.string().max(MAX_REQUEST_LINE_BYTES * 2) });

/** The engine.io session id of worker `index`; the primary routes by its prefix. */
export function sessionIdFor(index: number): string {
  return `w${index}-${randomBytes(15).toString('base64url')}`;
}

/** The worker a request belongs to, from its request line (`GET /socket.io/?...&sid=w2-...`); undefined for any worker. */
export function workerOfRequestLine(line: string): number | undefined {
  const m = /^[A-Z]+ [^ ?]*\?(?:[^ ]*&)?sid=w(\d{1,4})-/.exec(line);
  return m ? Number(m[1]) : undefined;
}

export interface PrimaryOptions {
  readonly workers: number;
  readonly log: Logger;
  /** Extra environment for every worker (the CLI passes its flags this way). */
  readonly env?: Readonly<Record<string, string>>;
}

export interface RunningPrimary {
  readonly url: string;
  readonly port: number;
  /** Worker index → pid, of the workers running now. */
  pids(): ReadonlyMap<number, number>;
  /** Stops accepting, drains every worker, resolves when all have exited. */
  close(): Promise<void>;
}

interface Slot {
  index: number;
  worker?: Worker;
  ready: boolean;
  startedAt: number;
  restartDelayMs: number;
}

/** Forks the workers (the leader first, so only it migrates and imports the demo catalog), then listens. */
export async function runPrimary(config: Config, options: PrimaryOptions): Promise<RunningPrimary> {
  if (!cluster.isPrimary) throw new ShopbotError('INTERNAL', 'runPrimary called in a worker');
  const { log, workers } = options;
  setupAdapterPrimary();
  // Every worker's RateLimiterCluster counts here (a singleton of the library, one per primary).
  new RateLimiterClusterMaster();
  const counts = new ConnectionCountsPrimary({ maxPerKey: config.limits.maxSocketsPerIp, maxTotal: config.limits.maxSockets });
  const slots: Slot[] = Array.from({ length: workers }, (_, i) => ({ index: i + 1, ready: false, startedAt: 0, restartDelayMs: RESTART_DELAY_MS }));
  let closing = false;
  let port = config.server.port;
  let started = false;
  let failStart: (err: Error) => void = () => undefined;

  let next = 0;
  const live = () => slots.filter((s) => s.ready && s.worker);
  const pick = (index: number | undefined): Worker | undefined => {
    const own = index !== undefined ? slots[index - 1] : undefined;
    if (own?.ready && own.worker) return own.worker;
    // A session of a worker that is gone: another answers "unknown session" and the client starts a new one.
    const ready = live();
    if (ready.length === 0) return undefined;
    return ready[next++ % ready.length]!.worker;
  };

  // Connections sent to a worker whose send has not completed yet, per worker. The primary keeps
  // its own copy of each socket (keepOpen) and closes it itself once the send is done: with
  // keepOpen false node closes it only when the worker acknowledges the handle, and a worker that
  // exits (draining, or killed) before reading the message never does, which kept the primary's
  // event loop alive after SIGTERM until the test's 45 s kill. Declared before the port is bound:
  // a connection can arrive as soon as it is.
  const handingOver = new Map<Worker, Set<net.Socket>>();

  // The port is bound before any worker starts, so PORT=0 gives the workers the real port to report.
  const server = net.createServer((socket) => route(socket));
  server.on('error', (err) => log.error({ err }, 'primary listener failed'));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: config.server.host, port }, () => (server.off('error', reject), resolve()));
  });
  port = (server.address() as net.AddressInfo).port;

  const fork = (slot: Slot): Worker => {
    const worker = cluster.fork({ ...options.env, SHOPBOT_WORKER_INDEX: String(slot.index), SHOPBOT_WORKERS: String(workers), PORT: String(port) });
    slot.worker = worker;
    slot.ready = false;
    slot.startedAt = Date.now();
    worker.on('message', (message: unknown) => {
      const control = ControlSchema.safeParse(message);
      if (control.success && control.data.type === 'ready') {
        slot.ready = true;
        log.info({ worker: slot.index, pid: worker.process.pid }, `worker ${slot.index} ready`);
        return;
      }
      if (counts.handle(worker.id, message, (reply) => worker.send(reply as never))) return;
      // A follower's events for the leader's learners, relayed as they are (the leader validates
      // them); dropped while the leader restarts (it replays the log from its checkpoint when it starts).
      if ((message as { channel?: unknown })?.channel === LEARN_CHANNEL) {
        const leader = slots[0]!;
        if (leader.ready && leader.worker && slot !== leader) leader.worker.send(message as never);
      }
    });
    worker.once('exit', (code, signal) => {
      counts.dropWorker(worker.id);
      // Sends still queued behind an unacknowledged handle never complete now.
      for (const socket of handingOver.get(worker) ?? []) socket.destroy();
      handingOver.delete(worker);
      if (slot.worker === worker) (slot.worker = undefined), (slot.ready = false);
      if (closing) return;
      if (!started) {
        failStart(new ShopbotError('INTERNAL', `worker ${slot.index} exited during start-up (code ${code}, signal ${signal})`));
        return;
      }
      const lived = Date.now() - slot.startedAt;
      slot.restartDelayMs = lived >= HEALTHY_UPTIME_MS ? RESTART_DELAY_MS : Math.min(MAX_RESTART_DELAY_MS, slot.restartDelayMs * 2);
      log.error({ worker: slot.index, pid: worker.process.pid, code, signal, restartInMs: slot.restartDelayMs }, `worker ${slot.index} died; restarting it`);
      setTimeout(() => !closing && fork(slot), slot.restartDelayMs).unref();
    });
    return worker;
  };

  const whenReady = (slot: Slot) =>
    new Promise<void>((resolve, reject) => {
      failStart = reject;
      const check = setInterval(() => slot.ready && (clearInterval(check), resolve()), 20);
      slot.worker!.once('exit', () => clearInterval(check));
    });

  try {
    fork(slots[0]!);
    await whenReady(slots[0]!);
    const rest = slots.slice(1);
    for (const s of rest) fork(s);
    await Promise.all(rest.map(whenReady));
    started = true;
  } catch (err) {
    closing = true;
    for (const s of slots) s.worker?.process.kill('SIGKILL');
    server.close();
    throw err;
  }

  function route(socket: net.Socket): void {
    let head = Buffer.alloc(0);
    const timer = setTimeout(() => socket.destroy(), FIRST_LINE_TIMEOUT_MS);
    const fail = () => (clearTimeout(timer), socket.destroy());
    socket.on('error', fail);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const eol = head.indexOf('\r\n');
      if (eol < 0 && head.length < MAX_REQUEST_LINE_BYTES) return;
      socket.off('data', onData);
      socket.pause();
      clearTimeout(timer);
      // Anything read past the first chunk and not yet delivered goes with it.
      const buffered = socket.read() as Buffer | null;
      if (buffered) head = Buffer.concat([head, buffered]);
      const worker = pick(eol < 0 ? undefined : workerOfRequestLine(head.subarray(0, eol).toString('latin1')));
      // No worker ready (start-up, or every worker restarting): a coded BUSY at once, as a saturated
      // worker answers, rather than a reset the client cannot tell from a dead server.
      if (!worker) return void socket.end(NO_WORKER_RESPONSE);
      socket.off('error', fail);
      let pending = handingOver.get(worker);
      if (!pending) handingOver.set(worker, (pending = new Set()));
      pending.add(socket);
      const sent = pending;
      // Once written, the worker holds its own descriptor: the primary's copy is closed either way.
      worker.send({ channel: CONNECTION_CHANNEL, head: head.toString('base64') } as never, socket, { keepOpen: true }, () => {
        sent.delete(socket);
        socket.destroy();
      });
    };
    socket.on('data', onData);
  }

  let closed: Promise<void> | undefined;
  const close = async () => {
    closing = true;
    // The port stays open while the workers drain: a long-polling shopper's next request (a new
    // connection each time) still reaches its worker, and gets its answer or a coded BUSY.
    const running = slots.flatMap((s) => (s.worker ? [s.worker] : []));
    await Promise.all(
      running.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.isDead()) return resolve();
            const kill = setTimeout(() => w.process.kill('SIGKILL'), DRAIN_TIMEOUT_MS);
            w.once('exit', () => (clearTimeout(kill), resolve()));
            w.send({ channel: CONTROL_CHANNEL, type: 'shutdown' } as never);
          }),
      ),
    );
    // Not awaited: the sockets handed over still count as this server's connections, so its
    // close callback would wait for sockets the workers have already closed.
    server.close();
  };
  const host = config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host;
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    port,
    pids: () => new Map(slots.flatMap((s) => (s.worker?.process.pid ? [[s.index, s.worker.process.pid] as const] : []))),
    close: () => (closed ??= close()),
  };
}

/**
 * A worker's side: takes the connections the primary hands over into the server's HTTP server
 * (which never listens itself), names its socket.io sessions for routing, and closes every HTTP
 * connection after its response (see the top of this file).
 */
export function acceptFromPrimary(http: HttpServer, index: number, primary: IpcPort): { close(): void } {
  const server = http.fastify.server;
  http.io.engine.generateId = () => sessionIdFor(index);
  server.prependListener('request', (_req, res) => res.setHeader('connection', 'close'));
  const onMessage = (message: unknown, handle?: unknown) => {
    const m = ConnectionSchema.safeParse(message);
    if (!m.success || !(handle instanceof net.Socket)) return;
    server.emit('connection', handle);
    // The bytes the primary read to route it, as if they had just arrived.
    handle.emit('data', Buffer.from(m.data.head, 'base64'));
    handle.resume();
  };
  primary.on('message', onMessage);
  return { close: () => void primary.off('message', onMessage) };
}

/** Tells the primary this worker serves; resolves when the primary asks it to drain. */
export function reportReady(primary: IpcPort): Promise<void> {
  primary.send({ channel: CONTROL_CHANNEL, type: 'ready' });
  return new Promise((resolve) => {
    const onMessage = (message: unknown) => {
      const m = ControlSchema.safeParse(message);
      if (!m.success || m.data.type !== 'shutdown') return;
      primary.off('message', onMessage);
      resolve();
    };
    primary.on('message', onMessage);
  });
}
