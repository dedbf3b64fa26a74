/**
 * The Slack channel mounted in our fastify server: Events API, interactivity and the /shopbot
 * slash command, through a Bolt App with a custom receiver. Every request's signature and
 * timestamp are checked on the raw body before Bolt sees it, and a signed request already accepted
 * by any server process (the funnel store's nonce table) is refused; outbound messages go through the
 * per-channel queue (Slack allows about one message per second per channel).
 */
import { App, LogLevel, webApi, type Receiver, type ReceiverEvent } from '@slack/bolt';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorBody, ShopbotError } from '../../src/errors.js';
import { feedbackEvent } from '../../src/insights/index.js';
import type { InboundMessage, OutboundMessage, UiAction } from '../../src/messages.js';
import { agentThreadMessage, escapeSlack, truncate, ChartStore, isMerchant, parseMerchantCommand, runMerchantCommand, OutboundQueue, parseRetryAfter, realClock, MemoryThreadDirectory, refusedAgentAction, tryAgentAction, type RetryDecision, type ThreadDirectory, type ChannelDeps, type ChannelHandle, type ChannelLogger } from '../shared/index.js';
import { ACTION, renderMerchant, renderOutbound, type Block, type SlackMessage } from './blocks.js';
import {
  BlockActionSchema,
  feedbackAction,
  isDirectMessage,
  MessageEventSchema,
  parseSlackConversationId,
  productAction,
  SlashCommandSchema,
  slackConversationId,
  slackUserId,
  stripMentions,
  threadOf,
  type SlackMessageEvent,
} from './inbound.js';
import { SlackSupportDesk } from './support.js';
import { isFirstDelivery, refuseReplayedRequest, verifySlackRequest } from './verify.js';

export interface SlackChannelOptions {
  /** Where support threads are remembered; defaults to memory (lost on restart). */
  readonly threads?: ThreadDirectory;
}

export interface SlackChannelHandle extends ChannelHandle {
  /** Present when slack.supportChannel is set: give it to the handoff stage. */
  readonly supportDesk?: SlackSupportDesk;
  /** Sends a message into a Slack conversation (an agent's reply to a shopper who is on Slack). */
  deliver(conversationId: string, message: OutboundMessage): Promise<void>;
  readonly outbound: OutboundQueue;
  /** Resolves when all background work started by requests so far has finished. */
  idle(): Promise<void>;
}

const BODY_LIMIT = 1024 * 1024;

/** Slack's own 429s and transient transport errors retry; platform errors (channel_not_found...) do not. */
export function classifySlackError(nowMs: () => number) {
  return (err: unknown): RetryDecision => {
    const e = err as { code?: string; retryAfter?: number; statusCode?: number; headers?: Record<string, string> };
    if (e?.code === 'slack_webapi_rate_limited_error') return { retry: true, retryAfterMs: (e.retryAfter ?? 1) * 1000 };
    if (e?.code === 'slack_webapi_request_error') return { retry: true };
    if (e?.code === 'slack_webapi_http_error' && (e.statusCode ?? 0) >= 500) {
      return { retry: true, retryAfterMs: parseRetryAfter(e.headers?.['retry-after'], nowMs()) };
    }
    return { retry: false };
  };
}

function isInvalidBlocks(err: unknown): boolean {
  const cause = (err as { cause?: { code?: string; data?: { error?: string } } })?.cause;
  return cause?.code === 'slack_webapi_platform_error' && (cause.data?.error === 'invalid_blocks' || cause.data?.error === 'invalid_blocks_format');
}

/** The message without image blocks and image accessories; the same object when it has none. */
export function withoutImages(msg: SlackMessage): SlackMessage {
  const hasImages = msg.blocks.some((b) => b.type === 'image' || (b.accessory as { type?: string } | undefined)?.type === 'image');
  if (!hasImages) return msg;
  return {
    text: msg.text,
    blocks: msg.blocks.filter((b) => b.type !== 'image').map((b) => ((b.accessory as { type?: string } | undefined)?.type === 'image' ? (({ accessory: _drop, ...rest }) => rest)(b as Block & { accessory?: unknown }) : b)),
  };
}

