import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { mountChatChannels } from '../../channels/chat.js';
import { loadConfig } from '../../src/config.js';
import { SqliteFunnelStore } from '../../src/funnel/sqlite.js';
import { openSqlite } from '../../src/storage/sqlite.js';
import { FakeAssistant, FakeLogger } from './shared/fakes.js';

async function mount(env: Record<string, string>) {
  const db = openSqlite(':memory:');
  const funnel = new SqliteFunnelStore(db);
  const logger = new FakeLogger();
  const fastify = Fastify();
  const channels = await mountChatChannels(fastify, { config: loadConfig({ env }), handleTurn: new FakeAssistant().handleTurn, funnel, logger });
  await fastify.ready();
  return {
    channels,
    fastify,
    logger,
    async close() {
      await channels.close();
      await fastify.close();
      await funnel.close();
      db.close();
    },
  };
}

describe('mountChatChannels', () => {
  it('starts without credentials, mounts nothing and says why', async () => {
    const m = await mount({});
    expect(m.channels.teams).toBeUndefined();
    expect(m.channels.slack).toBeUndefined();
    expect((await m.fastify.inject({ method: 'POST', url: '/api/messages', payload: {} })).statusCode).toBe(404);
    expect((await m.fastify.inject({ method: 'POST', url: '/slack/events', payload: {} })).statusCode).toBe(404);
    expect(m.logger.lines.map((l) => l.msg)).toEqual([
      'teams off: MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD not set; support channel off: Teams is off',
      'slack off: SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET not set; support channel off: Slack is off',
    ]);
    await expect(m.channels.deliver('slack:T1:C1', { conversationId: 'x', lang: 'en', text: 'x', products: [], quickReplies: [] })).rejects.toMatchObject({ code: 'UNKNOWN_CONVERSATION' });
    await m.close();
  });

  it('mounts the channels that have credentials', async () => {
    const m = await mount({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', SHOPBOT_SLACK_SUPPORT_CHANNEL: 'C1', MICROSOFT_APP_ID: 'a', MICROSOFT_APP_PASSWORD: 'p' });
    expect(m.channels.slack).toBeDefined();
    expect(m.channels.teams).toBeDefined();
    expect(m.channels.supportDesk).toBe(m.channels.slack!.supportDesk);
    // mounted, and refusing what is not signed
    expect((await m.fastify.inject({ method: 'POST', url: '/api/messages', payload: { type: 'message' } })).statusCode).toBe(401);
    expect((await m.fastify.inject({ method: 'POST', url: '/slack/events', payload: { type: 'url_verification', challenge: 'x' } })).statusCode).toBe(401);
    await m.close();
  });
});
