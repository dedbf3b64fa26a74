/**
 * The agent console: POST /console/login, the page at /console, and the socket.io namespace
 * `/agents`. Agents see their teams' queue with its service-level timers, take a conversation (with
 * its brief and transcript), reply live into the shopper's widget (typed or canned), keep internal
 * notes, tag, snooze, transfer to a team or an agent, hand it back to the bot or resolve it with a reason.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { Server, Socket } from 'socket.io';
import { z } from 'zod';
import { isShopbotError, RateLimitedError, ShopbotError } from '../../../src/errors.js';
import type { HandoffFile, HandoffService, TicketView } from '../../../src/handoff/index.js';
import type { Limits } from '../../../src/limits/index.js';
import type { AgentAuth } from './auth.js';

export const AGENTS_NAMESPACE = '/agents';
const HERE = path.dirname(fileURLToPath(import.meta.url));

const LoginSchema = z.object({ name: z.string().min(1).max(60), password: z.string().min(1).max(200) });
const TakeSchema = z.object({ ticketId: z.string().min(1).max(100) });
const ConversationSchema = z.object({ conversationId: z.string().min(1).max(100) });
const ReplySchema = z.object({ conversationId: z.string().min(1).max(100), text: z.string().min(1).max(4000) });
const CannedSchema = z.object({ conversationId: z.string().min(1).max(100), cannedId: z.string().min(1).max(40) });
const NoteSchema = z.object({ conversationId: z.string().min(1).max(100), text: z.string().min(1).max(2000) });
const TransferSchema = z.object({
  conversationId: z.string().min(1).max(100),
  to: z.union([z.object({ team: z.string().min(1).max(40) }).strict(), z.object({ agentId: z.string().min(1).max(200) }).strict()]),
  note: z.string().max(2000).optional(),
});
const TagsSchema = z.object({ conversationId: z.string().min(1).max(100), tags: z.array(z.string().max(40)).max(20) });
const SnoozeSchema = z.object({ conversationId: z.string().min(1).max(100), minutes: z.number().int().min(0).max(10_080) });
const ResolveSchema = z.object({ conversationId: z.string().min(1).max(100), resolution: z.string().min(1).max(40).optional() });

type Ack = (response: unknown) => void;

export interface AgentToServerEvents {
  queue: (payload: Record<string, never>, ack: Ack) => void;
  take: (payload: { ticketId: string }, ack: Ack) => void;
  reply: (payload: { conversationId: string; text: string }, ack: Ack) => void;
  handBack: (payload: { conversationId: string }, ack: Ack) => void;
  resolve: (payload: { conversationId: string; resolution?: string }, ack: Ack) => void;
  canned: (payload: { conversationId: string }, ack: Ack) => void;
  sendCanned: (payload: { conversationId: string; cannedId: string }, ack: Ack) => void;
  note: (payload: { conversationId: string; text: string }, ack: Ack) => void;
  notes: (payload: { conversationId: string }, ack: Ack) => void;
  transfer: (payload: { conversationId: string; to: { team: string } | { agentId: string }; note?: string }, ack: Ack) => void;
  tags: (payload: { conversationId: string; tags: string[] }, ack: Ack) => void;
  snooze: (payload: { conversationId: string; minutes: number }, ack: Ack) => void;
  /** What the tool pickers offer: the teams and agents a ticket can go to, the resolution reasons. */
  desk: (payload: Record<string, never>, ack: Ack) => void;
}
export interface ServerToAgentEvents {
  queue: (tickets: TicketView[]) => void;
  shopperMessage: (m: { conversationId: string; text: string; ts: number }) => void;
}

export interface AgentConsoleDeps {
  readonly service: HandoffService;
  readonly auth: AgentAuth;
  readonly handoff: HandoffFile;
  /** Login throttling per address, lock-out per account, handshakes per address. */
  readonly limits: Limits;
  /** The client address of a socket behind trusted proxies (the REST side uses fastify's req.ip). */
  readonly addressOf?: (handshake: { address: string; headers: Readonly<Record<string, string | string[] | undefined>> }) => string;
  readonly log?: { warn(obj: object, msg?: string): void };
}

