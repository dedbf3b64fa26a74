/**
 * Simulated widget shoppers in one client process: each opens its own socket.io connection over
 * WebSocket at its scheduled time, says `hello`, and plays conversation scripts with a think time
 * before every message, waiting for each reply the way the widget does (one message in flight per
 * shopper: a closed loop, so offered load falls when replies slow down, and the report says so).
 * Times that cross processes are epoch milliseconds; latencies use the monotonic clock.
 */
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, HelloAck, ServerToClientEvents } from '../../channels/web/protocol.js';
import type { OutboundMessage } from '../../src/messages.js';
import { createRng } from '../../src/maths/index.js';
import { createThinkTime, type Script, type ThinkDistribution } from './mix.js';

export interface ShopperPlan {
  readonly url: string;
  /** Global socket index (seeds its random stream) and when it connects (epoch ms). */
  readonly sockets: readonly { readonly index: number; readonly openAt: number }[];
  readonly scripts: readonly Script[];
  readonly thinkMs: number;
  readonly thinkDist: ThinkDistribution;
  readonly seed: number;
  /** No message is sent at or after this time (epoch ms); replies in flight are still awaited. */
  readonly endAt: number;
  /** Messages this process may send in all (its share of --max-turns). */
  readonly maxTurns: number;
  readonly replyTimeoutMs: number;
  readonly connectTimeoutMs: number;
}

/** Plain data, so it crosses the IPC channel as JSON. */
export interface ShopperResult {
  sockets: number;
  connected: number;
  connectMs: number[];
  /** Sockets that never connected, by cause: a server code (RATE_LIMITED, TOO_MANY_CONNECTIONS), TIMEOUT or TRANSPORT. */
  connectFailures: Record<string, number>;
  hellos: number;
  helloFailures: Record<string, number>;
  sent: number;
  /** When each message was sent (epoch ms), answered or not. */
  sendTimes: number[];
  /** Per answered turn: when it was sent (epoch ms) and how long the ack took. */
  sentAt: number[];
  ackAt: number[];
  latencyMs: number[];
  /** Turns answered with `{ error: { code } }`, by code. */
  errors: Record<string, number>;
  /** Turns whose ack never came: within the reply timeout, or before the socket dropped. */
  lostTimeout: number;
  lostDisconnect: number;
  /** Sockets the server or the network closed (not the bench's own close at the end). */
  disconnects: number;
  /** Answered turns per conversation id (every conversation opened, 0 included), to compare with the funnel's user-message events. */
  ackedByConversation: Record<string, number>;
  ackedBySource: Record<string, number>;
  cpuUserMs: number;
  cpuSystemMs: number;
}

type ShopperSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
type ErrorReply = { error: { code: string; message: string } };

function isErrorReply(r: unknown): r is ErrorReply {
  return typeof r === 'object' && r !== null && 'error' in r;
}

function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

/**
 * Why a handshake failed: the server's refusal code (RATE_LIMITED, TOO_MANY_CONNECTIONS), a
 * timeout, the socket error under the transport (ECONNREFUSED, ECONNRESET), or TRANSPORT.
 */
export function connectFailureCause(err: unknown): string {
  const e = err as { data?: { code?: unknown }; message?: unknown; type?: unknown; description?: { message?: unknown } };
  if (typeof e.data?.code === 'string') return e.data.code;
  if (e.message === 'timeout') return 'TIMEOUT';
  if (e.type === 'TransportError') {
    const socketError = typeof e.description?.message === 'string' ? /\bE[A-Z]{3,}\b/.exec(e.description.message)?.[0] : undefined;
    return socketError ?? 'TRANSPORT';
  }
  return 'OTHER';
}

