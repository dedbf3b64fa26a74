/**
 * The Teams channel: POST /api/messages through the Microsoft 365 Agents SDK (the successor of the
 * archived botbuilder; same Bot Framework activity protocol). The SDK validates each request's
 * JWT against Microsoft's (or, in tests, a local) JWKS; the activity's serviceUrl must then match
 * the token's serviceurl claim and the Bot Connector allowlist (service-url.ts), or nothing is sent
 * or stored; activities run through an ActivityHandler;
 * replies go back over the Bot Connector API through a per-conversation queue that honours 429
 * Retry-After with exponential back-off and jitter.
 */
import type { Activity, ConversationReference } from '@microsoft/agents-activity';
import {
  ActivityHandler,
  CloudAdapter,
  HttpError,
  MessageFactory,
  type AuthConfiguration,
  type ConnectorClient,
  type Connections,
  type HeaderPropagationCollection,
  type Request as AgentsRequest,
  type ResourceResponse,
  type TurnContext,
  type WebResponse,
} from '@microsoft/agents-hosting';
import type { FastifyInstance } from 'fastify';
import { feedbackEvent } from '../../src/insights/index.js';
import { errorBody, ShopbotError } from '../../src/errors.js';
import type { InboundMessage, OutboundMessage } from '../../src/messages.js';
import { agentThreadMessage, escapeTeamsText, truncate, isMerchant, parseMerchantCommand, runMerchantCommand, OutboundQueue, parseRetryAfter, realClock, MemoryThreadDirectory, refusedAgentAction, tryAgentAction, type OutboundClock, type RetryDecision, type ThreadDirectory, type ChannelDeps, type ChannelHandle } from '../shared/index.js';
import { renderMerchant, renderOutbound, type TeamsMessage } from './cards.js';
import { baseConversation, cleanTeamsText, SubmitValueSchema, submitToAction, submitToFeedback, teamsConversationId, teamsUserId } from './inbound.js';
import { createServiceUrlPolicy, type ServiceUrlPolicy } from './service-url.js';
import { continueAndThrow } from './proactive.js';
import { TeamsSupportDesk } from './support.js';

export { continueAndThrow } from './proactive.js';

export interface TeamsChannelOptions {
  /** Replaces the SDK's MSAL token acquisition for outbound calls (tests use a local token). */
  readonly connections?: Connections;
  readonly threads?: ThreadDirectory;
  /**
   * Where conversation references are kept beyond this process (the handoff store: SQLite, or
   * PostgreSQL shared by every server), so an agent's reply sent from another server, or after a
   * restart, still reaches the shopper. Without it only this process's recent references are known.
   */
  readonly references?: ThreadDirectory;
}

export interface TeamsChannelHandle extends ChannelHandle {
  readonly supportDesk?: TeamsSupportDesk;
  /** Sends into a Teams conversation we have seen (an agent's reply to a shopper on Teams). */
  deliver(conversationId: string, message: OutboundMessage): Promise<void>;
  readonly outbound: OutboundQueue;
  readonly adapter: CloudAdapter;
  /** Posts a merchant alert to `teams.alertsConversationId` (or the support channel); absent without one and a service URL. */
  readonly alert?: (text: string) => Promise<void>;
}

const BODY_LIMIT = 1024 * 1024;
const MAX_REFERENCES = 10_000;

export function classifyTeamsError(clock: OutboundClock) {
  return (err: unknown): RetryDecision => {
    if (err instanceof HttpError) {
      if (err.status === 429 || err.status >= 500) return { retry: true, retryAfterMs: parseRetryAfter(err.response.headers?.get?.('retry-after'), clock.now()) };
      return { retry: false };
    }
    // fetch() network failures surface as TypeError; the Bot Connector may simply be unreachable for a moment.
    return { retry: err instanceof TypeError };
  };
}

/** The claims of the verified token, as the SDK's JWT middleware leaves them on the request. */
type JwtPayload = NonNullable<AgentsRequest['user']>;

/**
 * Every outbound activity goes through the queue, keyed by conversation. A connector client (which
 * carries the bot's token) is only made for an allowed serviceUrl: the request check in the route
 * covers replies, this covers proactive sends from stored references and the support desk.
 */
