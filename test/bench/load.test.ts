import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { compareEvents } from '../../bench/load/events.js';
import { run } from '../../bench/load/index.js';
import { createThinkTime, defaultMixFiles, loadMix } from '../../bench/load/mix.js';
import { isSustained, mergeResults, steadyWindow, summarize } from '../../bench/load/report.js';
import { planShoppers } from '../../bench/load/run.js';
import { connectFailureCause, type ShopperResult } from '../../bench/load/shoppers.js';
import { createRng } from '../../src/maths/index.js';
import { FIXTURE_CATALOG } from '../helpers/app.js';

function result(over: Partial<ShopperResult>): ShopperResult {
  return {
    sockets: 0, connected: 0, connectMs: [], connectFailures: {}, hellos: 0, helloFailures: {}, sent: 0, sendTimes: [], sentAt: [], ackAt: [], latencyMs: [],
    errors: {}, lostTimeout: 0, lostDisconnect: 0, disconnects: 0, ackedByConversation: {}, ackedBySource: {}, cpuUserMs: 0, cpuSystemMs: 0,
    ...over,
  };
}

describe('load bench arithmetic', () => {
  // Two client processes; the run starts at 0, the ramp ends at 1 s, sending stops at 5 s.
  const w = { startAt: 0, rampEndAt: 1000, endAt: 5000 };
  const a = result({
    sockets: 2, connected: 2, connectMs: [5, 7], sent: 4, sendTimes: [500, 1500, 2500, 3000], sentAt: [500, 1500, 2500], ackAt: [520, 1540, 2600], latencyMs: [20, 40, 100],
    errors: { RATE_LIMITED: 1 }, ackedByConversation: { c1: 2, c2: 1 }, ackedBySource: { 'shopping-en.json': 3 }, cpuUserMs: 100, cpuSystemMs: 50,
  });
  const b = result({
    sockets: 2, connected: 1, connectMs: [9], connectFailures: { TIMEOUT: 1 }, sent: 3, sendTimes: [1200, 4000, 4900], sentAt: [1200, 4000], ackAt: [1210, 4010], latencyMs: [10, 10],
    lostTimeout: 1, ackedByConversation: { c3: 2, c4: 0 }, ackedBySource: { 'orders-en.json': 2 }, cpuUserMs: 10, cpuSystemMs: 0,
  });

  it('merges processes and counts every message once: answered, errored or lost', () => {
    const m = summarize(mergeResults([a, b]), w, 2000);
    expect(m.sockets).toBe(4);
    expect(m.connected).toBe(3);
    expect(m.connect_failures).toBe(1);
    expect(m.connect_fail_TIMEOUT).toBe(1);
    expect(m.sent).toBe(7);
    expect(m.acked).toBe(5);
    expect(m.errors).toBe(1);
    expect(m.error_RATE_LIMITED).toBe(1);
    expect(m.lost_replies).toBe(1);
    expect(m.acked! + m.errors! + m.lost_replies!).toBe(m.sent);
    expect(m.conversations).toBe(4);
    expect(m.offered_per_s).toBe(1.5); // 3 connected shoppers, one message per 2 s each
    expect(m.client_cpu_s).toBeCloseTo(0.16, 10);
  });

  it('takes rates and latencies over the steady window after the ramp', () => {
    const merged = mergeResults([a, b]);
    // Last reply at 4010 ms, before sending stopped: the window is 1000..4010.
    expect(steadyWindow(merged, w)).toEqual({ fromMs: 1000, toMs: 4010 });
    const m = summarize(merged, w, 2000);
    expect(m.window_s).toBeCloseTo(3.01, 10);
    expect(m.turns_per_s).toBeCloseTo(4 / 3.01, 10); // replies at 1210, 1540, 2600, 4010
    expect(m.sent_per_s).toBeCloseTo(5 / 3.01, 10); // sends at 1200, 1500, 2500, 3000, 4000
    // Turns sent in the window: 1500 (40 ms), 2500 (100 ms), 1200 (10 ms), 4000 (10 ms).
    expect(m.p50_ms).toBe(10);
    expect(m.p99_ms).toBe(100);
    expect(m.max_ms).toBe(100);
    expect(m.mean_ms).toBe(40);
  });

  it('falls back to the whole run when the ramp outlasts the replies', () => {
    const short = result({ sent: 1, sendTimes: [100], sentAt: [100], ackAt: [300], latencyMs: [200] });
    expect(steadyWindow(short, w)).toEqual({ fromMs: 0, toMs: 300 });
    expect(summarize(short, w, 0).offered_per_s).toBeNaN();
  });

  it('a step is sustained only with no failure of any kind and p99 within the bound', () => {
    const ok = summarize(result({ sockets: 1, connected: 1, sent: 2, sendTimes: [1500, 2000], sentAt: [1500, 2000], ackAt: [1550, 2050], latencyMs: [50, 50] }), w, 2000);
    expect(isSustained(ok, 100)).toBe(true);
    expect(isSustained(ok, 49)).toBe(false);
    expect(isSustained({ ...ok, lost_replies: 1 }, 100)).toBe(false);
    expect(isSustained({ ...ok, connect_failures: 1 }, 100)).toBe(false);
    expect(isSustained({ ...ok, acked: 0 }, 100)).toBe(false);
  });

  it('compares events with acknowledged turns per conversation', () => {
    const c = compareEvents({ c1: 3, c2: 1, c3: 0 }, new Map([['c1', 1], ['c3', 2], ['other', 9]]));
    expect(c).toEqual({ ackedTurns: 4, userEvents: 3, ackedWithoutEvent: 3, eventsWithoutAck: 2 });
  });

  it('spreads sockets over processes and the ramp, and turns over processes', () => {
    const plans = planShoppers({ url: 'http://x', sockets: 5, processes: 2, scripts: [{ source: 's', turns: ['hi'] }], thinkMs: 10, thinkDist: 'exp', rampS: 1, durationS: 3, maxTurns: 7, replyTimeoutMs: 100, connectTimeoutMs: 100, seed: 1 }, 10_000);
    expect(plans.map((p) => p.sockets.map((s) => s.index))).toEqual([[0, 2, 4], [1, 3]]);
    expect(plans.flatMap((p) => p.sockets.map((s) => s.openAt)).sort()).toEqual([10_000, 10_200, 10_400, 10_600, 10_800]);
    expect(plans.map((p) => p.maxTurns)).toEqual([4, 3]);
    expect(plans.every((p) => p.endAt === 13_000)).toBe(true);
  });

  it('draws think times with the configured mean and shape', () => {
    const exp = createThinkTime('exp', 100, createRng(3));
    const uni = createThinkTime('uniform', 100, createRng(3));
    const e = Array.from({ length: 20_000 }, exp);
    const u = Array.from({ length: 20_000 }, uni);
    expect(e.reduce((s, x) => s + x, 0) / e.length).toBeCloseTo(100, -1);
    expect(Math.max(...e)).toBeLessThanOrEqual(1000);
    expect(Math.min(...u)).toBeGreaterThanOrEqual(50);
    expect(Math.max(...u)).toBeLessThan(150);
    expect(createThinkTime('exp', 0, createRng(3))()).toBe(0);
  });

  it('names why a connection failed', () => {
    expect(connectFailureCause(Object.assign(new Error('refused'), { data: { code: 'TOO_MANY_CONNECTIONS' } }))).toBe('TOO_MANY_CONNECTIONS');
    expect(connectFailureCause(new Error('timeout'))).toBe('TIMEOUT');
    expect(connectFailureCause(Object.assign(new Error('websocket error'), { type: 'TransportError', description: { message: 'connect ECONNREFUSED 127.0.0.1:1' } }))).toBe('ECONNREFUSED');
    expect(connectFailureCause(Object.assign(new Error('websocket error'), { type: 'TransportError' }))).toBe('TRANSPORT');
  });

  it('takes every user turn of the conversation evals, one script per conversation', () => {
    const scripts = loadMix(defaultMixFiles(process.cwd()));
    expect(scripts.length).toBeGreaterThan(50);
    expect(new Set(scripts.map((s) => s.source)).has('shopping-en.json')).toBe(true);
    const cancel = scripts.find((s) => s.turns[0] === 'I want to cancel order SB-100001');
    expect(cancel?.turns).toEqual(['I want to cancel order SB-100001', 'no']);
  });
});

