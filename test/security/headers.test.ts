/**
 * Every HTML page is served with a Content-Security-Policy (no inline script, frame-ancestors from
 * the config), nosniff and a referrer policy; every other response with nosniff too; no cookies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/index.js';
import { openTestServer, type TestServer } from '../helpers/app.js';

let t: TestServer;
let server: RunningServer;
beforeAll(async () => {
  t = await openTestServer({ agents: { users: 'alice:a-long-password-1' }, security: { frameAncestors: "'self' https://shop.example" } });
  server = t.server;
});
afterAll(async () => {
  await server?.close();
  await t?.close();
});

describe('security headers', () => {
  it('sends a CSP with the configured frame-ancestors on the demo page and the console', async () => {
    for (const path of ['/', '/console']) {
      const res = await fetch(`${server.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, path).toMatch(/frame-ancestors 'self' https:\/\/shop\.example/);
      expect(csp).toMatch(/script-src 'self'(;|$)/);
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
      expect(res.headers.get('set-cookie')).toBeNull();
      // Nothing the CSP would block: no inline <script> bodies, no inline handlers or style attributes.
      const html = await res.text();
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(html).not.toMatch(/\son[a-z]+=/i);
      expect(html).not.toMatch(/<style|\sstyle=/i);
    }
  });

  it('sends nosniff on scripts and API answers, and escapes the demo identity in the page', async () => {
    for (const path of ['/widget/widget.js', '/healthz']) expect((await fetch(`${server.url}${path}`)).headers.get('x-content-type-options')).toBe('nosniff');
    const html = await (await fetch(`${server.url}/`)).text();
    const attr = /data-identity="([^"]*)"/.exec(html)?.[1] ?? '';
    expect(attr).toMatch(/^\{&quot;customerId&quot;/);
  });

  it('defaults frame-ancestors to the server\'s own origin', async () => {
    const other = await openTestServer();
    const s = other.server;
    try {
      const res = await fetch(`${s.url}/`);
      expect(res.headers.get('content-security-policy')).toMatch(/frame-ancestors 'self'/);
      expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    } finally {
      await s.close();
      await other.close();
    }
  });
});
