/**
 * Who is on the other end of a request: the client address (behind `security.trustProxyHops`
 * proxies, taken from X-Forwarded-For the way fastify's trustProxy counts hops), and whether its
 * Origin may use the API (the configured allowlist, or the page's own origin).
 */
import type { Config } from '../config.js';

/** The address `hops` proxies back: with one load balancer, the last X-Forwarded-For entry. */
export function clientAddress(remote: string | undefined, forwardedFor: string | string[] | undefined, hops: number): string {
  const socket = remote ?? 'unknown';
  if (hops <= 0 || !forwardedFor) return socket;
  const list = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const chain = [socket, ...list.reverse()];
  return chain[Math.min(hops, chain.length - 1)]!;
}

export interface OriginPolicy {
  /** Origins other sites may call from (CORS). */
  readonly allowed: readonly string[];
  /** True for no Origin (not a browser), a listed origin, or the page's own origin (same host). */
  isAllowed(origin: string | undefined, host: string | undefined): boolean;
}

function originOf(url: string): string | undefined {
  try {
    const u = new URL(url);
    return u.origin === 'null' ? undefined : u.origin;
  } catch {
    return undefined;
  }
}

export function createOriginPolicy(config: Pick<Config, 'security' | 'server'>): OriginPolicy {
  const listed = (config.security.allowedOrigins ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => originOf(s) ?? s);
  const own = config.server.publicUrl ? originOf(config.server.publicUrl) : undefined;
  const allowed = [...new Set([...(own ? [own] : []), ...listed])];
  return {
    allowed,
    isAllowed(origin, host) {
      if (origin === undefined) return true;
      if (allowed.includes(origin)) return true;
      // Same origin: a browser's Origin names the host it loaded the page from, and it cannot forge Host.
      const o = originOf(origin);
      return !!o && !!host && new URL(o).host === host.toLowerCase();
    },
  };
}