describe('shopbot bench load, a tiny run against a server it starts', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('answers every turn and, after a clean stop, holds one user-message event per answered turn', { timeout: 240_000 }, async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'shopbot-load-test-'));
    const out = path.join(dir, 'load.json');
    const code = await run(['--sockets', '5', '--processes', '2', '--duration-s', '6', '--ramp-s', '1', '--think-ms', '100', '--catalog', FIXTURE_CATALOG, '--json', out]);
    expect(code).toBe(0);
    const m = JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>;
    for (const v of Object.values(m)) expect(typeof v).toBe('number');
    const n = m as Record<string, number>;
    // Under a full-suite load a socket may connect late; the 6 s run leaves it time, and a failure names its cause.
    const connects = Object.fromEntries(Object.entries(n).filter(([k]) => k === 'connected' || k.startsWith('connect_fail')));
    expect(connects).toEqual({ connected: 5, connect_failures: 0 });
    expect(n.acked).toBeGreaterThan(0);
    expect(n.acked! + n.errors! + n.lost_replies!).toBe(n.sent);
    expect(n.user_events).toBe(n.acked);
    expect(n.acked_without_event).toBe(0);
    expect(n.events_without_ack).toBe(0);
    expect(n.server_rss_after_mb).toBeGreaterThan(0);
    expect(n.server_cpu_s).toBeGreaterThan(0);
  });
});