function agentRoom(name: string): string {
  return `agent:${name}`;
}

interface ErrorReply {
  readonly code: string;
  readonly message: string;
  /** Rate limits and lock-outs: when to try again. */
  readonly retryAfterMs?: number;
}

function errorOf(err: unknown): ErrorReply {
  if (err instanceof RateLimitedError) return { code: err.code, message: err.message, retryAfterMs: err.retryAfterMs };
  if (isShopbotError(err)) return { code: err.code, message: err.message };
  return { code: 'INTERNAL', message: 'internal error' };
}

/** The page and its script and styles: files, not inline, so the page works under a CSP without 'unsafe-inline'. */
const PAGE_FILES: Readonly<Record<string, { file: string; type: string }>> = {
  '/console': { file: 'console.html', type: 'text/html; charset=utf-8' },
  '/console/console.js': { file: 'console.js', type: 'text/javascript; charset=utf-8' },
  '/console/console.css': { file: 'console.css', type: 'text/css; charset=utf-8' },
};

/**
 * A login from the console or the merchant dashboard: the rate per address, then the account's
 * lock-out counted before the password is checked, not after a failure (parallel guesses would all
 * pass a check made first). A locked account refuses even the right password, and unknown names
 * count too, so a lock-out does not tell which names exist.
 */
export async function passwordLogin(limits: Limits, auth: AgentAuth, address: string, rawBody: unknown): Promise<{ token: string; name: string }> {
  await limits.consume(limits.rules.loginPerIp, address);
  const body = LoginSchema.safeParse(rawBody);
  if (!body.success) throw new ShopbotError('BAD_REQUEST', 'login: name and password are required');
  const { name, password } = body.data;
  await limits.consume(limits.rules.loginFailure, name);
  const token = await auth.login(name, password);
  await limits.reset(limits.rules.loginFailure, name);
  return { token, name };
}

