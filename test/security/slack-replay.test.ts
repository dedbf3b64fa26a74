/**
 * Security: a signed Slack request copied off the wire (a proxy log, a leaked capture) must not
 * run twice inside the 5-minute timestamp window, on the process that saw it or on any other.
 * Two Slack channels ("server processes") are mounted on their own fastify servers, each with its
 * own SQLite handle on one database file, against a local fake Slack API.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerSlackRoutes, type SlackChannelHandle } from '../../channels/slack/index.js';
import { signSlackRequest } from '../../channels/slack/verify.js';
import { loadConfig } from '../../src/config.js';
import { SqliteFunnelStore } from '../../src/funnel/sqlite.js';
import { openSqlite, type SqliteDb } from '../../src/storage/sqlite.js';
import { FakeAssistant, FakeClock, FakeLogger, seededRandom } from '../channels/shared/fakes.js';
import { FakeSlackApi } from '../channels/slack/fake-slack-api.js';
import { ADD_TO_CART_CLICK } from '../channels/slack/payloads.js';

const SECRET = 'replay-test-signing-secret';
const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);
const TS = Math.floor(NOW / 1000);

interface Process {
  server: FastifyInstance;
  handle: SlackChannelHandle;
  assistant: FakeAssistant;
  db: SqliteDb;
  funnel: SqliteFunnelStore;
  base: string;
}

let api: FakeSlackApi;
let dataDir: string;
let procs: Process[];

async function startProcess(): Promise<Process> {
  const config = loadConfig({
    env: { SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_SIGNING_SECRET: SECRET, SHOPBOT_SLACK_MERCHANTS: 'UMERCHANT' },
    overrides: { slack: { apiUrl: `${api.url}/api/` } },
  });
  const assistant = new FakeAssistant();
  const db = openSqlite(dataDir);
  const funnel = new SqliteFunnelStore(db);
  const server = Fastify();
  const handle = await registerSlackRoutes(server, { config, handleTurn: assistant.handleTurn, funnel, logger: new FakeLogger(), clock: new FakeClock(NOW), random: seededRandom(1) });
  await server.listen({ port: 0, host: '127.0.0.1' });
  return { server, handle, assistant, db, funnel, base: `http://127.0.0.1:${(server.server.address() as { port: number }).port}` };
}

beforeEach(async () => {
  api = new FakeSlackApi();
  await api.start();
  dataDir = mkdtempSync(path.join(tmpdir(), 'shopbot-slack-replay-'));
  procs = [await startProcess(), await startProcess()];
});

afterEach(async () => {
  for (const p of procs) {
    await p.handle.close();
    await p.server.close();
    await p.funnel.close();
    p.db.close();
  }
  await api.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** One captured request: exact bytes and headers, sendable again to any process. */
function capture(urlPath: string, body: string, contentType: string, ts = TS, extraHeaders: Record<string, string> = {}) {
  const headers = { 'content-type': contentType, 'x-slack-request-timestamp': String(ts), 'x-slack-signature': signSlackRequest(SECRET, ts, body), ...extraHeaders };
  return (to: Process) => fetch(`${to.base}${urlPath}`, { method: 'POST', headers, body });
}

const form = 'application/x-www-form-urlencoded';
const addToCart = capture('/slack/interactivity', new URLSearchParams({ payload: JSON.stringify(ADD_TO_CART_CLICK) }).toString(), form);

const turnsRun = () => procs.reduce((n, p) => n + p.assistant.turns.length, 0);
const idle = () => Promise.all(procs.map((p) => p.handle.idle()));
const errorCode = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

describe('Slack replay protection', () => {
  it('refuses a replayed add-to-cart click with 401, on the same process and on another, and runs one turn', async () => {
    const [a, b] = procs as [Process, Process];
    expect((await addToCart(a)).status).toBe(200);
    await api.waitFor('chat.postMessage');

    const sameProcess = await addToCart(a);
    expect(sameProcess.status).toBe(401);
    expect(await errorCode(sameProcess)).toBe('SIGNATURE_REPLAYED');
    const otherProcess = await addToCart(b);
    expect(otherProcess.status).toBe(401);
    expect(await errorCode(otherProcess)).toBe('SIGNATURE_REPLAYED');

    await idle();
    expect(turnsRun()).toBe(1);
    expect(a.assistant.turns[0]).toMatchObject({ action: { type: 'add_to_cart', productId: 'B001' } });
    expect(api.calls.filter((c) => c.method === 'chat.postMessage')).toHaveLength(1);
  });

  it('refuses a replayed slash command with 401 and answers it once', async () => {
    const [a, b] = procs as [Process, Process];
    const command = capture('/slack/commands', new URLSearchParams({ command: '/shopbot', text: 'report week', team_id: 'T1', channel_id: 'C9', user_id: 'UMERCHANT', response_url: `${api.url}/respond/1` }).toString(), form);
    expect((await command(a)).status).toBe(200);
    await api.waitFor('respond/1');

    const replayed = await command(b);
    expect(replayed.status).toBe(401);
    expect(await errorCode(replayed)).toBe('SIGNATURE_REPLAYED');
    await idle();
    expect(api.calls.filter((c) => c.method === 'respond/1')).toHaveLength(1);
  });

  it("lets Slack's own retry through (signed again, new timestamp) but answers the event once, whichever process gets it", async () => {
    const [a, b] = procs as [Process, Process];
    const event = JSON.stringify({ type: 'event_callback', team_id: 'T1', event_id: 'EvRetry1', event: { type: 'message', channel: 'D1', channel_type: 'im', user: 'U1', text: 'hello', ts: '1764331300.000200' } });
    expect((await capture('/slack/events', event, 'application/json')(a)).status).toBe(200);
    const retry = await capture('/slack/events', event, 'application/json', TS + 60, { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' })(b);
    expect(retry.status).toBe(200);

    await api.waitFor('chat.postMessage');
    await idle();
    expect(turnsRun()).toBe(1);
    expect(api.calls.filter((c) => c.method === 'chat.postMessage')).toHaveLength(1);
  });
});
