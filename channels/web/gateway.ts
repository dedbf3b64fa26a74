/**
 * The widget's socket.io gateway: validates what the browser sends, turns it into InboundMessage,
 * runs the turn and acknowledges with the OutboundMessage. One socket speaks for one conversation
 * at a time, set by `hello`: a new conversation the server creates, or one resumed with its token;
 * turns on a socket run one after another so the conversation state sees messages in the order
 * the shopper sent them.
 */
import type { Server, Socket } from 'socket.io';
import { z } from 'zod';
import { isShopbotError, RateLimitedError, type ErrorCode } from '../../src/errors.js';
import type { SignedIdentity } from '../../src/identity/index.js';
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

/** What a hello asks for: a new conversation (no id), or the one its token opens. */
export interface HelloRequest {
  readonly conversationId?: string;
  readonly token?: string;
  readonly locale?: string;
  readonly identity?: SignedIdentity;
  /** The client's address (rate limits). */
  readonly address: string;
}

export interface WebGatewayDeps {
  handleTurn(msg: InboundMessage, opts: { signal?: AbortSignal }): Promise<OutboundMessage>;
  history(conversationId: string): Promise<TranscriptEntry[]>;
  /** Creates or resumes the conversation; coded errors (TOKEN_*, FORBIDDEN, IDENTITY_INVALID, RATE_LIMITED) refuse it. */
  hello(request: HelloRequest): Promise<{ conversationId: string; userId: string; token: string; expiresAt: number }>;
  /** Counts one message against the address's and the conversation's limits (RateLimitedError when over). */
  admitMessage(input: { address: string; conversationId: string }): Promise<void>;
  /** The client address of a socket (behind trusted proxies). */
  addressOf(handshake: { address: string; headers: Readonly<Record<string, string | string[] | undefined>> }): string;
  maxMessageChars: number;
  log: GatewayLog;
}

export type PushMessage = OutboundMessage & { from: 'bot' | 'agent' };

export interface WebGateway {
  /** Sends a message to every socket joined to the conversation (agent replies, handoff updates). */
  push(conversationId: string, message: PushMessage): void;
  /** Stops accepting connections' events and aborts turns in flight. */
  close(): void;
}

type ErrorReply = { error: { code: string; message: string; retryAfterMs?: number } };
type WebServer = Server<ClientToServerEvents, ServerToClientEvents>;
type WebSocket = Socket<ClientToServerEvents, ServerToClientEvents>;

/** Turns one socket may have waiting (one running, the rest queued); more is a flood, not a shopper. */
const MAX_PENDING_TURNS = 4;

/** Socket.io room names are shared across nodes through the Redis adapter, so keep them stable. */
export function conversationRoom(conversationId: string): string {
  return `conversation:${conversationId}`;
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
  address: string;
  /** Tail of the per-socket chain of hellos and turns. */
  chain: Promise<void>;
  /** Turns admitted and not yet answered. */
  pending: number;
  abort: AbortController;
}

export function attachWebGateway(io: WebServer, deps: WebGatewayDeps): WebGateway {
  const sessions = new Map<string, SocketSession>();

  async function onHello(socket: WebSocket, session: SocketSession, payload: unknown): Promise<HelloAck | ErrorReply> {
    const parsed = HelloSchema.safeParse(payload ?? {});
    if (!parsed.success) return errorReply('BAD_REQUEST', describeZodError(parsed.error));
    const { conversationId, userId, token, expiresAt } = await deps.hello({
      ...(parsed.data.conversationId ? { conversationId: parsed.data.conversationId } : {}),
      ...(parsed.data.token ? { token: parsed.data.token } : {}),
      ...(parsed.data.locale ? { locale: parsed.data.locale } : {}),
      ...(parsed.data.identity ? { identity: parsed.data.identity } : {}),
      address: session.address,
    });
    if (session.conversationId && session.conversationId !== conversationId) {
      await socket.leave(conversationRoom(session.conversationId));
    }
    session.conversationId = conversationId;
    session.userId = userId;
    session.locale = parsed.data.locale;
    await socket.join(conversationRoom(conversationId));
    const history = await deps.history(conversationId);
    return { conversationId, token, expiresAt, history, limits: { maxMessageChars: deps.maxMessageChars } };
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
    return action ? { text: text.trim(), action } : { text: text.trim() };
  }

  async function runTurn(socket: WebSocket, session: SocketSession, message: { text: string; action?: UiAction }): Promise<OutboundMessage | ErrorReply> {
    // Read the conversation when the turn runs, not when it arrived: a hello queued before it counts.
    const { conversationId, userId } = session;
    if (!conversationId || !userId) {
      return errorReply('UNKNOWN_CONVERSATION', 'send hello before the first message');
    }
    await deps.admitMessage({ address: session.address, conversationId });
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
    if (err instanceof RateLimitedError) return { error: { code: err.code, message: err.message, retryAfterMs: err.retryAfterMs } };
    if (isShopbotError(err)) return errorReply(err.code, err.message);
    deps.log.error({ err, socketId, event }, 'web gateway: unexpected error');
    return errorReply('INTERNAL', 'internal error');
  }

  function onConnection(socket: WebSocket): void {
    const session: SocketSession = { address: deps.addressOf(socket.handshake), chain: Promise.resolve(), pending: 0, abort: new AbortController() };
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
