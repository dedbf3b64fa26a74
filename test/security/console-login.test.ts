/**
 * Attacks on the agent console's logins, against the real server (port 0) and real socket.io
 * clients: password guessing from one address, guessing one account from anywhere (also across two
 * servers sharing Redis), weak passwords in the config, a missing session secret outside the demo,
 * tokens signed with the shared secret for something else, handshake floods, and scrypt on the
 * event loop.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { io as connect, type Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createAgentAuth, hashPassword } from '../../channels/web/console/index.js';
import type { App } from '../../src/app.js';
import { ConfigSchema, loadConfig, type ConfigInput } from '../../src/config.js';
import type { RunningServer } from '../../src/server/index.js';
import { serveApp } from '../helpers/app.js';
import { consoleOverrides } from '../helpers/console.js';

const ALICE = 'alice-password-1';
const BOB = 'bob-password-22';
const SECRET = 'a-session-secret-of-at-least-32-characters';
const REDIS = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Keys of this file's servers only (state, limits, socket counts), so parallel test files never share a count. */
const REDIS_PREFIX = `shopbot-test-${randomUUID().slice(0, 8)}`;

interface Node {
  app: App;
  server: RunningServer;
}

const dirs: string[] = [];
const nodes: Node[] = [];
const sockets: Socket[] = [];

function baseOverrides(dir: string, overrides: ConfigInput): ConfigInput {
  return consoleOverrides(dir, { agents: { users: `alice:${ALICE},bob:${BOB}` }, ...overrides });
}

async function openNode(overrides: ConfigInput = {}): Promise<Node> {
  const dir = mkdtempSync(path.join(tmpdir(), 'shopbot-console-login-'));
  dirs.push(dir);
  const server = await serveApp(loadConfig({ env: {}, overrides: baseOverrides(dir, overrides) }));
  const node = { app: server.app, server };
  nodes.push(node);
  return node;
}

