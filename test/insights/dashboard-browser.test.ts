/**
 * Shopper feedback and the merchant dashboard in headless Chromium against the real app and
 * server, under the server's own CSP: the shopper rates a reply down and the conversation 4 stars
 * in the widget; the merchant logs in at /admin, reads the figures with their definitions, finds
 * the rated-down reply in the review list and opens its conversation, and exports the CSV. With
 * SHOPBOT_UPDATE_SCREENSHOT=1 the screenshots replace docs/admin-dashboard.png and
 * docs/widget-feedback.png (otherwise they go to the OS temp dir).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConversationFile } from '../../evals/conversations.js';
import { playDemoTraffic } from '../../evals/demo-traffic.js';
import type { App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createRng } from '../../src/maths/index.js';
import type { RunningServer } from '../../src/server/index.js';
import { CHROMIUM_SKIP_REASON, chromiumMissing, launchChromium } from '../channels/web/chromium.js';
import { FIXTURE_CATALOG, serveApp } from '../helpers/app.js';

const shot = (name: string) => (process.env.SHOPBOT_UPDATE_SCREENSHOT === '1' ? fileURLToPath(new URL(`../../docs/${name}`, import.meta.url)) : path.join(os.tmpdir(), `shopbot-${name}`));
const PASSWORD = 'merchant-password-1';
const DAY = 86_400_000;

describe.skipIf(chromiumMissing)(`feedback and the merchant dashboard in Chromium${chromiumMissing ? `: skipped, ${CHROMIUM_SKIP_REASON}` : ''}`, { timeout: 240_000 }, () => {
  let dir: string;
  let app: App;
  let server: RunningServer;
  let chrome: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;
  const pageErrors: string[] = [];
  const refusedByCsp: string[] = [];
  const clock = { now: Date.now() - 7 * DAY };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'shopbot-dashboard-browser-'));
    const config = loadConfig({
      env: {},
      overrides: { dataDir: dir, logLevel: 'silent', server: { port: 0, host: '127.0.0.1' }, catalog: { demo: true, demoFile: FIXTURE_CATALOG }, agents: { users: `mia:${PASSWORD},demo-agent:demo-agent-password`, merchants: 'mia' } },
    });
    // The app's clock runs through a week of demo traffic, then stays at the present for the browser.
    server = await serveApp(config, { now: () => clock.now, rng: createRng(5) });
    app = server.app;
    const scripts = ['cart', 'handoff', 'policies', 'refinement'].flatMap((f) => loadConversationFile(fileURLToPath(new URL(`../../evals/conversations/dev/${f}.json`, import.meta.url)))).filter((c) => c.catalog === 'demo');
    await playDemoTraffic(app, scripts, { shoppers: 16, seed: 3, clock, spanMs: 6 * DAY });
    clock.now = Date.now();
    chrome = await launchChromium();
    await chrome.context.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (route) => route.abort());
    page = await chrome.context.newPage();
    page.setDefaultTimeout(30_000);
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) refusedByCsp.push(m.text());
    });
  });
  afterAll(async () => {
    await chrome?.close();
    await server?.close();
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('takes a thumbs-down and a rating in the widget', async () => {
    await page.setViewportSize({ width: 1100, height: 860 });
    await page.goto(`${server.url}/`);
    await page.getByRole('button', { name: 'Ask the assistant' }).click();
    await page.locator('#shopbot-widget[data-state="online"]').waitFor();
    await page.locator('#shopbot-input').fill('ugg slipper');
    await page.locator('#shopbot-input').press('Enter');
    await page.locator('.sb-feedback').first().waitFor();
    await page.getByRole('button', { name: 'Not helpful' }).first().click();
    await expect.poll(() => page.locator('.sb-feedback-note').first().textContent()).toBe('Thanks for the feedback');
    expect(await page.getByRole('button', { name: 'Helpful', exact: true }).first().isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Rate this chat' }).click();
    await page.getByRole('radio', { name: '4 stars' }).click();
    await page.locator('.sb-rating-comment').fill('The slippers were fine, delivery info missing');
    await page.getByRole('button', { name: 'Send rating' }).click();
    await expect.poll(() => page.locator('.sb-rating .sb-feedback-note').textContent()).toBe('Thanks, your rating was sent');
    // The reply with its thumbs at the top of the log, the rating form below it.
    await page.locator('.sb-msg-bot').first().evaluate((e) => e.scrollIntoView({ block: 'start' }));
    await page.locator('#shopbot-panel').screenshot({ path: shot('widget-feedback.png') });
    await app.funnel.flush();
  });

  it('shows the merchant every figure with its definition, the review list and the CSV', async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${server.url}/admin`);
    await page.locator('#name').fill('mia');
    await page.locator('#password').fill('wrong-password-1');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(() => page.locator('#login-error').textContent()).toBe('wrong name or password');
    await page.locator('#password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.locator('body[data-loaded]').waitFor();

    const card = (key: string) => page.locator(`.card[data-key="${key}"]`);
    expect(await card('conversations').locator('.value').textContent()).toMatch(/^\d+$/);
    expect(Number(await card('conversations').locator('.value').textContent())).toBeGreaterThanOrEqual(17);
    expect(await card('containment').locator('.def').textContent()).toContain('never handed to a person');
    expect(await card('coupons.uplift').locator('.def').textContent()).toContain('random holdout');
    expect(await page.locator('.chart img').count()).toBeGreaterThanOrEqual(3);
    expect(await page.locator('.chart img').first().evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(100);
    expect(await page.locator('[data-section="demand"]').count()).toBe(1);

    const review = page.locator('.table[data-key="feedback.review"] tbody tr', { hasText: 'ugg' }).first();
    await review.waitFor();
    await review.getByRole('button', { name: 'Open' }).click();
    await expect.poll(() => page.locator('#transcript .msg').first().textContent()).toContain('ugg slipper');
    await page.getByRole('button', { name: 'Close' }).click();
    expect(await page.locator('.table[data-key="feedback.comments"]').textContent()).toContain('delivery info missing');

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export CSV' }).click();
    const file = await (await download).path();
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(file, 'utf8').split('\r\n')[0]).toBe('section,key,label,value,unit,ci95_low,ci95_high,definition');

    await page.screenshot({ path: shot('admin-dashboard.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
    expect(refusedByCsp).toEqual([]);
  });
});
