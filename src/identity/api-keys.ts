/**
 * API keys for the store's own backend (never a browser): `SHOPBOT_API_KEYS` lists
 * "name:scope+scope:sha256-hex" entries; only the SHA-256 of each key is configured, so the config
 * does not hold the keys. Keys look like `sbk_<43 base64url chars>` (`shopbot apikey create`).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ShopbotError } from '../errors.js';

export const API_SCOPES = ['conversations', 'privacy'] as const;
export type ApiScope = (typeof API_SCOPES)[number];
const KEY_PREFIX = 'sbk_';

export interface ApiKeyEntry {
  readonly name: string;
  readonly scopes: ReadonlySet<ApiScope>;
  readonly hash: Buffer;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function isApiKey(value: string): boolean {
  return value.startsWith(KEY_PREFIX);
}

export function parseApiKeys(spec: string | undefined): ApiKeyEntry[] {
  if (!spec) return [];
  return spec
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)
    .map((entry) => {
      const [name, scopes, hash, extra] = entry.split(':');
      const scopeList = (scopes ?? '').split('+').filter(Boolean);
      if (extra !== undefined || !name || !/^[A-Za-z0-9_.-]{1,60}$/.test(name) || !hash || !/^[0-9a-f]{64}$/i.test(hash) || !scopeList.length || scopeList.some((s) => !(API_SCOPES as readonly string[]).includes(s))) {
        throw new ShopbotError('CONFIG_INVALID', `security.apiKeys (SHOPBOT_API_KEYS): expected "name:scope+scope:sha256hex" entries with scopes from ${API_SCOPES.join(', ')}`);
      }
      return { name, scopes: new Set(scopeList as ApiScope[]), hash: Buffer.from(hash.toLowerCase(), 'hex') };
    });
}

/** A new key and the config entry that admits it. */
export function createApiKey(name: string, scopes: readonly ApiScope[]): { key: string; entry: string } {
  const key = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { key, entry: `${name}:${scopes.join('+')}:${hashApiKey(key)}` };
}

export interface ApiKeyVerifier {
  /** The key's entry when it is one of ours and carries `scope`; UNAUTHORIZED / FORBIDDEN otherwise. */
  verify(key: string, scope: ApiScope): ApiKeyEntry;
}

export function createApiKeyVerifier(entries: readonly ApiKeyEntry[]): ApiKeyVerifier {
  return {
    verify(key, scope) {
      const hash = createHash('sha256').update(key).digest();
      // Compare against every entry so timing does not tell how many keys there are or which matched.
      let found: ApiKeyEntry | undefined;
      for (const e of entries) if (timingSafeEqual(e.hash, hash)) found = e;
      if (!found) throw new ShopbotError('UNAUTHORIZED', 'unknown API key');
      if (!found.scopes.has(scope)) throw new ShopbotError('FORBIDDEN', `API key ${found.name} lacks the ${scope} scope`);
      return found;
    },
  };
}