function sleepUntil(epochMs: number): Promise<void> {
  const ms = epochMs - Date.now();
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

export async function runShoppers(plan: ShopperPlan): Promise<ShopperResult> {
  const cpu0 = process.cpuUsage();
  const r: ShopperResult = {
    sockets: plan.sockets.length,
    connected: 0,
    connectMs: [],
    connectFailures: {},
    hellos: 0,
    helloFailures: {},
    sent: 0,
    sendTimes: [],
    sentAt: [],
    ackAt: [],
    latencyMs: [],
    errors: {},
    lostTimeout: 0,
    lostDisconnect: 0,
    disconnects: 0,
    ackedByConversation: {},
    ackedBySource: {},
    cpuUserMs: 0,
    cpuSystemMs: 0,
  };
  let budget = plan.maxTurns;

  async function connect(): Promise<ShopperSocket | undefined> {
    const t0 = performance.now();
    const socket: ShopperSocket = io(plan.url, { transports: ['websocket'], reconnection: false, forceNew: true, timeout: plan.connectTimeoutMs });
    // socket.io's own timeout covers the engine handshake only; a server too busy to answer the
    // namespace connect would otherwise leave the shopper waiting for ever.
    const failure = await new Promise<string | undefined>((resolve) => {
      const timer = setTimeout(() => resolve('TIMEOUT'), plan.connectTimeoutMs);
      socket.once('connect', () => (clearTimeout(timer), resolve(undefined)));
      socket.once('connect_error', (err) => (clearTimeout(timer), resolve(connectFailureCause(err))));
    });
    if (failure) {
      socket.close();
      bump(r.connectFailures, failure);
      return undefined;
    }
    r.connected++;
    r.connectMs.push(performance.now() - t0);
    return socket;
  }

  async function shopper(index: number, openAt: number): Promise<void> {
    await sleepUntil(openAt);
    if (Date.now() >= plan.endAt) return;
    const socket = await connect();
    if (!socket) return;
    let isDropped = false;
    socket.on('disconnect', (reason) => {
      if (reason === 'io client disconnect') return;
      isDropped = true;
      r.disconnects++;
    });
    const rng = createRng(plan.seed * 1_000_003 + index);
    const think = createThinkTime(plan.thinkDist, plan.thinkMs, rng);
    try {
      while (!isDropped && budget > 0 && Date.now() < plan.endAt) {
        const script = plan.scripts[Math.floor(rng() * plan.scripts.length)]!;
        r.hellos++;
        let hello: HelloAck | ErrorReply;
        try {
          hello = await socket.timeout(plan.replyTimeoutMs).emitWithAck('hello', {});
        } catch {
          bump(r.helloFailures, isDropped ? 'DISCONNECTED' : 'TIMEOUT');
          return;
        }
        if (isErrorReply(hello)) {
          bump(r.helloFailures, hello.error.code);
          return;
        }
        const conversationId = hello.conversationId;
        r.ackedByConversation[conversationId] = 0; // Listed even if no reply comes, so its events still count.
        for (const text of script.turns) {
          await sleepUntil(Math.min(plan.endAt, Date.now() + think()));
          if (isDropped || budget <= 0 || Date.now() >= plan.endAt) return;
          budget--;
          r.sent++;
          const sentAt = Date.now();
          r.sendTimes.push(sentAt);
          const t0 = performance.now();
          let reply: OutboundMessage | ErrorReply;
          try {
            reply = await socket.timeout(plan.replyTimeoutMs).emitWithAck('message', { text });
          } catch {
            // The server may still answer later; the shopper has given up on this one and goes on.
            if (isDropped) r.lostDisconnect++;
            else r.lostTimeout++;
            continue;
          }
          if (isErrorReply(reply)) {
            bump(r.errors, reply.error.code);
            continue;
          }
          r.latencyMs.push(performance.now() - t0);
          r.sentAt.push(sentAt);
          r.ackAt.push(Date.now());
          bump(r.ackedByConversation, conversationId);
          bump(r.ackedBySource, script.source);
        }
      }
    } finally {
      socket.close();
    }
  }

  await Promise.all(plan.sockets.map((s) => shopper(s.index, s.openAt)));
  const cpu = process.cpuUsage(cpu0);
  r.cpuUserMs = cpu.user / 1000;
  r.cpuSystemMs = cpu.system / 1000;
  return r;
}
