/** Opens the real assistant on the embedded config over a small ESCI slice, in a temp data dir. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, type ConfigInput } from '../../src/config.js';
import { openApp, type App, type AppDeps } from '../../src/app.js';
import { createRng } from '../../src/nlu/rng.js';

export const FIXTURE_CATALOG = 'test/fixtures/catalog/esci-slice.jsonl';

export interface TestApp {
  app: App;
  dataDir: string;
  clock: { now: number };
  close(): Promise<void>;
}

export async function openTestApp(overrides: ConfigInput = {}, deps: Pick<AppDeps, 'log'> = {}): Promise<TestApp> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'shopbot-test-'));
  const clock = { now: Date.UTC(2026, 10, 2, 10) };
  let seq = 0;
  const config = loadConfig({
    env: {},
    overrides: { dataDir, logLevel: 'silent', catalog: { demo: true, demoFile: FIXTURE_CATALOG }, ...overrides },
  });
  const app = await openApp(config, { now: () => clock.now, newId: () => `id${String(++seq).padStart(6, '0')}`, rng: createRng(7), ...deps });
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
