/**
 * Service levels: timers against each team's targets, breach alerts once per target to the team's
 * Slack channel (the fake Slack API records them), and after-hours tickets whose clock starts when
 * the team opens.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { HandoffFileSchema, nextOpening, serviceLevel, type Ticket } from '../../src/handoff/index.js';
import type { RunningServer } from '../../src/server/index.js';
import { FakeSlackApi } from '../channels/slack/fake-slack-api.js';
import { serveApp } from '../helpers/app.js';
import { consoleOverrides } from '../helpers/console.js';

const MIN = 60_000;
// Thursday 3 December 2026, 10:00 UTC.
const T0 = Date.UTC(2026, 11, 3, 10);

const teams = HandoffFileSchema.parse({
  teams: [
    { id: 'shipping', name: 'Shipping', skills: ['shipping', 'general'], targets: { firstResponseMinutes: 5, resolutionMinutes: 60 }, alerts: { slackChannel: 'CSHIP' } },
    { id: 'night', name: 'Night desk', skills: ['returns'], hours: { timezone: 'Europe/Berlin', days: [1, 2, 3, 4, 5], open: '09:00', close: '17:00' } },
  ],
});

const ticket = (requestedAt: number, extra: Partial<Ticket> = {}): Ticket => ({
  id: 'T-1', conversationId: 'c', userId: 'u', channel: 'web', team: 'shipping', priority: 1, reason: 'requested', lang: 'en', status: 'queued', summary: '{}', requestedAt, tags: [], breachAlerted: [], ...extra,
});

describe('service-level timers', () => {
  it('counts from the escalation against the team targets, and stops the first-response clock at the first reply', () => {
    const shipping = teams.teams[0]!;
    expect(serviceLevel(ticket(T0), shipping, T0 + 4 * MIN)).toMatchObject({ firstResponseDueAt: T0 + 5 * MIN, resolutionDueAt: T0 + 60 * MIN, firstResponseBreached: false, firstResponseMs: 4 * MIN });
    expect(serviceLevel(ticket(T0), shipping, T0 + 6 * MIN).firstResponseBreached).toBe(true);
    expect(serviceLevel(ticket(T0, { firstResponseAt: T0 + 3 * MIN }), shipping, T0 + 30 * MIN)).toMatchObject({ firstResponseBreached: false, firstResponseMs: 3 * MIN, resolutionBreached: false });
  });

  it('starts an after-hours ticket at the next opening, in the team time zone', () => {
    const night = teams.teams[1]!;
    // 18:00 UTC Thursday is 19:00 in Berlin (closed); Friday 09:00 Berlin is 08:00 UTC.
    const evening = Date.UTC(2026, 11, 3, 18);
    expect(nextOpening(night, evening)).toBe(Date.UTC(2026, 11, 4, 8));
    // Friday evening waits for Monday.
    expect(nextOpening(night, Date.UTC(2026, 11, 4, 18))).toBe(Date.UTC(2026, 11, 7, 8));
    expect(serviceLevel(ticket(evening, { team: 'night' }), night, evening + 10 * 3_600_000).firstResponseBreached).toBe(false);
  });
});

describe('breach alerts to the team channel', () => {
  let api: FakeSlackApi;
  let dir: string;
  let server: RunningServer;
  const clock = { now: T0 };

  beforeAll(async () => {
    api = new FakeSlackApi();
    await api.start();
    dir = mkdtempSync(path.join(tmpdir(), 'shopbot-sla-'));
    const file = path.join(dir, 'handoff.json');
    writeFileSync(file, JSON.stringify({ teams: teams.teams }));
    server = await serveApp(
      loadConfig({
        env: {},
        overrides: consoleOverrides(dir, {
          handoff: { file, serviceLevelCheckMs: 0 },
          slack: { botToken: 'xoxb-test-token', signingSecret: 'sla-secret', supportChannel: 'CSUPPORT', apiUrl: `${api.url}/api/` },
        }),
      }),
      { now: () => clock.now },
    );
  });
  afterAll(async () => {
    await server.close();
    await api.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('alerts a missed first response once, to the team channel, and shows the timers in the queue', async () => {
    await server.app.handleTurn({ conversationId: 'web-sla-1', userId: 'u-sla', channel: 'web', text: 'I want to talk to a human agent' });
    expect(await server.app.handoff.checkServiceLevels()).toEqual([]);
    clock.now += 6 * MIN;
    const [t] = await server.app.handoff.queueFor(['shipping']);
    expect(t!.serviceLevel).toMatchObject({ firstResponseBreached: true, resolutionBreached: false });
    expect(await server.app.handoff.checkServiceLevels()).toEqual([{ ticketId: t!.id, kind: 'first_response' }]);
    const alert = await api.waitFor('chat.postMessage', (c) => c.body.channel === 'CSHIP');
    expect(String(alert.body.text)).toContain(`ticket ${t!.id}`);
    expect(String(alert.body.text)).toContain('within 5 minutes');
    expect(await server.app.handoff.checkServiceLevels()).toEqual([]);
  });
});

describe('after hours', () => {
  it('tells the shopper when the team is back, and the ticket waits first in the queue with its clock starting then', async () => {
    const { openServiceApp } = await import('../dialogue/service-app.js');
    const dir = mkdtempSync(path.join(tmpdir(), 'shopbot-night-'));
    const file = path.join(dir, 'handoff.json');
    writeFileSync(file, JSON.stringify({ teams: [{ ...teams.teams[1], skills: ['general', 'returns', 'shipping', 'billing', 'sales', 'complaints', 'account'] }] }));
    const s = await openServiceApp({ agents: { users: 'alice:secret-1' }, handoff: { file, serviceLevelCheckMs: 0 } });
    try {
      // Thursday 19:00 in Berlin: closed until Friday 09:00.
      s.clock.now = Date.UTC(2026, 11, 3, 18);
      const r = await s.say('I want to talk to a human agent', 'conv-night-1');
      expect(r.handoff).toMatchObject({ status: 'queued', team: 'Night desk' });
      expect(r.text).toContain('back at Fri 09:00 (Europe/Berlin)');
      const [t] = await s.app.handoff.queueFor(undefined);
      expect(t!.opensAt).toBe(Date.UTC(2026, 11, 4, 8));
      expect(t!.serviceLevel.firstResponseDueAt).toBe(Date.UTC(2026, 11, 4, 8) + 15 * MIN);
    } finally {
      await s.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
