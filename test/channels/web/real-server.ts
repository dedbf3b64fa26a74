/**
 * Starts the real assistant (openApp on the embedded config, temp data dir) and the real server on
 * port 0. The catalog is a 301-product slice of the ESCI demo catalog (fixtures/README.md) so start-up
 * takes about a second instead of indexing all 6,764 products.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { App } from '../../../src/app.js';
import { createRng } from '../../../src/maths/index.js';
import { loadConfig } from '../../../src/config.js';
import type { FunnelEvent } from '../../../src/funnel/events.js';
import type { RunningServer } from '../../../src/server/index.js';
import { serveApp } from '../../helpers/app.js';

export const WEB_SLICE = fileURLToPath(new URL('./fixtures/esci-web-slice.jsonl.gz', import.meta.url));
/** The slice's one synthetic row: markup in every text field, to prove it is rendered as text. */
export const HTML_PRODUCT_ID = 'TESTHTML01';

export interface RealServer {
  app: App;
  server: RunningServer;
  /** Flushes the batched funnel writer, then returns the conversation's events in time order. */
  funnelEvents(conversationId: string): Promise<FunnelEvent[]>;
  close(): Promise<void>;
}

export async function startRealServer(): Promise<RealServer> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'shopbot-web-'));
  const config = loadConfig({
    overrides: { dataDir, logLevel: 'silent', server: { host: '127.0.0.1', port: 0 }, catalog: { demo: true, demoFile: WEB_SLICE } },
  });
  // A seeded RNG: ranking exploration must not make two identical questions answer differently.
  let server: RunningServer;
  try {
    server = await serveApp(config, { rng: createRng(11) });
  } catch (err) {
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  const { app } = server;
  return {
    app,
    server,
    async funnelEvents(conversationId) {
      await app.funnel.flush();
      const out: FunnelEvent[] = [];
      for await (const e of app.funnel.query({ conversationId })) out.push(e);
      return out;
    },
    async close() {
      await server.close();
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
