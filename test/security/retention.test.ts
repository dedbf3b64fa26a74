/**
 * Retention (security issue, part 7): conversations, transcripts, closed handoff tickets and slate
 * payloads idle longer than SHOPBOT_RETENTION_DAYS are deleted, at start and by the sweep, on a
 * fixed clock; newer data stays, and 0 keeps everything.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { FunnelEvent } from '../../src/funnel/events.js';
import { FIXTURE_CATALOG, openTestApp, type TestApp } from '../helpers/app.js';

const DAY = 86_400_000;
const USER = 'user-retention-1';

async function events(t: Pick<TestApp, 'app'>, type: FunnelEvent['type']): Promise<FunnelEvent[]> {
  await t.app.funnel.flush();
  const out: FunnelEvent[] = [];
  for await (const e of t.app.funnel.query({ types: [type] })) out.push(e);
  return out;
}

describe('retention sweep', () => {
  let t: TestApp;
  afterEach(async () => {
    await t.close();
  });
  const say = (text: string, conversationId: string) => t.app.handleTurn({ conversationId, userId: USER, channel: 'web', text });

  it('deletes conversations, transcripts, closed tickets and slates older than the retention period, and nothing newer', async () => {
    t = await openTestApp({ privacy: { retentionDays: 30 }, agents: { users: 'alice:secret-1' } });
    const t0 = t.clock.now;
    await say('running shoes', 'conv-old');
    await say('I want to talk to a human', 'conv-old-help');
    const [ticket] = await t.app.handoff.queueFor(undefined);
    await t.app.handoff.take(ticket!.id, 'alice');
    await t.app.handoff.resolve('conv-old-help', 'alice');
    const oldSlates = (await events(t, 'slate')).length;
    expect(oldSlates).toBeGreaterThan(0);

    t.clock.now = t0 + 31 * DAY;
    await say('red running shoes', 'conv-new');
    await say('I need a human please', 'conv-new-help');
    t.clock.now = t0 + 45 * DAY;

    const swept = await t.app.privacy.sweep();
    expect(swept).toEqual({ cutoffMs: t0 + 15 * DAY, conversations: 2, messages: expect.any(Number), tickets: 1, slates: oldSlates });
    expect(swept.messages).toBeGreaterThanOrEqual(4);

    expect(await t.app.history('conv-old')).toEqual([]);
    expect(await t.app.states.load('conv-old')).toBeUndefined();
    expect(await t.app.history('conv-old-help')).toEqual([]);
    expect((await t.app.history('conv-new')).length).toBe(2);
    expect(await t.app.states.load('conv-new')).toBeDefined();
    // The open ticket of the recent escalation stays; only the resolved old one went.
    expect((await t.app.handoff.queueFor(undefined)).map((q) => q.conversationId)).toEqual(['conv-new-help']);
    const slates = await events(t, 'slate');
    expect(slates.length).toBeGreaterThan(0);
    expect(slates.every((e) => e.ts >= t0 + 31 * DAY)).toBe(true);
    // Impressions and searches (already masked) stay: the funnel reports and learners count them.
    expect((await events(t, 'impression')).some((e) => e.ts === t0)).toBe(true);

    expect(await t.app.privacy.sweep()).toMatchObject({ conversations: 0, messages: 0, tickets: 0, slates: 0 });
  });

  it('counts a message to an agent-owned conversation as activity', async () => {
    t = await openTestApp({ privacy: { retentionDays: 30 }, agents: { users: 'alice:secret-1' } });
    const t0 = t.clock.now;
    await say('I want to talk to a human', 'conv-agent');
    const [ticket] = await t.app.handoff.queueFor(undefined);
    await t.app.handoff.take(ticket!.id, 'alice');
    t.clock.now = t0 + 40 * DAY;
    // The bot is silent while alice holds the conversation: the message is appended, the state not saved.
    expect((await say('are you still there?', 'conv-agent')).silent).toBe(true);
    t.clock.now = t0 + 50 * DAY;
    expect(await t.app.privacy.sweep()).toMatchObject({ conversations: 0 });
    expect((await t.app.history('conv-agent')).map((h) => h.text)).toContain('are you still there?');
  });

  it('keeps everything when the retention period is 0', async () => {
    t = await openTestApp({ privacy: { retentionDays: 0 } });
    await say('running shoes', 'conv-forever');
    t.clock.now += 3650 * DAY;
    expect(await t.app.privacy.sweep()).toEqual({ conversations: 0, messages: 0, tickets: 0, slates: 0 });
    expect((await t.app.history('conv-forever')).length).toBe(2);
    expect((await events(t, 'slate')).length).toBeGreaterThan(0);
  });
});

describe('retention at start', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('sweeps when the app opens, on the injected clock', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'shopbot-retention-'));
    dirs.push(dataDir);
    const clock = { now: Date.UTC(2026, 10, 2, 10) };
    const config = loadConfig({ env: { SHOPBOT_RETENTION_DAYS: '7' }, overrides: { dataDir, logLevel: 'silent', catalog: { demo: true, demoFile: FIXTURE_CATALOG } } });
    expect(config.privacy.retentionDays).toBe(7);
    const first = await openApp(config, { now: () => clock.now });
    await first.handleTurn({ conversationId: 'conv-start-1', userId: USER, channel: 'web', text: 'running shoes' });
    await first.close();

    clock.now += 8 * DAY;
    const second = await openApp(config, { now: () => clock.now });
    try {
      expect(await second.history('conv-start-1')).toEqual([]);
      expect(await events({ app: second }, 'slate')).toEqual([]);
    } finally {
      await second.close();
    }
  });
});
