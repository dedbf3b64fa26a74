import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

describe('Slack app manifest', () => {
  it('points at the routes the Slack channel registers and asks for the scopes it uses', () => {
    const yml = readFileSync(new URL('../../../channels/slack/manifest.yml', import.meta.url), 'utf8');
    for (const path of ['/slack/events', '/slack/interactivity', '/slack/commands']) expect(yml).toContain(`${path}\n`);
    for (const scope of ['app_mentions:read', 'chat:write', 'commands', 'im:history', 'channels:history']) expect(yml).toMatch(new RegExp(`- ${scope}\\b`));
    for (const event of ['app_mention', 'message.im', 'message.channels']) expect(yml).toMatch(new RegExp(`- ${event}\\n`));
  });
});