class QueuedCloudAdapter extends CloudAdapter {
  queue?: OutboundQueue;
  serviceUrls?: ServiceUrlPolicy;
  protected override async createConnectorClientWithIdentity(identity: JwtPayload, activity: Activity, headers?: HeaderPropagationCollection): Promise<ConnectorClient> {
    this.serviceUrls?.assertAllowed(activity.serviceUrl);
    return super.createConnectorClientWithIdentity(identity, activity, headers);
  }
  protected override async createConnectorClient(serviceUrl: string, scope: string, identity: JwtPayload, headers?: HeaderPropagationCollection): Promise<ConnectorClient> {
    this.serviceUrls?.assertAllowed(serviceUrl);
    return super.createConnectorClient(serviceUrl, scope, identity, headers);
  }
  override async sendActivities(context: TurnContext, activities: Activity[]): Promise<ResourceResponse[]> {
    const queue = this.queue;
    if (!queue) return super.sendActivities(context, activities);
    const out: ResourceResponse[] = [];
    const proactive = context.activity.type === 'event' && context.activity.name === 'ContinueConversation';
    for (const activity of activities) {
      // A proactive message is a new post (a new thread in a channel root), not a reply to the
      // continuation event's made-up activity id.
      if (proactive) delete activity.replyToId;
      const key = activity.conversation?.id ?? context.activity.conversation?.id ?? 'unknown';
      out.push(...(await queue.send(key, () => super.sendActivities(context, [activity]))));
    }
    return out;
  }
}

/** Collects what the SDK writes to its Express-style response, for fastify to send. */
class ResponseShim implements WebResponse {
  statusCode = 200;
  body: unknown;
  readonly headers: Record<string, string> = {};
  headersSent = false;
  writableEnded = false;
  status(code: number): this {
    this.statusCode = code;
    return this;
  }
  setHeader(name: string, value: string): this {
    this.headers[name] = value;
    return this;
  }
  send(body?: unknown): this {
    this.body = body;
    return this;
  }
  end(): this {
    this.writableEnded = true;
    return this;
  }
}

export function toActivity(m: TeamsMessage): Activity {
  const activity = m.attachmentLayout === 'carousel' ? MessageFactory.carousel(m.attachments, m.text) : m.attachments.length ? MessageFactory.list(m.attachments, m.text) : MessageFactory.text(m.text ?? '');
  if (m.suggestedReplies?.length) {
    // Teams shows suggested actions in personal chats only; group chats still get the cards.
    activity.suggestedActions = { to: [], actions: m.suggestedReplies.map((q) => ({ type: 'imBack', title: q.label, value: q.text })) };
  }
  return activity;
}

