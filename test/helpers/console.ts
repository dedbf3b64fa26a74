/** The quiet embedded config the agent-console tests start a real server on (port 0, no demo catalog, no coupons). */
import type { ConfigInput } from '../../src/config.js';

export function consoleOverrides(dataDir: string, overrides: ConfigInput = {}): ConfigInput {
  return {
    dataDir,
    logLevel: 'silent',
    catalog: { demo: false },
    coupons: { enabled: false },
    server: { port: 0 },
    // Nothing in these tests reads the funnel before it is flushed by hand.
    funnel: { flushIntervalMs: 60_000 },
    ...overrides,
  };
}
