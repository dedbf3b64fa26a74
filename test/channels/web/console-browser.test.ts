/**
 * The agent console page in headless Chromium against the real app and server, served under a
 * strict Content-Security-Policy (no 'unsafe-inline'): the page must still work, show a lock-out
 * to the agent after repeated wrong passwords, and log another agent in to the queue.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/app.js';
import { loadConfig } from '../../../src/config.js';
import type { RunningServer } from '../../../src/server/index.js';
import { serveApp } from '../../helpers/app.js';
import { consoleOverrides } from '../../helpers/console.js';
import { CHROMIUM_SKIP_REASON, chromiumMissing, launchChromium } from './chromium.js';

const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:";

describe.skipIf(chromiumMissing)(`agent console in Chromium under a strict CSP${chromiumMissing ? `: skipped, ${CHROMIUM_SKIP_REASON}` : ''}`, { timeout: 180_000 }, () => {
  let dir: string;
  let app: App;
  let server: RunningServer;
  let chrome: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;
  const refusedByCsp: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'shopbot-console-browser-'));
    const config = loadConfig({
      env: {},
      overrides: consoleOverrides(dir, { agents: { users: 'alice:alice-password-1,bob:bob-password-22' }, limits: { loginFailuresBeforeLockout: 2 } }),
    });
    server = await serveApp(config);
    app = server.app;
    chrome = await launchChromium();
    // The policy another part of the server will send with every HTML page; here the test adds it.
    await chrome.context.route(`${server.url}/console**`, async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, headers: { ...response.headers(), 'content-security-policy': CSP } });
    });
    page = await chrome.context.newPage();
    page.setDefaultTimeout(30_000);
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) refusedByCsp.push(m.text());
    });
    page.on('pageerror', (e) => pageErrors.push(e.message));
  });
  afterAll(async () => {
    await chrome?.close();
    await server?.close();
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function logIn(name: string, password: string): Promise<void> {
    await page.locator('#name').fill(name);
    await page.locator('#password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
  }

  it('tells a locked-out agent to wait, and shows the queue to another agent', async () => {
    await app.handleTurn({ conversationId: 'conv-browser-1', userId: 'user-browser-1', channel: 'web', text: 'I want to talk to a human please' });
    await page.goto(`${server.url}/console`);
    expect(await page.locator('header').evaluate((h) => getComputedStyle(h).display)).toBe('flex');

    for (const wrong of ['wrong-password-1', 'wrong-password-2']) {
      await logIn('alice', wrong);
      await expect.poll(() => page.locator('#login-error').textContent()).toBe('wrong name or password');
      await page.locator('#login-error').evaluate((e) => (e.textContent = ''));
    }
    await logIn('alice', 'alice-password-1');
    await expect.poll(() => page.locator('#login-error').textContent()).toMatch(/This account is locked after too many failed logins\. Try again in \d+ (minutes|seconds)/);
    expect(await page.locator('#app').isHidden()).toBe(true);

    await logIn('bob', 'bob-password-22');
    await page.locator('#app:not(.hidden)').waitFor();
    expect(await page.locator('#whoami').textContent()).toBe('bob');
    await page.getByRole('button', { name: 'Take' }).waitFor();
    expect(await page.locator('#queue').textContent()).toContain('talk to a human');

    expect(refusedByCsp).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