export async function registerTeamsRoutes(fastify: FastifyInstance, deps: ChannelDeps, options: TeamsChannelOptions = {}): Promise<TeamsChannelHandle> {
  const { config, logger } = deps;
  const { appId, appPassword, tenantId, supportConversationId, serviceUrl } = config.teams;
  if (!appId || !appPassword) throw new ShopbotError('CONFIG_INVALID', 'Teams needs teams.appId (MICROSOFT_APP_ID) and teams.appPassword (MICROSOFT_APP_PASSWORD)');
  const clock = deps.clock ?? realClock();
  const serviceUrls = createServiceUrlPolicy(config.teams.serviceUrlHosts);
  if (serviceUrl) {
    try {
      serviceUrls.assertAllowed(serviceUrl);
    } catch (cause) {
      throw new ShopbotError('CONFIG_INVALID', `teams.serviceUrl (SHOPBOT_TEAMS_SERVICE_URL): ${(cause as Error).message}`, { cause });
    }
  }
  const authConfig: AuthConfiguration = {
    clientId: appId,
    clientSecret: appPassword,
    tenantId,
    ...(config.teams.authority ? { authority: config.teams.authority } : {}),
    // The SDK leaves issuer checks off by default; tokens from other tenants must not pass.
    validateIssuer: true,
  };
  const adapter = new QueuedCloudAdapter(authConfig);
  if (options.connections) adapter.connectionManager = options.connections;
  const outbound = new OutboundQueue({
    name: 'teams',
    // Teams allows about 7 messages per second per conversation; stay just under it.
    minIntervalMs: 150,
    maxAttempts: 5,
    baseDelayMs: 1000,
    maxDelayMs: 30_000,
    classify: classifyTeamsError(clock),
    clock,
    random: deps.random ?? Math.random,
    logger,
  });
  adapter.queue = outbound;
  adapter.serviceUrls = serviceUrls;
  adapter.onTurnError = async (context, error) => {
    logger.error({ channel: 'teams', err: error instanceof Error ? error.message : String(error) }, 'teams turn failed');
    await context.sendActivity(MessageFactory.text('Sorry, something went wrong on our side. Please try again in a moment.')).catch(() => undefined);
  };

  // Recent references in memory (capped, oldest out), every one in the shared directory when given.
  const references = new Map<string, ConversationReference>();
  const cache = (conversationId: string, ref: ConversationReference) => {
    references.delete(conversationId);
    references.set(conversationId, ref);
    if (references.size > MAX_REFERENCES) references.delete(references.keys().next().value as string);
  };
  const remember = async (conversationId: string, ref: ConversationReference) => {
    const known = references.get(conversationId);
    cache(conversationId, ref);
    if (options.references && JSON.stringify(known) !== JSON.stringify(ref)) await options.references.set(conversationId, JSON.stringify(ref));
  };
  const forget = async (conversationId: string) => {
    references.delete(conversationId);
    await options.references?.remove(conversationId);
  };
  const referenceOf = async (conversationId: string): Promise<ConversationReference | undefined> => {
    const known = references.get(conversationId);
    if (known) return known;
    const stored = await options.references?.byConversation(conversationId);
    if (!stored) return undefined;
    const ref = JSON.parse(stored) as ConversationReference;
    // Checked again on the way out: replies go, with the bot's token, to the serviceUrl it names.
    serviceUrls.assertAllowed(String(ref.serviceUrl));
    cache(conversationId, ref);
    return ref;
  };
  const desk =
    supportConversationId && serviceUrl
      ? new TeamsSupportDesk(adapter, appId, { serviceUrl, conversationId: supportConversationId, tenantId }, options.threads ?? new MemoryThreadDirectory(), toActivity)
      : undefined;

  const send = async (context: TurnContext, messages: TeamsMessage[]) => {
    for (const m of messages) await context.sendActivity(toActivity(m));
  };

  async function onMessage(context: TurnContext): Promise<void> {
    const a = context.activity;
    const platformConversation = a.conversation!.id;
    const conversationId = teamsConversationId(platformConversation);
    const userId = teamsUserId({ id: a.from?.id ?? 'unknown', aadObjectId: a.from?.aadObjectId });
    await remember(conversationId, a.getConversationReference());
    const inSupport = !!supportConversationId && baseConversation(platformConversation) === supportConversationId;

    const submitted = a.value !== undefined ? SubmitValueSchema.safeParse(a.value) : undefined;
    if (submitted && !submitted.success) return void logger.warn({ channel: 'teams' }, 'unrecognised card submit');
    const value = submitted?.data;

    if (value?.shopbot === 'hand_back') {
      if (!desk || !(await desk.directory.byConversation(value.c))) return;
      const support = deps.support;
      if (support && !(await tryAgentAction(() => support.handBack(value.c, userId)))) {
        return void (await context.sendActivity(MessageFactory.text(refusedAgentAction(a.from?.name ?? 'This agent'))));
      }
      await desk.closeEscalation(value.c, `Handed back to the bot by ${a.from?.name ?? 'an agent'}.`);
      return;
    }
    // Thumbs and ratings are the shopper's feedback, logged as funnel events, not a turn.
    const feedback = value ? submitToFeedback(value) : undefined;
    if (feedback) {
      const lastAgent = feedback.kind === 'conversation' && feedback.subject === 'agent' ? await deps.lastAgent?.(conversationId) : undefined;
      if (feedback.kind === 'conversation' && feedback.subject === 'agent' && !lastAgent) return void logger.warn({ channel: 'teams', conversationId }, 'agent rating without a closed handoff');
      await deps.funnel.append([feedbackEvent(feedback, { conversationId, userId, channel: 'teams', ts: clock.now(), ...(lastAgent ? { lastAgent } : {}) })]);
      return void (await context.sendActivity(MessageFactory.text('Thanks for the feedback.')));
    }
    const text = value?.shopbot === 'quick_reply' ? value.t : cleanTeamsText(a.text);

    if (desk && inSupport && !value) {
      const shopperConversation = await desk.directory.byThread(platformConversation);
      if (shopperConversation) {
        const support = deps.support;
        if (support) {
          const answer = await agentThreadMessage(support, shopperConversation, userId, text, { who: a.from?.name ?? 'This agent', escape: (t) => escapeTeamsText(truncate(t, 3000)) });
          if (answer) await context.sendActivity(MessageFactory.text(answer));
        } else logger.warn({ channel: 'teams', conversationId: shopperConversation }, 'agent reply dropped: no support callbacks wired');
        return;
      }
    }
    if (!value) {
      const cmd = parseMerchantCommand(text);
      if (cmd && isMerchant(a.from?.aadObjectId ?? a.from?.id ?? '', config.teams.merchantUserIds, inSupport)) {
        const result = await runMerchantCommand(cmd, { funnel: deps.funnel, nowMs: clock.now() });
        return send(context, [renderMerchant(result)]);
      }
    }
    const action = value ? submitToAction(value) : undefined;
    if (!action && !text) return;
    if ([...text].length > config.server.maxMessageChars) {
      return void (await context.sendActivity(MessageFactory.text(`That message is too long (limit ${config.server.maxMessageChars} characters).`)));
    }
    const inbound: InboundMessage = {
      channel: 'teams',
      conversationId,
      userId,
      text: truncate(text, config.server.maxMessageChars),
      ...(action ? { action } : {}),
      ...(a.locale ? { locale: a.locale.slice(0, 20) } : {}),
      context: { teamsConversation: platformConversation.slice(0, 500), ...(a.conversation?.tenantId ? { tenantId: a.conversation.tenantId } : {}) },
    };
    const out = await deps.handleTurn(inbound);
    if (!out.silent) await send(context, renderOutbound(out));
  }

  const welcome = 'Hi! I can help you find products, check orders and answer questions about the shop. Try "show me running shoes".';
  const handler = new ActivityHandler();
  handler.onMessage(async (context, next) => {
    await onMessage(context);
    await next();
  });
  handler.onMembersAdded(async (context, next) => {
    const botId = context.activity.recipient?.id;
    if (context.activity.membersAdded?.some((m) => m.id !== botId)) await context.sendActivity(MessageFactory.text(welcome));
    await next();
  });
  handler.onInstallationUpdateAdd(async (context, next) => {
    await remember(teamsConversationId(context.activity.conversation!.id), context.activity.getConversationReference());
    await context.sendActivity(MessageFactory.text(welcome));
    await next();
  });
  handler.onInstallationUpdateRemove(async (context, next) => {
    await forget(teamsConversationId(context.activity.conversation!.id));
    await next();
  });

  fastify.post('/api/messages', { bodyLimit: BODY_LIMIT }, async (req, reply) => {
    const request: AgentsRequest = {
      body: req.body as Record<string, unknown> | undefined,
      headers: req.headers as Record<string, string | string[] | undefined>,
      method: req.method,
    };
    const res = new ResponseShim();
    let authorized = false;
    await adapter.authorizeRequest(request, res, () => {
      authorized = true;
    });
    if (!authorized) {
      return reply.code(res.statusCode === 200 ? 401 : res.statusCode).send({ error: { code: 'UNAUTHORIZED', message: 'invalid or missing Bot Framework token' } });
    }
    if (!request.body || typeof request.body !== 'object') return reply.code(400).send({ error: { code: 'BAD_REQUEST', message: 'activity body required' } });
    // Before anything is sent or a conversation reference stored: the SDK would POST the reply, with
    // the bot's token, to whatever serviceUrl the activity names. request.user holds the claims of
    // the token the SDK has just verified.
    try {
      serviceUrls.assertInbound(request.body.serviceUrl, request.user);
    } catch (err) {
      logger.warn({ channel: 'teams', serviceUrl: String(request.body.serviceUrl).slice(0, 300), err: (err as Error).message }, 'teams activity refused');
      const { status, body } = errorBody(err);
      return reply.code(status).send(body);
    }
    await adapter.process(request, res, (context) => handler.run(context));
    for (const [k, v] of Object.entries(res.headers)) reply.header(k, v);
    return reply.code(res.statusCode).send(res.body ?? '');
  });

  const alertsConversation = config.teams.alertsConversationId ?? supportConversationId;
  const alert =
    alertsConversation && serviceUrl
      ? async (text: string) => {
          const ref = { channelId: 'msteams', serviceUrl, conversation: { id: alertsConversation, isGroup: true, conversationType: 'channel', tenantId }, agent: { id: appId } } as ConversationReference;
          // Plain text with Teams markdown escaped, one line per product (markdown needs the blank-line-free breaks as <br> is not allowed).
          const body = truncate(text, 3000).split('\n').map(escapeTeamsText).join('\n\n');
          await continueAndThrow(adapter, appId, ref, async (context) => void (await context.sendActivity(toActivity({ text: body, attachments: [] }))));
        }
      : undefined;

  return {
    supportDesk: desk,
    outbound,
    adapter,
    ...(alert ? { alert } : {}),
    async deliver(conversationId, message) {
      const ref = await referenceOf(conversationId);
      if (!ref) throw new ShopbotError('UNKNOWN_CONVERSATION', `no Teams conversation reference for ${conversationId}`);
      await continueAndThrow(adapter, appId, ref, async (context) => {
        for (const m of renderOutbound(message)) await context.sendActivity(toActivity(m));
      });
    },
    async close() {
      await outbound.drain();
    },
  };
}
