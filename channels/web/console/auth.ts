/**
 * Agent console logins: `agents.users` ("name:password" pairs, comma-separated) are scrypt-hashed at
 * start and the plain passwords dropped; a login returns an HMAC-signed session token.
 */
import { createHmac, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { ShopbotError } from '../../../src/errors.js';

const TOKEN_TTL_MS = 12 * 3_600_000;
const KEY_LEN = 32;

export interface AgentAuth {
  login(name: string, password: string): string;
  verify(token: string): { name: string };
  readonly names: readonly string[];
}

export function parseAgentUsers(spec: string | undefined): { name: string; password: string }[] {
  if (!spec) return [];
  return spec
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
    .map((pair) => {
      const i = pair.indexOf(':');
      const name = pair.slice(0, i).trim();
      const password = pair.slice(i + 1);
      if (i <= 0 || !/^[A-Za-z0-9_.-]{1,60}$/.test(name) || password.length < 4) {
        throw new ShopbotError('CONFIG_INVALID', 'agents.users (SHOPBOT_AGENT_USERS): expected "name:password" pairs, names of letters/digits, passwords of 4+ characters');
      }
      return { name, password };
    });
}

export function createAgentAuth(options: { users: string | undefined; secret?: string; now: () => number }): AgentAuth {
  const hashed = new Map<string, { salt: Buffer; hash: Buffer }>();
  for (const u of parseAgentUsers(options.users)) {
    const salt = randomBytes(16);
    hashed.set(u.name, { salt, hash: scryptSync(u.password, salt, KEY_LEN) });
  }
  // Without a configured secret, tokens are valid for this process only.
  const secret = options.secret ?? randomBytes(32).toString('hex');
  const sign = (payload: string) => createHmac('sha256', secret).update(payload).digest('base64url');
  const dummy = { salt: randomBytes(16), hash: randomBytes(KEY_LEN) };

  return {
    names: [...hashed.keys()],
    login(name, password) {
      const user = hashed.get(name);
      // Hash even for unknown names so timing does not tell which names exist.
      const probe = scryptSync(password, (user ?? dummy).salt, KEY_LEN);
      if (!user || !timingSafeEqual(probe, user.hash)) throw new ShopbotError('UNAUTHORIZED', 'wrong name or password');
      const payload = Buffer.from(JSON.stringify({ sub: name, exp: options.now() + TOKEN_TTL_MS })).toString('base64url');
      return `${payload}.${sign(payload)}`;
    },
    verify(token) {
      const [payload, mac] = token.split('.');
      if (!payload || !mac) throw new ShopbotError('UNAUTHORIZED', 'malformed session token');
      const expected = Buffer.from(sign(payload));
      const given = Buffer.from(mac);
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw new ShopbotError('UNAUTHORIZED', 'invalid session token');
      let claims: { sub?: unknown; exp?: unknown };
      try {
        claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub?: unknown; exp?: unknown };
      } catch {
        throw new ShopbotError('UNAUTHORIZED', 'malformed session token');
      }
      if (typeof claims.sub !== 'string' || typeof claims.exp !== 'number' || claims.exp < options.now() || !hashed.has(claims.sub)) {
        throw new ShopbotError('UNAUTHORIZED', 'expired or unknown session');
      }
      return { name: claims.sub };
    },
  };
}
