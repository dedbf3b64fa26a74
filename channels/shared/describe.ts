/** Which chat channels are on and why; the server logs this at start. */
import type { Config } from '../../src/config.js';

export interface ChannelStatus {
  readonly channel: 'teams' | 'slack';
  readonly enabled: boolean;
  readonly reason: string;
  readonly support: { readonly enabled: boolean; readonly reason: string };
}

export function describeChannels(config: Config): ChannelStatus[] {
  const t = config.teams;
  const teamsMissing = [!t.appId && 'MICROSOFT_APP_ID', !t.appPassword && 'MICROSOFT_APP_PASSWORD'].filter(Boolean);
  const teamsOn = teamsMissing.length === 0;
  const teamsSupportMissing = [!t.supportConversationId && 'SHOPBOT_TEAMS_SUPPORT_CONVERSATION', !t.serviceUrl && 'teams.serviceUrl (SHOPBOT_TEAMS_SERVICE_URL)'].filter(Boolean);
  const s = config.slack;
  const slackMissing = [!s.botToken && 'SLACK_BOT_TOKEN', !s.signingSecret && 'SLACK_SIGNING_SECRET'].filter(Boolean);
  const slackOn = slackMissing.length === 0;
  return [
    {
      channel: 'teams',
      enabled: teamsOn,
      reason: teamsOn
        ? `on: POST /api/messages (app ${t.appId}${t.tenantId ? `, tenant ${t.tenantId}` : ', multi-tenant'})`
        : `off: ${teamsMissing.join(' and ')} not set`,
      support: !teamsOn
        ? { enabled: false, reason: 'off: Teams is off' }
        : teamsSupportMissing.length
          ? { enabled: false, reason: `off: ${teamsSupportMissing.join(' and ')} not set` }
          : { enabled: true, reason: `on: escalations post to ${t.supportConversationId}` },
    },
    {
      channel: 'slack',
      enabled: slackOn,
      reason: slackOn ? 'on: POST /slack/events, /slack/interactivity, /slack/commands' : `off: ${slackMissing.join(' and ')} not set`,
      support: !slackOn
        ? { enabled: false, reason: 'off: Slack is off' }
        : s.supportChannel
          ? { enabled: true, reason: `on: escalations post to ${s.supportChannel}` }
          : { enabled: false, reason: 'off: SHOPBOT_SLACK_SUPPORT_CHANNEL not set' },
    },
  ];
}