function boltLogger(logger: ChannelLogger) {
  return {
    debug: () => undefined,
    info: (...msg: unknown[]) => logger.info({ channel: 'slack' }, msg.map(String).join(' ')),
    warn: (...msg: unknown[]) => logger.warn({ channel: 'slack' }, msg.map(String).join(' ')),
    error: (...msg: unknown[]) => logger.error({ channel: 'slack' }, msg.map(String).join(' ')),
    setLevel: () => undefined,
    getLevel: () => LogLevel.INFO,
    setName: () => undefined,
  };
}

/** Hands verified request bodies to Bolt and resolves with whatever the listener acked. */
class FastifyReceiver implements Receiver {
  private app?: App;
  readonly pending = new Set<Promise<unknown>>();
  constructor(private readonly logger: ChannelLogger) {}
  init(app: App): void {
    this.app = app;
  }
  async start(): Promise<void> {}
  async stop(): Promise<void> {
    await this.idle();
  }
  async idle(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }
  dispatch(body: Record<string, unknown>, retryNum?: number): Promise<unknown> {
    const app = this.app;
    if (!app) throw new ShopbotError('INTERNAL', 'Slack receiver used before init');
    return new Promise((resolve) => {
      let acked = false;
      const event: ReceiverEvent = {
        body,
        retryNum,
        ack: async (response?: unknown) => {
          if (acked) return;
          acked = true;
          resolve(response);
        },
      };
      const work = app
        .processEvent(event)
        .catch((err: unknown) => this.logger.error({ channel: 'slack', err: String(err) }, 'slack listener failed'))
        .finally(() => {
          // No listener acked (an event type we don't handle): Slack still needs its 200.
          if (!acked) (acked = true), resolve(undefined);
          this.pending.delete(work);
        });
      this.pending.add(work);
    });
  }
}

