/**
 * Support channel mode on Teams: each escalation is a new thread (a proactive message) in the
 * channel `teams.supportConversationId`; the shopper's messages are posted as replies in that
 * thread (conversation id "<channel>;messageid=<root>"); agents' replies and the hand-back button
 * come back through /api/messages (routes.ts).
 */
import type { Activity, ConversationReference } from '@microsoft/agents-activity';
import type { CloudAdapter } from '@microsoft/agents-hosting';
import { ShopbotError } from '../../src/errors.js';
import type { Team } from '../../src/handoff/index.js';
import { escapeTeamsText, truncate, type Escalation, type SupportDesk, type ThreadDirectory } from '../shared/index.js';
import { renderEscalation, type TeamsMessage } from './cards.js';
import { continueAndThrow } from './proactive.js';

export class TeamsSupportDesk implements SupportDesk {
  constructor(
    private readonly adapter: CloudAdapter,
    private readonly appId: string,
    private readonly target: { serviceUrl: string; conversationId: string; tenantId?: string },
    readonly directory: ThreadDirectory,
    private readonly toActivity: (m: TeamsMessage) => Activity,
  ) {}

  private reference(conversationId: string): ConversationReference {
    return {
      channelId: 'msteams',
      serviceUrl: this.target.serviceUrl,
      conversation: { id: conversationId, isGroup: true, conversationType: 'channel', tenantId: this.target.tenantId },
      agent: { id: this.appId },
    } as ConversationReference;
  }

  private async post(conversationId: string, message: TeamsMessage): Promise<string | undefined> {
    let id: string | undefined;
    await continueAndThrow(this.adapter, this.appId, this.reference(conversationId), async (context) => {
      id = (await context.sendActivity(this.toActivity(message)))?.id;
    });
    return id;
  }

  async postEscalation(e: Escalation): Promise<{ threadRef: string }> {
    const rootId = await this.post(this.target.conversationId, renderEscalation(e));
    if (!rootId) throw new ShopbotError('CHANNEL_SEND_FAILED', 'Bot Connector returned no activity id for the escalation');
    const threadRef = `${this.target.conversationId};messageid=${rootId}`;
    await this.directory.set(e.conversationId, threadRef);
    return { threadRef };
  }

  async postShopperMessage(conversationId: string, text: string): Promise<void> {
    const threadRef = await this.directory.byConversation(conversationId);
    if (!threadRef) throw new ShopbotError('UNKNOWN_CONVERSATION', `no open support thread for ${conversationId}`);
    await this.post(threadRef, { text: `**Shopper:** ${escapeTeamsText(truncate(text, 3000))}`, attachments: [] });
  }

  /** Idempotent: closing an unknown or already closed escalation does nothing. */
  async closeEscalation(conversationId: string, note: string): Promise<void> {
    const threadRef = await this.directory.byConversation(conversationId);
    if (!threadRef) return;
    await this.directory.remove(conversationId);
    await this.post(threadRef, { text: escapeTeamsText(truncate(note, 500)), attachments: [] });
  }

  /** An internal note, in the escalation's thread (agents only). Unknown conversations do nothing. */
  async postNote(conversationId: string, agentId: string, text: string): Promise<void> {
    const threadRef = await this.directory.byConversation(conversationId);
    if (!threadRef) return;
    await this.post(threadRef, { text: `**Internal note** (${escapeTeamsText(truncate(agentId, 200))}): ${escapeTeamsText(truncate(text, 2000))}`, attachments: [] });
  }

  /** A service-level breach, as a new message in the team's Teams conversation or the support channel. */
  async postAlert(alert: { team: Team; text: string }): Promise<void> {
    await this.post(alert.team.alerts?.teamsConversation ?? this.target.conversationId, { text: `**${escapeTeamsText(alert.team.name)}:** ${escapeTeamsText(truncate(alert.text, 1000))}`, attachments: [] });
  }

  async close(): Promise<void> {}
}