export function mountAgentConsole(fastify: FastifyInstance, io: Server, deps: AgentConsoleDeps): { close(): void } {
  const { limits } = deps;
  fastify.post('/console/login', async (req) => passwordLogin(limits, deps.auth, req.ip, req.body));
  for (const [url, { file, type }] of Object.entries(PAGE_FILES)) {
    fastify.get(url, async (_req, reply) => reply.type(type).send(await readFile(path.join(HERE, file))));
  }

  const nsp = io.of(AGENTS_NAMESPACE);
  const teamsOf = (name: string) => deps.handoff.agents[name]?.teams;
  const maxOf = (name: string) => deps.handoff.agents[name]?.maxConcurrent ?? 5;

  nsp.use((socket, next) => {
    const admit = async () => {
      // The socket-connection rule (60 a minute by default), not the login one (10): every open
      // console reconnects at once after a restart, and an office shares one address. The keys are
      // the console's own, so the widget's connections from that address do not use them up.
      await limits.consume(limits.rules.socketConnectPerIp, `agents:${deps.addressOf ? deps.addressOf(socket.handshake) : socket.handshake.address}`);
      const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
      if (typeof token !== 'string') throw new ShopbotError('UNAUTHORIZED', 'log in first');
      (socket.data as { agent?: string }).agent = deps.auth.verify(token).name;
    };
    admit().then(
      () => next(),
      (err: unknown) => {
        if (!isShopbotError(err)) deps.log?.warn({ err }, 'console: agent handshake failed');
        const data = errorOf(err);
        next(Object.assign(new Error(data.message), { data }));
      },
    );
  });

  const sendQueue = async (name: string) => {
    nsp.to(agentRoom(name)).emit('queue', await deps.service.queueFor(teamsOf(name)));
  };
  const unsubscribe = deps.service.subscribe((e) => {
    if (e.type === 'queue_changed') {
      for (const name of deps.auth.names) void sendQueue(name).catch((err: unknown) => deps.log?.warn({ err }, 'console: queue update failed'));
    } else {
      // The holder is the ticket's, read from the handoff queue (shared by every server), never a
      // per-process map: an agent who took the ticket on another server gets the message through the adapter.
      if (e.agentId) nsp.to(agentRoom(e.agentId)).emit('shopperMessage', { conversationId: e.conversationId, text: e.text, ts: e.ts });
    }
  });

  nsp.on('connection', (socket: Socket) => {
    const name = (socket.data as { agent: string }).agent;
    void socket.join(agentRoom(name));
    const raw = socket as unknown as { on(event: string, fn: (payload: unknown, ack: unknown) => void): void };
    const handle = (event: string, fn: (payload: unknown) => Promise<unknown>) => {
      raw.on(event, (payload, ack) => {
        if (typeof ack !== 'function') return;
        fn(payload).then(
          (r) => (ack as Ack)(r ?? { ok: true }),
          (err: unknown) => (ack as Ack)({ error: errorOf(err) }),
        );
      });
    };
    const parse = <T>(schema: z.ZodType<T>, v: unknown): T => {
      const r = schema.safeParse(v);
      if (!r.success) throw new ShopbotError('BAD_REQUEST', z.prettifyError(r.error).slice(0, 300));
      return r.data;
    };
    handle('queue', async () => deps.service.queueFor(teamsOf(name)));
    handle('take', async (p) => {
      const { ticketId } = parse(TakeSchema, p);
      const visible = await deps.service.queueFor(teamsOf(name));
      if (!visible.some((t) => t.id === ticketId)) throw new ShopbotError('NOT_FOUND', `no ticket ${ticketId} in your queue`);
      return deps.service.take(ticketId, name, maxOf(name));
    });
    handle('reply', async (p) => {
      const { conversationId, text } = parse(ReplySchema, p);
      await deps.service.reply(conversationId, name, text);
    });
    handle('handBack', async (p) => {
      const { conversationId } = parse(ConversationSchema, p);
      await deps.service.handBack(conversationId, name);
    });
    handle('resolve', async (p) => {
      const { conversationId, resolution } = parse(ResolveSchema, p);
      await deps.service.resolve(conversationId, name, resolution);
    });
    // The desk's tools; who may use them on which ticket is the handoff service's rule (holder or admin; notes, tags and transfers also on the team's queued tickets).
    handle('desk', async () => ({
      teams: deps.handoff.teams.map((t) => ({ id: t.id, name: t.name })),
      agents: Object.keys(deps.handoff.agents).filter((a) => a !== name),
      resolutions: deps.handoff.resolutions,
    }));
    handle('canned', async (p) => ({ replies: await deps.service.cannedReplies(parse(ConversationSchema, p).conversationId, name), resolutions: deps.handoff.resolutions }));
    handle('sendCanned', async (p) => {
      const { conversationId, cannedId } = parse(CannedSchema, p);
      return { text: await deps.service.sendCanned(conversationId, name, cannedId) };
    });
    handle('note', async (p) => {
      const { conversationId, text } = parse(NoteSchema, p);
      return { note: await deps.service.addNote(conversationId, name, text) };
    });
    handle('notes', async (p) => ({ notes: await deps.service.notes(parse(ConversationSchema, p).conversationId, name) }));
    handle('transfer', async (p) => {
      const { conversationId, to, note } = parse(TransferSchema, p);
      return { ticket: await deps.service.transfer(conversationId, name, to, note) };
    });
    handle('tags', async (p) => {
      const { conversationId, tags } = parse(TagsSchema, p);
      return { ticket: await deps.service.setTags(conversationId, name, tags) };
    });
    handle('snooze', async (p) => {
      const { conversationId, minutes } = parse(SnoozeSchema, p);
      return { ticket: await deps.service.snooze(conversationId, name, minutes) };
    });
  });

  return {
    close() {
      unsubscribe();
    },
  };
}
