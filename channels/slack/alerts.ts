/**
 * Merchant alerts (low stock) posted to the merchant's Slack channel: `slack.alertsChannel`, or
 * the support channel. One chat.postMessage through the Web API; the text is escaped as mrkdwn.
 */
import { webApi } from '@slack/bolt';
import type { Config } from '../../src/config.js';
import { ShopbotError } from '../../src/errors.js';
import { escapeSlack, truncate } from '../shared/index.js';

export type SlackAlerts = (text: string) => Promise<void>;

/** A sender for the configured channel; undefined when Slack or a channel for alerts is not configured. */
export function slackAlerts(config: Pick<Config, 'slack'>): SlackAlerts | undefined {
  const { botToken, apiUrl } = config.slack;
  const channel = config.slack.alertsChannel ?? config.slack.supportChannel;
  if (!botToken || !channel) return undefined;
  const client = new webApi.WebClient(botToken, { ...(apiUrl ? { slackApiUrl: apiUrl } : {}), retryConfig: { retries: 2 } });
  return async (text) => {
    const r = await client.chat.postMessage({ channel, text: escapeSlack(truncate(text, 3000)), unfurl_links: false, unfurl_media: false });
    if (!r.ok) throw new ShopbotError('CHANNEL_SEND_FAILED', `Slack refused the alert: ${r.error ?? 'unknown error'}`);
  };
}
