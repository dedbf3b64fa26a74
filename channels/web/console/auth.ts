/**
 * Agent console logins. `agents.users` holds comma-separated "name:password" entries, or
 * "name:scrypt$N$r$p$salt$hash" ones (`shopbot agents hash-password` prints the second part) so a
 * production config need not hold plain passwords. Plain passwords are hashed at start and dropped.
 *
 * Every hash runs through crypto.scrypt on libuv's threadpool, never scryptSync: one hash is tens of
 * milliseconds of CPU by design, and on the event loop a burst of logins would stall every socket.
 * A login returns an HMAC-signed session token; throttling and lock-out are the login route's
 * (namespace.ts), which sees the client's address.
 */
import { createHmac, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { ShopbotError } from '../../../src/errors.js';

const TOKEN_TTL_MS = 12 * 3_600_000;
const KEY_LEN = 32;
const SALT_LEN = 16;
export const MIN_PASSWORD_CHARS = 12;
/** The login form accepts no longer password, so a longer configured one could never log in. */
export const MAX_PASSWORD_CHARS = 200;
/** scrypt's interactive-login cost (2^14, 8, 1: 16 MiB and some tens of ms per hash). */
export const DEFAULT_SCRYPT = { N: 16_384, r: 8, p: 1 } as const;
/** A pre-hashed entry may cost more than the default, up to this much memory per login (128·N·r bytes). */
const MAX_SCRYPT_MEM = 256 * 1024 * 1024;
const SETTING = 'agents.users (SHOPBOT_AGENT_USERS)';
/**
 * Session tokens are signed with a key derived from security.sessionSecret under this label: the
 * same secret signs conversation tokens, and a token of one kind must never verify as the other.
 */
const SESSION_KEY_LABEL = 'agent-session';

export interface PasswordHash {
  readonly N: number;
  readonly r: number;
  readonly p: number;
  readonly salt: Buffer;
  readonly hash: Buffer;
}

export type AgentUserEntry = { readonly name: string; readonly password: string } | { readonly name: string; readonly hashed: PasswordHash };

export interface AgentAuth {
  /** A session token for the agent; UNAUTHORIZED for a wrong name or password (which one is not said). */
  login(name: string, password: string): Promise<string>;
  /** The agent a token belongs to; UNAUTHORIZED when forged, expired, or its account is gone. */
  verify(token: string): { name: string };
  readonly names: readonly string[];
}

function scryptAsync(password: string, salt: Buffer, params: { N: number; r: number; p: number }, keyLen: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // maxmem is set from the parameters because Node's 32 MiB default would refuse raised costs.
    scrypt(password, salt, keyLen, { ...params, maxmem: 128 * params.N * params.r + 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** "scrypt$N$r$p$salt$hash" (salt and hash in base64) for a password, on the threadpool. */
export async function hashPassword(password: string, params: { N: number; r: number; p: number } = DEFAULT_SCRYPT): Promise<string> {
  const salt = randomBytes(SALT_LEN);
  const hash = await scryptAsync(password, salt, params, KEY_LEN);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64'), hash.toString('base64')].join('$');
}

/** Parses "scrypt$N$r$p$salt$hash"; undefined when malformed or outside what a login may cost. */
export function parsePasswordHash(encoded: string): PasswordHash | undefined {
  const m = /^scrypt\$(\d{1,8})\$(\d{1,3})\$(\d{1,3})\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/.exec(encoded);
  if (!m) return undefined;
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const salt = Buffer.from(m[4]!, 'base64');
  const hash = Buffer.from(m[5]!, 'base64');
  // Weaker than the default is refused: such a hash would make offline guessing cheap again.
  const isPowerOfTwo = (N & (N - 1)) === 0;
  if (!isPowerOfTwo || N < DEFAULT_SCRYPT.N || r < 1 || p < 1 || p > 16 || 128 * N * r > MAX_SCRYPT_MEM) return undefined;
  if (salt.length < SALT_LEN || hash.length < 16 || hash.length > 64) return undefined;
  return { N, r, p, salt, hash };
}

/** Why a password is not acceptable for an agent, or undefined when it is (config entries and the CLI). */
export function passwordProblem(password: string): string | undefined {
  const chars = [...password].length;
  if (chars < MIN_PASSWORD_CHARS || chars > MAX_PASSWORD_CHARS) return `passwords need ${MIN_PASSWORD_CHARS} to ${MAX_PASSWORD_CHARS} characters`;
  // The list is comma-separated, so a comma would split the entry.
  if (password.includes(',')) return 'passwords cannot contain a comma';
  return undefined;
}

export function parseAgentUsers(spec: string | undefined): AgentUserEntry[] {
  if (!spec) return [];
  const seen = new Set<string>();
  return spec
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
    .map((pair): AgentUserEntry => {
      const i = pair.indexOf(':');
      const name = pair.slice(0, i).trim();
      const secret = pair.slice(i + 1);
      if (i <= 0 || !/^[A-Za-z0-9_.-]{1,60}$/.test(name)) {
        throw new ShopbotError('CONFIG_INVALID', `${SETTING}: expected "name:password" or "name:scrypt$..." entries, names of letters, digits, "_", "." or "-"`);
      }
      if (seen.has(name)) throw new ShopbotError('CONFIG_INVALID', `${SETTING}: agent ${name} is listed twice`);
      seen.add(name);
      if (secret.startsWith('scrypt$')) {
        const hashed = parsePasswordHash(secret);
        if (!hashed) throw new ShopbotError('CONFIG_INVALID', `${SETTING}: agent ${name}: malformed or too weak scrypt entry (make one with \`shopbot agents hash-password\`)`);
        return { name, hashed };
      }
      const problem = passwordProblem(secret);
      if (problem) throw new ShopbotError('CONFIG_INVALID', `${SETTING}: agent ${name}: ${problem}`);
      return { name, password: secret };
    });
}

export interface AgentAuthOptions {
  readonly users: string | undefined;
  /** security.sessionSecret; the signing key is derived from it (SESSION_KEY_LABEL). */
  readonly secret?: string;
  /**
   * The demo store only: without a secret, sign with a random key of this process (sessions end
   * with it). Elsewhere a missing secret is a configuration error, as in loadConfig.
   */
  readonly allowEphemeralKey: boolean;
  readonly now: () => number;
  /**
   * A role inside the same accounts (the merchant dashboard): only these names may log in, and the
   * tokens are signed under `sessionLabel`, so a console session is not a dashboard session.
   */
  readonly role?: { readonly names: readonly string[]; readonly sessionLabel: string };
}

export async function createAgentAuth(options: AgentAuthOptions): Promise<AgentAuth> {
  if (!options.secret && !options.allowEphemeralKey) {
    throw new ShopbotError('CONFIG_INVALID', 'security.sessionSecret (SHOPBOT_SESSION_SECRET): required outside the demo store to sign agent sessions');
  }
  const role = options.role;
  const entries = parseAgentUsers(options.users).filter((u) => !role || role.names.includes(u.name));
  // In parallel: the threadpool hashes several at once, so start-up waits for about one hash.
  const hashed = new Map<string, PasswordHash>(
    await Promise.all(
      entries.map(async (u): Promise<[string, PasswordHash]> => {
        if ('hashed' in u) return [u.name, u.hashed];
        const salt = randomBytes(SALT_LEN);
        return [u.name, { ...DEFAULT_SCRYPT, salt, hash: await scryptAsync(u.password, salt, DEFAULT_SCRYPT, KEY_LEN) }];
      }),
    ),
  );
  const key = options.secret ? createHmac('sha256', options.secret).update(role?.sessionLabel ?? SESSION_KEY_LABEL).digest() : randomBytes(32);
  const sign = (payload: string) => createHmac('sha256', key).update(payload).digest('base64url');
  const dummy: PasswordHash = { ...DEFAULT_SCRYPT, salt: randomBytes(SALT_LEN), hash: randomBytes(KEY_LEN) };

  return {
    names: [...hashed.keys()],
    async login(name, password) {
      const user = hashed.get(name);
      // Hash even for unknown names so timing does not tell which names exist.
      const stored = user ?? dummy;
      const probe = await scryptAsync(password, stored.salt, stored, stored.hash.length);
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
      // An agent removed from agents.users loses their sessions at the next start, however long the token had left.
      if (typeof claims.sub !== 'string' || typeof claims.exp !== 'number' || claims.exp < options.now() || !hashed.has(claims.sub)) {
        throw new ShopbotError('UNAUTHORIZED', 'expired or unknown session');
      }
      return { name: claims.sub };
    },
  };
}
