/** Opens the real assistant on the embedded config over a small ESCI slice, in a temp data dir. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { serverChannels } from '../../channels/index.js';
import { openApp, type App, type AppDeps } from '../../src/app.js';
import { loadConfig, type Config, type ConfigInput } from '../../src/config.js';
import { createRng } from '../../src/maths/index.js';
import { startServer, type RunningServer, type ServerDeps } from '../../src/server/index.js';
import type { InboundMessage, OutboundMessage } from '../../src/messages.js';

export const FIXTURE_CATALOG = 'test/fixtures/catalog/esci-slice.jsonl';

export interface TestApp {
  app: App;
  dataDir: string;
  clock: { now: number };
  close(): Promise<void>;
}

export interface TestServer extends TestApp {
  /** The real server on port 0 with every channel the product serves; `app` is the app it opened. */
  server: RunningServer;
}

function testSetup(overrides: ConfigInput): { dataDir: string; clock: { now: number }; config: Config; deps: Required<Pick<AppDeps, 'now' | 'newId' | 'rng'>> } {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'shopbot-test-'));
  const clock = { now: Date.UTC(2026, 10, 2, 10) };
  let seq = 0;
  const config = loadConfig({
    env: {},
    overrides: { dataDir, logLevel: 'silent', catalog: { demo: true, demoFile: FIXTURE_CATALOG }, ...overrides },
  });
  return { dataDir, clock, config, deps: { now: () => clock.now, newId: () => `id${String(++seq).padStart(6, '0')}`, rng: createRng(7) } };
}

export async function openTestApp(overrides: ConfigInput = {}, deps: Pick<AppDeps, 'log' | 'channels'> = {}): Promise<TestApp> {
  const { dataDir, clock, config, deps: base } = testSetup(overrides);
  const app = await openApp(config, { ...base, ...deps });
  return {
    app,
    dataDir,
    clock,
    async close() {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The app behind the real HTTP server (port 0 unless overridden), with the widget, Teams/Slack and console channels. */
export async function openTestServer(overrides: ConfigInput = {}, deps: Pick<ServerDeps, 'log' | 'channels'> = {}): Promise<TestServer> {
  const { dataDir, clock, config, deps: base } = testSetup({ server: { port: 0, host: '127.0.0.1' }, ...overrides });
  let server: RunningServer;
  try {
    server = await startServer(config, { ...base, channels: serverChannels(), ...deps });
  } catch (err) {
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  return {
    app: server.app,
    server,
    dataDir,
    clock,
    async close() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** `startServer` with every channel the product serves (what `shopbot serve` runs) for a test's own config. */
export function serveApp(config: Config, deps: ServerDeps = {}): Promise<RunningServer> {
  return startServer(config, { channels: serverChannels(), ...deps });
}

/** A shopper's typed REST turn in a test app (user id derived from the conversation id), as turn tests send them. */
export function restTurn(t: TestApp, conversationId: string, text: string, extra: Partial<InboundMessage> = {}): Promise<OutboundMessage> {
  return t.app.handleTurn({ conversationId, userId: `user-${conversationId}`, channel: 'rest', text, ...extra });
}
