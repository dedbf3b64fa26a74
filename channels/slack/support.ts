/**
 * Support channel mode on Slack: each escalation is a thread in `slack.supportChannel`; the
 * shopper's messages are mirrored into the thread; agents' thread replies and the hand-back
 * button are routed back by the Slack gateway (routes.ts) through SupportCallbacks.
 */
import type { webApi } from '@slack/bolt';
import { ShopbotError } from '../../src/errors.js';
import type { Team } from '../../src/handoff/index.js';
import { escapeSlack, truncate, type OutboundQueue, type Escalation, type SupportDesk, type ThreadDirectory } from '../shared/index.js';
import { renderEscalation } from './blocks.js';

export const slackThreadRef = (channelId: string, ts: string): string => `${channelId}:${ts}`;

function parseThreadRef(ref: string): { channel: string; ts: string } {
  const i = ref.indexOf(':');
  return { channel: ref.slice(0, i), ts: ref.slice(i + 1) };
}

export class SlackSupportDesk implements SupportDesk {
  constructor(
    private readonly client: webApi.WebClient,
    private readonly queue: OutboundQueue,
    private readonly channel: string,
    readonly directory: ThreadDirectory,
  ) {}

  async postEscalation(e: Escalation): Promise<{ threadRef: string }> {
    const msg = renderEscalation(e);
    const res = await this.queue.send(this.channel, () =>
      this.client.chat.postMessage({ channel: this.channel, text: msg.text, blocks: msg.blocks, unfurl_links: false, unfurl_media: false }),
    );
    if (!res.ts || !res.channel) throw new ShopbotError('CHANNEL_SEND_FAILED', 'Slack chat.postMessage returned no ts/channel for the escalation');
    const threadRef = slackThreadRef(res.channel, res.ts);
    await this.directory.set(e.conversationId, threadRef);
    return { threadRef };
  }

  async postShopperMessage(conversationId: string, text: string): Promise<void> {
    const ref = await this.directory.byConversation(conversationId);
    if (!ref) throw new ShopbotError('UNKNOWN_CONVERSATION', `no open support thread for ${conversationId}`);
    const { channel, ts } = parseThreadRef(ref);
    await this.queue.send(channel, () =>
      this.client.chat.postMessage({ channel, thread_ts: ts, text: `*Shopper:* ${escapeSlack(truncate(text, 3000))}`, unfurl_links: false, unfurl_media: false }),
    );
  }

  /** Idempotent: closing an unknown or already closed escalation does nothing. */
  async closeEscalation(conversationId: string, note: string, isMrkdwn = false): Promise<void> {
    const ref = await this.directory.byConversation(conversationId);
    if (!ref) return;
    await this.directory.remove(conversationId);
    const { channel, ts } = parseThreadRef(ref);
    await this.queue.send(channel, () => this.client.chat.postMessage({ channel, thread_ts: ts, text: `:white_check_mark: ${isMrkdwn ? note : escapeSlack(truncate(note, 500))}` }));
  }

  /** An internal note, in the escalation's thread (agents only). Unknown conversations do nothing. */
  async postNote(conversationId: string, agentId: string, text: string): Promise<void> {
    const ref = await this.directory.byConversation(conversationId);
    if (!ref) return;
    const { channel, ts } = parseThreadRef(ref);
    await this.queue.send(channel, () => this.client.chat.postMessage({ channel, thread_ts: ts, text: `:memo: *Internal note* (${escapeSlack(truncate(agentId, 200))}): ${escapeSlack(truncate(text, 2000))}`, unfurl_links: false, unfurl_media: false }));
  }

  /** A service-level breach, in the team's Slack channel (teams[].alerts.slackChannel) or the support channel. */
  async postAlert(alert: { team: Team; text: string }): Promise<void> {
    const channel = alert.team.alerts?.slackChannel ?? this.channel;
    await this.queue.send(channel, () => this.client.chat.postMessage({ channel, text: `:rotating_light: *${escapeSlack(alert.team.name)}:* ${escapeSlack(truncate(alert.text, 1000))}`, unfurl_links: false, unfurl_media: false }));
  }

  /** The shopper conversation whose escalation thread this is, if any. */
  async conversationForThread(channelId: string, threadTs: string): Promise<string | undefined> {
    return this.directory.byThread(slackThreadRef(channelId, threadTs));
  }

  async close(): Promise<void> {
    await this.queue.drain();
  }
}
