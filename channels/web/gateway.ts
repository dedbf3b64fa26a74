/**
 * The widget's socket.io gateway: validates what the browser sends, turns it into InboundMessage,
 * runs the turn and acknowledges with the OutboundMessage. One socket speaks for one conversation
 * at a time (set by `hello`); turns on a socket run one after another so the conversation state
 * sees messages in the order the shopper sent them.
 */
import { randomUUID } from 'node:crypto';
import type { Server, Socket } from 'socket.io';
import { z } from 'zod';
import { isShopbotError, type ErrorCode } from '../../src/errors.js';
import type { InboundMessage, OutboundMessage, UiAction } from '../../src/messages.js';
import {
  ClientMessageSchema,
  HelloSchema,
  type ClientToServerEvents,
  type HelloAck,
  type ServerToClientEvents,
  type TranscriptEntry,
} from './protocol.js';

/** The subset of a pino logger the gateway uses. */
export interface GatewayLog {
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

export interface WebGatewayDeps {
  handleTurn(msg: InboundMessage, opts: { signal?: AbortSignal }): Promise<OutboundMessage>;
  history(conversationId: string): Promise<TranscriptEntry[]>;
  /** True when the conversation is new or already belongs to this user. */
  ownsConversation(conversationId: string, userId: string): Promise<boolean>;
  maxMessageChars: number;
  messagesPerMinute: number;
  log: GatewayLog;
  /** Milliseconds since the epoch; injected so the rate limit is testable without waiting. */
  clock?: () => number;
}

export type PushMessage = OutboundMessage & { from: 'bot' | 'agent' };

export interface WebGateway {
  /** Sends a message to every socket joined to the conversation (agent replies, handoff updates). */
  push(conversationId: string, message: PushMessage): void;
  /** Stops accepting connections' events and aborts turns in flight. */
  close(): void;
}

type ErrorReply = { error: { code: string; message: string } };
type WebServer = Server<ClientToServerEvents, ServerToClientEvents>;
type WebSocket = Socket<ClientToServerEvents, ServerToClientEvents>;

const RATE_WINDOW_MS = 60_000;
/** Turns one socket may have waiting (one running, the rest queued); more is a flood, not a shopper. */
const MAX_PENDING_TURNS = 4;

/** Socket.io room names are shared across nodes through the Redis adapter, so keep them stable. */
export function conversationRoom(conversationId: string): string {
  return `conversation:${conversationId}`;
}

function newId(prefix: 'c' | 'u'): string {
  // UUIDs are hex and dashes, so they pass the protocol's url-safe id pattern.
  return `${prefix}-${randomUUID()}`;
}

function errorReply(code: ErrorCode, message: string): ErrorReply {
  return { error: { code, message } };
}

function describeZodError(err: z.ZodError): string {
  const first = err.issues[0];
  if (!first) return 'invalid payload';
  const where = first.path.length > 0 ? first.path.join('.') : 'payload';
  return `invalid ${where}: ${first.message}`.slice(0, 300);
}

/** Per-socket state, kept in a closure rather than on socket.data so it is typed and private. */
interface SocketSession {
  conversationId?: string;
  userId?: string;
  locale?: string;
  /** Timestamps of accepted messages inside the current rate window. */
  recent: number[];
  /** Tail of the per-socket chain of hellos and turns. */
  chain: Promise<void>;
  /** Turns admitted and not yet answered. */
  pending: number;
  abort: AbortController;
}

export function attachWebGateway(io: WebServer, deps: WebGatewayDeps): WebGateway {
  const clock = deps.clock ?? Date.now;
  const sessions = new Map<string, SocketSession>();

  function isRateLimited(session: SocketSession): boolean {
    const now = clock();
    while (session.recent.length > 0 && now - (session.recent[0] ?? 0) >= RATE_WINDOW_MS) session.recent.shift();
    if (session.recent.length >= deps.messagesPerMinute) return true;
    session.recent.push(now);
    return false;
  }

  async function onHello(socket: WebSocket, session: SocketSession, payload: unknown): Promise<HelloAck | ErrorReply> {
    const parsed = HelloSchema.safeParse(payload ?? {});
    if (!parsed.success) return errorReply('BAD_REQUEST', describeZodError(parsed.error));
    const userId = parsed.data.userId ?? newId('u');
    const conversationId = parsed.data.conversationId ?? newId('c');
    if (!(await deps.ownsConversation(conversationId, userId))) {
      return errorReply('FORBIDDEN', 'this conversation belongs to another user');
    }
    if (session.conversationId && session.conversationId !== conversationId) {
      await socket.leave(conversationRoom(session.conversationId));
    }
    session.conversationId = conversationId;
    session.userId = userId;
    session.locale = parsed.data.locale;
    await socket.join(conversationRoom(conversationId));
    const history = await deps.history(conversationId);
    return { conversationId, userId, history, limits: { maxMessageChars: deps.maxMessageChars } };
  }

  /** Synchronous checks, run as the message arrives so a flood is refused before it queues. */
  function admit(session: SocketSession, payload: unknown): { text: string; action?: UiAction } | ErrorReply {
    // Check the configured cap before the schema, so an oversized text gets its own code.
    if (typeof payload === 'object' && payload !== null && 'text' in payload) {
      const text: unknown = (payload as { text: unknown }).text;
      if (typeof text === 'string' && text.length > deps.maxMessageChars) {
        return errorReply('MESSAGE_TOO_LONG', `messages are limited to ${deps.maxMessageChars} characters`);
      }
    }
    const parsed = ClientMessageSchema.safeParse(payload);
    if (!parsed.success) return errorReply('BAD_REQUEST', describeZodError(parsed.error));
    const { text, action } = parsed.data;
    if (text.trim() === '' && !action) return errorReply('MESSAGE_EMPTY', 'the message is empty');
    if (session.pending >= MAX_PENDING_TURNS) {
      return errorReply('RATE_LIMITED', `at most ${MAX_PENDING_TURNS} messages may wait for an answer`);
    }
    if (isRateLimited(session)) {
      return errorReply('RATE_LIMITED', `at most ${deps.messagesPerMinute} messages per minute`);
    }
    return action ? { text: text.trim(), action } : { text: text.trim() };
  }

  async function runTurn(socket: WebSocket, session: SocketSession, message: { text: string; action?: UiAction }): Promise<OutboundMessage | ErrorReply> {
    // Read the conversation when the turn runs, not when it arrived: a hello queued before it counts.
    const { conversationId, userId } = session;
    if (!conversationId || !userId) {
      return errorReply('UNKNOWN_CONVERSATION', 'send hello before the first message');
    }
    const inbound: InboundMessage = {
      conversationId,
      userId,
      channel: 'web',
      text: message.text,
      ...(session.locale ? { locale: session.locale } : {}),
      ...(message.action ? { action: message.action } : {}),
    };
    socket.emit('typing', { on: true });
    try {
      return await deps.handleTurn(inbound, { signal: session.abort.signal });
    } finally {
      socket.emit('typing', { on: false });
    }
  }

  function toErrorReply(err: unknown, socketId: string, event: string): ErrorReply {
    if (isShopbotError(err)) return errorReply(err.code, err.message);
    deps.log.error({ err, socketId, event }, 'web gateway: unexpected error');
    return errorReply('INTERNAL', 'internal error');
  }

  function onConnection(socket: WebSocket): void {
    const session: SocketSession = { recent: [], chain: Promise.resolve(), pending: 0, abort: new AbortController() };
    sessions.set(socket.id, session);

    // Handlers take unknown arguments: the typed events describe honest clients, not the wire.
    const raw = socket as unknown as { on(event: string, fn: (...args: unknown[]) => void): void };

    /** Runs after everything this socket sent before, so hello and turns apply in the order sent. */
    function enqueue(task: () => Promise<void>): void {
      const run = async (): Promise<void> => {
        if (session.abort.signal.aborted) return; // Disconnected: nobody is waiting for the answer.
        await task();
      };
      session.chain = session.chain.then(run, run);
    }

    raw.on('hello', (payload: unknown, ack: unknown) => {
      if (typeof ack !== 'function') return; // Every event is acknowledged; one without an ack is malformed.
      enqueue(() =>
        onHello(socket, session, payload).then(
          (reply) => ack(reply),
          (err: unknown) => ack(toErrorReply(err, socket.id, 'hello')),
        ),
      );
    });

    raw.on('message', (payload: unknown, ack: unknown) => {
      if (typeof ack !== 'function') return;
      const admitted = admit(session, payload);
      if ('error' in admitted) {
        ack(admitted);
        return;
      }
      session.pending++;
      enqueue(() =>
        runTurn(socket, session, admitted)
          .then(
            (reply) => ack(reply),
            (err: unknown) => {
              if (session.abort.signal.aborted) {
                deps.log.debug({ socketId: socket.id }, 'web gateway: turn aborted by disconnect');
                return;
              }
              ack(toErrorReply(err, socket.id, 'message'));
            },
          )
          .finally(() => {
            session.pending--;
          }),
      );
    });

    socket.on('disconnect', () => {
      session.abort.abort();
      sessions.delete(socket.id);
    });
  }

  io.on('connection', onConnection);

  return {
    push(conversationId, message) {
      io.to(conversationRoom(conversationId)).emit('push', message);
    },
    close() {
      io.off('connection', onConnection);
      for (const session of sessions.values()) session.abort.abort();
      sessions.clear();
    },
  };
}