export async function registerSlackRoutes(fastify: FastifyInstance, deps: ChannelDeps, options: SlackChannelOptions = {}): Promise<SlackChannelHandle> {
  const { config, logger } = deps;
  const { botToken, signingSecret, supportChannel } = config.slack;
  if (!botToken || !signingSecret) {
    throw new ShopbotError('CONFIG_INVALID', 'Slack needs slack.botToken (SLACK_BOT_TOKEN) and slack.signingSecret (SLACK_SIGNING_SECRET)');
  }
  const clock = deps.clock ?? realClock();
  const random = deps.random ?? Math.random;
  // Retries are ours (injected clock, counted failures), so the client must not retry on its own.
  const client = new webApi.WebClient(botToken, {
    slackApiUrl: config.slack.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    logger: boltLogger(logger),
  });
  const outbound = new OutboundQueue({
    name: 'slack',
    minIntervalMs: 1000,
    maxAttempts: 5,
    baseDelayMs: 1000,
    maxDelayMs: 30_000,
    classify: classifySlackError(() => clock.now()),
    clock,
    random,
    logger,
  });
  const desk = supportChannel ? new SlackSupportDesk(client, outbound, supportChannel, options.threads ?? new MemoryThreadDirectory()) : undefined;
  const charts = new ChartStore(() => clock.now());

  let identity: Promise<{ botUserId?: string; botId?: string }> | undefined;
  const authorize = async () => {
    identity ??= client.auth.test().then((r) => ({ botUserId: r.user_id, botId: r.bot_id }));
    const who = await identity.catch((err: unknown) => {
      identity = undefined; // try again on the next event rather than caching a failure
      throw err;
    });
    return { botToken, ...who };
  };
  const receiver = new FastifyReceiver(logger);
  const app = new App({ receiver, authorize, logger: boltLogger(logger), ignoreSelf: true });

  const postOnce = (channel: string, threadTs: string | undefined, msg: SlackMessage) =>
    outbound.send(channel, () =>
      client.chat.postMessage({ channel, thread_ts: threadTs, text: msg.text, blocks: msg.blocks, unfurl_links: false, unfurl_media: false }),
    );
  /**
   * Slack refuses a whole message (invalid_blocks) when it cannot fetch one image, and a catalog's
   * image host may be down: then the same message goes again without images, and that is logged.
   */
  const post = async (channel: string, threadTs: string | undefined, msg: SlackMessage) => {
    try {
      return await postOnce(channel, threadTs, msg);
    } catch (err) {
      const stripped = withoutImages(msg);
      if (!isInvalidBlocks(err) || stripped === msg) throw err;
      logger.warn({ channel: 'slack', slackChannel: channel }, 'slack refused the blocks; resent without images');
      return postOnce(channel, threadTs, stripped);
    }
  };

  const chartUrl = (png: Buffer): string | undefined =>
    config.server.publicUrl ? `${config.server.publicUrl.replace(/\/+$/, '')}/charts/${charts.put(png)}.png` : undefined;

  async function merchantReply(text: string, userId: string, channel: string): Promise<SlackMessage | undefined> {
    const cmd = parseMerchantCommand(text);
    if (!cmd) return undefined;
    // supportChannel should be the channel id (C...) for this check; a #name only works for posting.
    const inSupport = !!desk && channel === supportChannel;
    if (!isMerchant(userId, config.slack.merchantUserIds, inSupport)) return undefined;
    const result = await runMerchantCommand(cmd, { funnel: deps.funnel, nowMs: clock.now() });
    return renderMerchant(result, result.kind === 'report' ? chartUrl(result.chartPng) : undefined);
  }

  async function turn(msg: InboundMessage, channel: string, threadTs: string | undefined): Promise<void> {
    let out: OutboundMessage;
    try {
      out = await deps.handleTurn(msg);
    } catch (err) {
      // The shopper still deserves an answer; the failure is logged with its conversation.
      logger.error({ channel: 'slack', conversationId: msg.conversationId, err: err instanceof Error ? err.message : String(err) }, 'slack turn failed');
      return void (await post(channel, threadTs, { text: 'Sorry, something went wrong on our side. Please try again in a moment.', blocks: [] }));
    }
    if (out.silent) return;
    await post(channel, threadTs, renderOutbound(out));
  }

  async function onUserMessage(team: string, e: SlackMessageEvent): Promise<void> {
    if (!e.user || e.bot_id) return;
    const threadTs = threadOf(e);
    const text = stripMentions(e.text);
    if (!text) return;
    const merchant = await merchantReply(text, e.user, e.channel);
    if (merchant) return void (await post(e.channel, threadTs, merchant));
    if ([...text].length > config.server.maxMessageChars) {
      return void (await post(e.channel, threadTs, { text: `That message is too long (limit ${config.server.maxMessageChars} characters).`, blocks: [] }));
    }
    await turn(
      { channel: 'slack', conversationId: slackConversationId(team, e.channel, threadTs), userId: slackUserId(team, e.user), text, context: { team, channel: e.channel, ...(threadTs ? { threadTs } : {}) } },
      e.channel,
      threadTs,
    );
  }

  /** A human reply in an escalation thread goes to the shopper, not to the assistant. */
  async function agentThreadReply(team: string, e: SlackMessageEvent): Promise<boolean> {
    if (!desk || !e.thread_ts || !e.user) return false;
    const conversationId = await desk.conversationForThread(e.channel, e.thread_ts);
    if (!conversationId) return false;
    const support = deps.support;
    const agentId = slackUserId(team, e.user);
    if (support) {
      // An @mention in a command names an agent by their Slack id (`!transfer @dana`), as the handoff file keys them.
      const text = stripMentions(e.text).replace(/^(\s*!transfer\s+)<@([A-Z0-9]+)(?:\|[^>]*)?>/i, (_m, head: string, user: string) => `${head}${slackUserId(team, user)}`);
      const answer = await agentThreadMessage(support, conversationId, agentId, text, { who: `<@${e.user}>`, escape: (t) => escapeSlack(truncate(t, 3000)) });
      if (answer) await post(e.channel, e.thread_ts, { text: answer, blocks: [] });
    } else logger.warn({ channel: 'slack', conversationId }, 'agent reply dropped: no support callbacks wired');
    return true;
  }

  app.event('app_mention', async ({ event, body }) => {
    const e = MessageEventSchema.safeParse(event);
    const team = (body as { team_id?: string }).team_id;
    if (!e.success || !team) return void logger.warn({ channel: 'slack' }, 'unparseable app_mention');
    if (e.data.thread_ts && (await desk?.conversationForThread(e.data.channel, e.data.thread_ts))) return; // handled as an agent reply
    await onUserMessage(team, e.data);
  });

  app.event('message', async ({ event, body }) => {
    const e = MessageEventSchema.safeParse(event);
    const team = (body as { team_id?: string }).team_id;
    if (!e.success || !team || e.data.subtype || e.data.bot_id) return;
    if (await agentThreadReply(team, e.data)) return;
    // Channel messages reach us as app_mention when they mention the bot; only DMs come here.
    if (e.data.channel_type === 'im' || isDirectMessage(e.data.channel)) await onUserMessage(team, e.data);
  });

  app.action(/^shopbot_/, async ({ ack, body }) => {
    await ack();
    const parsed = BlockActionSchema.safeParse(body);
    if (!parsed.success || !parsed.data.channel) return void logger.warn({ channel: 'slack' }, 'unparseable block action');
    const b = parsed.data;
    const team = b.team?.id ?? b.user.team_id ?? 'T';
    const channel = b.channel!.id;
    const action = b.actions[0]!;
    const agentId = slackUserId(team, b.user.id);
    if (action.action_id === ACTION.handBack) {
      const conversationId = action.value ?? '';
      if (!desk || !(await desk.directory.byConversation(conversationId))) return;
      const support = deps.support;
      if (support && !(await tryAgentAction(() => support.handBack(conversationId, agentId)))) {
        // The escalation's root message carries the button, so its ts is the thread's.
        return void (await post(channel, b.message?.thread_ts ?? b.message?.ts, { text: refusedAgentAction(`<@${b.user.id}>`), blocks: [] }));
      }
      await desk.closeEscalation(conversationId, `Handed back to the bot by <@${b.user.id}>.`, true);
      return;
    }
    const threadTs = b.message?.thread_ts ?? (isDirectMessage(channel) ? undefined : b.message?.ts);
    // Thumbs and ratings are the shopper's feedback, logged as funnel events, not a turn.
    const feedback = feedbackAction(action.action_id, action.value);
    if (feedback) {
      const conversationId = slackConversationId(team, channel, threadTs);
      const lastAgent = feedback.kind === 'conversation' && feedback.subject === 'agent' ? await deps.lastAgent?.(conversationId) : undefined;
      if (feedback.kind === 'conversation' && feedback.subject === 'agent' && !lastAgent) return void logger.warn({ channel: 'slack', conversationId }, 'agent rating without a closed handoff');
      await deps.funnel.append([feedbackEvent(feedback, { conversationId, userId: agentId, channel: 'slack', ts: clock.now(), ...(lastAgent ? { lastAgent } : {}) })]);
      return;
    }
    let uiAction: UiAction | undefined;
    let text = '';
    if (action.action_id === ACTION.addToCart) uiAction = productAction('add_to_cart', action.value);
    else if (action.action_id === ACTION.click) uiAction = productAction('click', action.value);
    else if (action.action_id === ACTION.viewCart) uiAction = { type: 'view_cart' };
    else if (action.action_id === ACTION.checkout) uiAction = { type: 'checkout' };
    else if (action.action_id.startsWith(ACTION.quickReply)) text = truncate(action.value ?? '', config.server.maxMessageChars);
    if (!uiAction && !text) return void logger.warn({ channel: 'slack', actionId: action.action_id }, 'unknown or malformed action');
    await turn(
      { channel: 'slack', conversationId: slackConversationId(team, channel, threadTs), userId: agentId, text, ...(uiAction ? { action: uiAction } : {}), context: { team, channel } },
      channel,
      threadTs,
    );
  });

  app.command('/shopbot', async ({ ack, body, respond }) => {
    await ack();
    const c = SlashCommandSchema.safeParse(body);
    if (!c.success) return;
    const reply = (await merchantReply(c.data.text || 'commands', c.data.user_id, c.data.channel_id)) ?? {
      text: 'Merchant commands are limited to the support channel and to users in SHOPBOT_SLACK_MERCHANTS. Try `/shopbot report week`.',
      blocks: [],
    };
    await respond({ response_type: 'ephemeral', text: reply.text, ...(reply.blocks.length ? { blocks: reply.blocks } : {}) });
  });

  app.error(async (err) => {
    logger.error({ channel: 'slack', err: err.message }, 'slack listener error');
  });

  function parseBody(raw: string, contentType: string): Record<string, unknown> {
    try {
      if (contentType.startsWith('application/json')) return JSON.parse(raw) as Record<string, unknown>;
      const form = new URLSearchParams(raw);
      const payload = form.get('payload');
      return payload ? (JSON.parse(payload) as Record<string, unknown>) : Object.fromEntries(form);
    } catch (cause) {
      throw new ShopbotError('BAD_REQUEST', 'malformed Slack payload', { cause });
    }
  }

  /** Returns the reply body, or undefined for an empty 200; refusals are thrown as coded errors. */
  async function accept(req: FastifyRequest): Promise<unknown> {
    const raw = typeof req.body === 'string' ? req.body : '';
    const timestamp = req.headers['x-slack-request-timestamp'] as string | undefined;
    const signature = req.headers['x-slack-signature'] as string | undefined;
    verifySlackRequest({ signingSecret: signingSecret!, rawBody: raw, timestamp, signature, nowMs: clock.now() });
    await refuseReplayedRequest(deps.funnel, { timestamp: timestamp!, signature: signature!, nowMs: clock.now() });
    const body = parseBody(raw, req.headers['content-type'] ?? '');
    if (body.type === 'url_verification' && typeof body.challenge === 'string') return { challenge: body.challenge };
    // Slack redelivers when our ack is slow, perhaps to another process; the same event must not answer twice.
    if (typeof body.event_id === 'string' && !(await isFirstDelivery(deps.funnel, body.event_id, clock.now()))) return undefined;
    const retryNum = Number(req.headers['x-slack-retry-num'] ?? '') || undefined;
    return receiver.dispatch(body, retryNum);
  }

  async function handle(req: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    let response: unknown;
    try {
      response = await accept(req);
    } catch (err) {
      const { status, body } = errorBody(err);
      return reply.code(status).send(body);
    }
    return reply.code(200).send(response ?? '');
  }

  await fastify.register(async (scope) => {
    // Signatures cover the exact bytes Slack sent, so this scope keeps bodies as raw strings.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(['application/json', 'application/x-www-form-urlencoded'], { parseAs: 'string', bodyLimit: BODY_LIMIT }, (_req, body, done) => done(null, body));
    for (const url of ['/slack/events', '/slack/interactivity', '/slack/commands']) scope.post(url, handle);
    scope.get<{ Params: { id: string } }>('/charts/:id', async (req, reply) => {
      const id = req.params.id.replace(/\.png$/, '');
      const png = /^[0-9a-f-]{36}$/.test(id) ? charts.get(id) : undefined;
      if (!png) return reply.code(404).send({ error: { code: 'NOT_FOUND', message: 'no such chart' } });
      return reply.header('content-type', 'image/png').header('cache-control', 'private, max-age=86400').send(png);
    });
  });

  return {
    supportDesk: desk,
    outbound,
    idle: () => receiver.idle(),
    async deliver(conversationId, message) {
      const where = parseSlackConversationId(conversationId);
      if (!where) throw new ShopbotError('UNKNOWN_CONVERSATION', `not a Slack conversation: ${conversationId}`);
      await post(where.channel, where.threadTs, renderOutbound(message));
    },
    async close() {
      await receiver.stop();
      await outbound.drain();
    },
  };
}

