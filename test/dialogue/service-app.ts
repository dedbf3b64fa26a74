/** Opens the real app (embedded engines, no demo catalog) in a temp dir with a movable clock and seeded orders. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openApp, type App } from '../../src/app.js';
import { loadConfig, type ConfigInput } from '../../src/config.js';
import type { OutboundMessage } from '../../src/messages.js';
import type { DemoStore } from '../../src/store/demo.js';

export const HOUR = 3_600_000;
export const T0 = Date.UTC(2026, 0, 10, 12);
export const LINES = [{ productId: 'p1', title: 'Trail shoe', quantity: 2, unitPriceCents: 4_500 }];

export interface ServiceApp {
  app: App;
  dir: string;
  clock: { now: number };
  say(text: string, conversationId?: string, userId?: string): Promise<OutboundMessage>;
  reopen(): Promise<void>;
  close(): Promise<void>;
}

export function seedDefaultOrders(store: DemoStore, now: number): void {
  store.seedOrder({ id: 'SB-100001', userId: 'u-alice', email: 'alice@example.com', lines: LINES, createdAt: now - 10 * 60_000 });
  store.seedOrder({ id: 'SB-100003', userId: 'u-alice', email: 'alice@example.com', lines: LINES, createdAt: now - 72 * HOUR });
  store.seedOrder({ id: 'SB-200001', userId: 'u-bob', email: 'bob@example.com', lines: LINES, createdAt: now - 72 * HOUR });
}

export async function openServiceApp(overrides: ConfigInput = {}, seed = seedDefaultOrders): Promise<ServiceApp> {
  const dir = mkdtempSync(path.join(tmpdir(), 'shopbot-service-'));
  const clock = { now: T0 };
  const config = loadConfig({
    overrides: { dataDir: dir, logLevel: 'silent', catalog: { demo: false }, coupons: { enabled: false }, store: { policiesDir: 'evals/data/demo-store/policies' }, ...overrides },
  });
  const open = () => openApp(config, { now: () => clock.now });
  const s: ServiceApp = {
    app: await open(),
    dir,
    clock,
    say: (text, conversationId = 'conv-test-1', userId = 'u-alice') => s.app.handleTurn({ conversationId, userId, channel: 'web', text }),
    async reopen() {
      await s.app.close();
      s.app = await open();
    },
    async close() {
      await s.app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  seed(s.app.store as DemoStore, clock.now);
  return s;
}
