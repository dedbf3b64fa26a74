/**
 * Security headers. Every response: nosniff and a referrer policy. HTML pages (demo store,
 * console): a Content-Security-Policy with no inline script, and frame-ancestors from the config
 * (the store's domain when it frames one of our pages; our own origin by default).
 */
import type { Config } from '../config.js';

export function securityHeaders(config: Pick<Config, 'security'>): { common: Record<string, string>; html: Record<string, string> } {
  const ancestors = config.security.frameAncestors;
  const csp = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    // Product images come from the catalog's own image hosts.
    "img-src 'self' https: data:",
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    `frame-ancestors ${ancestors}`,
  ].join('; ');
  const frameOptions: Record<string, string> = ancestors === "'none'" ? { 'X-Frame-Options': 'DENY' } : ancestors === "'self'" ? { 'X-Frame-Options': 'SAMEORIGIN' } : {};
  return {
    common: { 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'strict-origin-when-cross-origin' },
    html: { 'Content-Security-Policy': csp, ...frameOptions, 'Cross-Origin-Opener-Policy': 'same-origin' },
  };
}
