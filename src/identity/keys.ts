/**
 * The session secret and the keys derived from it. One secret signs conversation tokens, agent
 * sessions and one-time codes; each use gets its own key (HMAC of the secret with a label), so a
 * token of one kind can never verify as another.
 *
 * Outside the demo store the secret must be configured (config.ts refuses to start without it).
 * The demo keeps a random one in the data directory, so a restart does not sign every widget out.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isDemoStore, type Config } from '../config.js';

export type KeyPurpose = 'conversation-token' | 'agent-session' | 'order-code';

export function deriveKey(secret: string, purpose: KeyPurpose): Buffer {
  return createHmac('sha256', secret).update(`shopbot:${purpose}`).digest();
}

/** The configured session secret, or the demo's random one kept in `<dataDir>/session-secret`. */
export function resolveSessionSecret(config: Pick<Config, 'security' | 'dataDir'>): string {
  return config.security.sessionSecret ?? demoSecret(config.dataDir, 'session-secret');
}

/**
 * The key the store signs shoppers with. In the demo the demo store page is the store, so it gets a
 * random key kept in the data directory (unless one is configured); elsewhere unset means no identities.
 */
export function resolveIdentitySecret(config: Pick<Config, 'security' | 'dataDir' | 'store'>): string | undefined {
  return config.security.identitySecret ?? (isDemoStore(config) ? demoSecret(config.dataDir, 'identity-secret') : undefined);
}

/** A random secret kept in `<dataDir>/<name>` (mode 0600), or per process for an in-memory data dir. */
function demoSecret(dataDir: string, name: string): string {
  if (dataDir === ':memory:') return randomBytes(32).toString('hex');
  const dir = path.resolve(dataDir);
  const file = path.join(dir, name);
  if (existsSync(file)) {
    const kept = readFileSync(file, 'utf8').trim();
    if (kept.length >= 32) return kept;
  }
  mkdirSync(dir, { recursive: true });
  const secret = randomBytes(32).toString('hex');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return secret;
}