afterEach(async () => {
  for (const s of sockets.splice(0)) s.disconnect();
  for (const n of nodes.splice(0)) {
    await n.server.close();
    await n.app.close();
  }
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function login(node: Node, name: string, password: string): Promise<Response> {
  return fetch(`${node.server.url}/console/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, password }) });
}

async function errorOf(res: Response): Promise<{ code: string; message: string }> {
  return ((await res.json()) as { error: { code: string; message: string } }).error;
}

/** Resolves on connect; rejects with the server's refusal (message and data) on connect_error. */
function agentSocket(node: Node, token: string): Promise<Socket> {
  const socket = connect(`${node.server.url}/agents`, { transports: ['websocket'], forceNew: true, reconnection: false, auth: { token } });
  sockets.push(socket);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

function retryAfterSec(res: Response): number {
  const header = res.headers.get('retry-after');
  expect(header).toMatch(/^\d+$/);
  return Number(header);
}

describe('console logins under attack', () => {
  it('throttles guessing from one address: over the limit even the right password gets 429 with Retry-After', async () => {
    const node = await openNode({ limits: { loginsPerMinutePerIp: 3, loginFailuresBeforeLockout: 100 } });
    // Different names each time, so only the per-address limit can stop it.
    for (const name of ['admin', 'root', 'carol']) expect((await login(node, name, 'guess-password-1')).status).toBe(401);
    const res = await login(node, 'alice', ALICE);
    expect(res.status).toBe(429);
    expect((await errorOf(res)).code).toBe('RATE_LIMITED');
    const wait = retryAfterSec(res);
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(wait).toBeLessThanOrEqual(60);
  });

  it('locks an account after repeated wrong passwords: the right one is refused with ACCOUNT_LOCKED, other accounts still log in', async () => {
    const node = await openNode({ limits: { loginsPerMinutePerIp: 1000, loginFailuresBeforeLockout: 3, lockoutMinutes: 15 } });
    for (let i = 0; i < 3; i++) expect((await login(node, 'alice', `wrong-password-${i}`)).status).toBe(401);
    const locked = await login(node, 'alice', ALICE);
    expect(locked.status).toBe(429);
    expect((await errorOf(locked)).code).toBe('ACCOUNT_LOCKED');
    const wait = retryAfterSec(locked);
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(wait).toBeLessThanOrEqual(15 * 60);
    expect((await login(node, 'alice', ALICE)).status).toBe(429);

    const bob = await login(node, 'bob', BOB);
    expect(bob.status).toBe(200);
    const { token } = (await bob.json()) as { token: string };
    await agentSocket(node, token);
  });

  it('counts failures until a success clears them', async () => {
    const node = await openNode({ limits: { loginsPerMinutePerIp: 1000, loginFailuresBeforeLockout: 3 } });
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 2; i++) expect((await login(node, 'alice', `wrong-password-${i}`)).status).toBe(401);
      expect((await login(node, 'alice', ALICE)).status).toBe(200);
    }
  });

  it('holds a lock-out across two servers sharing Redis', async () => {
    // A name of its own: the count lives in the machine's shared Redis.
    const name = `agent-${randomUUID().slice(0, 8)}`;
    const password = `${name}-password`;
    const shared: ConfigInput = {
      agents: { users: `${name}:${password}` },
      state: { backend: 'redis', redisUrl: REDIS, redisKeyPrefix: REDIS_PREFIX },
      security: { sessionSecret: 'lockout-test-secret-0123456789abcdef0123' },
      limits: { loginsPerMinutePerIp: 10_000, loginFailuresBeforeLockout: 2 },
    };
    const [a, b] = [await openNode(shared), await openNode(shared)];
    for (let i = 0; i < 2; i++) expect((await login(a, name, `wrong-password-${i}`)).status).toBe(401);
    const refused = await login(b, name, password);
    expect(refused.status).toBe(429);
    expect((await errorOf(refused)).code).toBe('ACCOUNT_LOCKED');
    await b.app.limits.reset(b.app.limits.rules.loginFailure, name);
    expect((await login(b, name, password)).status).toBe(200);
  });

  it('refuses agent passwords under 12 characters at start, naming the setting and not the password', async () => {
    const err = await openNode({ agents: { users: `alice:${ALICE},bob:short-pass` } }).then(
      () => undefined,
      (e: unknown) => e as Error & { code?: string },
    );
    expect(err?.code).toBe('CONFIG_INVALID');
    expect(err?.message).toMatch(/SHOPBOT_AGENT_USERS/);
    expect(err?.message).toMatch(/bob/);
    expect(err?.message).not.toMatch(/short-pass/);
  });

  it('does not start outside the demo store without SHOPBOT_SESSION_SECRET', async () => {
    const shopify = { SHOPBOT_STORE: 'shopify', SHOPBOT_STORE_URL: 'https://shop.invalid', SHOPBOT_STORE_TOKEN: 'shpat-test', SHOPBOT_AGENT_USERS: `alice:${ALICE}` };
    expect(() => loadConfig({ env: shopify })).toThrow(/SHOPBOT_SESSION_SECRET/);
    expect(() => loadConfig({ env: { ...shopify, SHOPBOT_SESSION_SECRET: SECRET } })).not.toThrow();

    // A config that skipped loadConfig's check still cannot start the console with a throwaway key.
    const dir = mkdtempSync(path.join(tmpdir(), 'shopbot-console-login-'));
    dirs.push(dir);
    const config = ConfigSchema.parse(baseOverrides(dir, { store: { backend: 'shopify', baseUrl: 'https://shop.invalid', accessToken: 'shpat-test' } }));
    await expect(serveApp(config)).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringMatching(/SHOPBOT_SESSION_SECRET/) });
  });

  it('refuses a token signed with the session secret itself (as other kinds of token are) as an agent session', async () => {
    const node = await openNode({ security: { sessionSecret: SECRET } });
    const payload = Buffer.from(JSON.stringify({ sub: 'alice', exp: Date.now() + 3_600_000 })).toString('base64url');
    const forged = `${payload}.${createHmac('sha256', SECRET).update(payload).digest('base64url')}`;
    await expect(agentSocket(node, forged)).rejects.toThrow(/invalid session token/);
    const { token } = (await (await login(node, 'alice', ALICE)).json()) as { token: string };
    await agentSocket(node, token);
  });

  it('rate-limits /agents handshakes per address and says so with the code', async () => {
    const node = await openNode({ limits: { socketConnectionsPerMinutePerIp: 2 } });
    const { token } = (await (await login(node, 'alice', ALICE)).json()) as { token: string };
    await agentSocket(node, token);
    await agentSocket(node, token);
    const refused = await agentSocket(node, token).then(
      () => undefined,
      (e: unknown) => e as Error & { data?: { code: string; retryAfterMs: number } },
    );
    expect(refused?.data?.code).toBe('RATE_LIMITED');
    expect(refused?.data?.retryAfterMs).toBeGreaterThan(0);
  });
});

describe('agent password hashing and sessions', () => {
  const now = { ms: Date.UTC(2026, 0, 10, 12) };
  const options = { secret: SECRET, allowEphemeralKey: false, now: () => now.ms };

  it('hashes off the event loop: the loop turns while a start-up hash or a login is computed', async () => {
    let turned = false;
    setImmediate(() => (turned = true));
    const auth = await createAgentAuth({ ...options, users: `alice:${ALICE}` });
    expect(turned).toBe(true);

    for (const [name, password] of [['alice', ALICE], ['alice', 'wrong-password-1'], ['nobody', ALICE]] as const) {
      turned = false;
      const pending = auth.login(name, password).catch((e: unknown) => e);
      setImmediate(() => (turned = true));
      await pending;
      expect(turned, `${name} / ${password}`).toBe(true);
    }
  });

  it('accepts pre-hashed entries, so the config need not hold the password', async () => {
    const hashed = await hashPassword(BOB);
    expect(hashed).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(hashed).not.toContain(BOB);
    const auth = await createAgentAuth({ ...options, users: `bob:${hashed}` });
    expect(auth.verify(await auth.login('bob', BOB)).name).toBe('bob');
    await expect(auth.login('bob', `${BOB}x`)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    // A weaker cost than the default would make offline guessing cheap again.
    const weak = hashed.replace('scrypt$16384$', 'scrypt$1024$');
    await expect(createAgentAuth({ ...options, users: `bob:${weak}` })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });

  it('ends sessions when they expire or the account is gone, and keeps them across restarts with the same secret', async () => {
    const before = await createAgentAuth({ ...options, users: `alice:${ALICE},bob:${BOB}` });
    const aliceToken = await before.login('alice', ALICE);
    const bobToken = await before.login('bob', BOB);
    const after = await createAgentAuth({ ...options, users: `bob:${BOB}` });
    expect(after.verify(bobToken).name).toBe('bob');
    expect(() => after.verify(aliceToken)).toThrow(/unknown session/);
    now.ms += 13 * 3_600_000;
    expect(() => after.verify(bobToken)).toThrow(/expired/);
  });
});
