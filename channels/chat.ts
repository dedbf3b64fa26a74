/**
 * Mounts whichever chat channels have credentials and says which are off and why, so the server
 * starts (and says so) without Teams or Slack configured.
 */
import type { FastifyInstance } from 'fastify';
import type { ChannelPlugin } from '../src/channel.js';
import type { HttpServer } from '../src/server/index.js';
import type { OutboundMessage } from '../src/messages.js';
import { ShopbotError } from '../src/errors.js';
import { registerSlackRoutes, slackAlerts, type SlackChannelHandle, type SlackChannelOptions } from './slack/index.js';
import { registerTeamsRoutes, type TeamsChannelHandle, type TeamsChannelOptions } from './teams/index.js';
import { describeChannels, type ChannelStatus, type SupportDesk, type ChannelDeps, type ChannelHandle } from './shared/index.js';

export interface ChatChannels extends ChannelHandle {
  readonly statuses: readonly ChannelStatus[];
  readonly teams?: TeamsChannelHandle;
  readonly slack?: SlackChannelHandle;
  /** The desk escalations go to: Slack's when its support channel is set, else Teams'. */
  readonly supportDesk?: SupportDesk;
  /** Sends a message to a shopper whose conversation is on Teams or Slack (by its id prefix). */
  deliver(conversationId: string, message: OutboundMessage): Promise<void>;
}

export async function mountChatChannels(fastify: FastifyInstance, deps: ChannelDeps, options: { teams?: TeamsChannelOptions; slack?: SlackChannelOptions } = {}): Promise<ChatChannels> {
  const statuses = describeChannels(deps.config);
  for (const s of statuses) deps.logger.info({ channel: s.channel, enabled: s.enabled, support: s.support.enabled }, `${s.channel} ${s.reason}; support channel ${s.support.reason}`);
  const on = (c: 'teams' | 'slack') => statuses.find((s) => s.channel === c)!.enabled;
  const teams = on('teams') ? await registerTeamsRoutes(fastify, deps, options.teams) : undefined;
  const slack = on('slack') ? await registerSlackRoutes(fastify, deps, options.slack) : undefined;
  return {
    statuses,
    teams,
    slack,
    supportDesk: slack?.supportDesk ?? teams?.supportDesk,
    async deliver(conversationId, message) {
      if (conversationId.startsWith('teams:') && teams) return teams.deliver(conversationId, message);
      if (conversationId.startsWith('slack:') && slack) return slack.deliver(conversationId, message);
      throw new ShopbotError('UNKNOWN_CONVERSATION', `no chat channel delivers to ${conversationId}`);
    },
    async close() {
      await slack?.close();
      await teams?.close();
    },
  };
}

/** Teams and Slack as a channel of the app: their routes on the server, and the support desk escalations go to. */
export function chatChannels(http: HttpServer, options: { teams?: TeamsChannelOptions; slack?: SlackChannelOptions } = {}): ChannelPlugin {
  return async (app) => {
    const chat = await mountChatChannels(
      http.fastify,
      // The service's callbacks: a thread reply takes a queued ticket first; who may act is checked there.
      { config: app.config, funnel: app.funnel, logger: app.log, handleTurn: (msg, opts) => app.handleTurn(msg, opts), support: app.handoff.callbacks, lastAgent: async (id) => (await app.states.load(id))?.lastAgent },
      // Support threads are remembered in the handoff store, so a restart or a second server still relays them.
      // Teams conversation references too (an agent's reply from another server needs the shopper's).
      { ...options, teams: { threads: app.handoff.threads('teams'), references: app.handoff.threads('teams-references'), ...options.teams }, slack: { threads: app.handoff.threads('slack'), ...options.slack } },
    );
    // Merchant alerts go to every chat channel that has a conversation for them.
    const senders = [slackAlerts(app.config), chat.teams?.alert].filter((x): x is (text: string) => Promise<void> => x !== undefined);
    return {
      ...(chat.supportDesk ? { desk: chat.supportDesk } : {}),
      ...(senders.length ? { alert: async (text: string) => void (await Promise.all(senders.map((send) => send(text)))) } : {}),
      handles: (conversationId) => /^(teams|slack):/.test(conversationId),
      deliver: (conversationId, message) => chat.deliver(conversationId, message),
      close: () => chat.close(),
    };
  };
}
