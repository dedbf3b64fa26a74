/**
 * Shopper feedback and the merchant dashboard in headless Chromium against the real app and
 * server, under the server's own CSP: the shopper rates a reply down and the conversation 4 stars
 * in the widget; the merchant logs in at /admin, reads the figures with their definitions, finds
 * the rated-down reply in the review list and opens its conversation, exports the CSV, and opens
 * the "Why" dialog on the widget's slate (with a sponsored slot on, so one product is an ad). With
 * SHOPBOT_UPDATE_SCREENSHOT=1 the screenshots replace docs/admin-dashboard.png,
 * docs/widget-feedback.png and docs/admin-why.png (otherwise they go to the OS temp dir).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
    // Every catalog product bids the same for one sponsored slot, so each slate holds an ad to explain;
    // the auction prices by predicted clicks, so the models rank from the first impression.
    const bidsFile = path.join(dir, 'bids.json');
    const ids = readFileSync(fileURLToPath(new URL(`../../${FIXTURE_CATALOG}`, import.meta.url)), 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { _id: string })._id);
    writeFileSync(bidsFile, JSON.stringify(Object.fromEntries(ids.map((id) => [id, 40]))));
    const config = loadConfig({
      env: {},
      overrides: {
        dataDir: dir,
        logLevel: 'silent',
        server: { port: 0, host: '127.0.0.1' },
        catalog: { demo: true, demoFile: FIXTURE_CATALOG },
        ranking: { sponsoredSlots: 1, bidsFile, minTrainedImpressions: 0 },
        agents: { users: `mia:${PASSWORD},demo-agent:demo-agent-password`, merchants: 'mia' },
      },
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
    expect(readFileSync(file, 'utf8').split('\r\n')[0]).toBe('section,key,label,value,unit,ci95_low,ci95_high,definition');

    await page.screenshot({ path: shot('admin-dashboard.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
    expect(refusedByCsp).toEqual([]);
  });

  it('explains the widget\'s slate product by product in the "Why" dialog', async () => {
    const slate = page.locator('.table[data-key="explanations.slates"] tbody tr', { hasText: 'ugg slipper' }).first();
    await slate.waitFor();
    const slateId = (await slate.locator('td').first().textContent())!;
    await slate.getByRole('button', { name: 'Why' }).click();
    const dialog = page.locator('#transcript-dialog');
    await dialog.locator('.table[data-key="explanations.slate"]').waitFor();
    expect(await dialog.locator('#transcript-title').textContent()).toBe(`Why these products (slate ${slateId})`);
    const table = dialog.locator('.table[data-key="explanations.slate"]');
    const columns = await table.locator('thead th').allTextContents();
    expect(columns).toEqual(['position', 'product', 'title', 'relevance', 'pCTR', 'pCVR', 'pCTR x pCVR', 'top features', 'sponsored', 'explored', 'propensity']);
    const rows = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent ?? '')));
    expect(rows.length).toBeGreaterThan(1);
    const cell = (row: string[], name: string) => row[columns.indexOf(name)]!;
    // The one sponsored slot is marked, the rest are organic; relevance reads as a share of the best candidate.
    expect(rows.map((r) => cell(r, 'sponsored')).filter((v) => v === 'yes')).toHaveLength(1);
    for (const r of rows) {
      expect(['yes', 'no']).toContain(cell(r, 'sponsored'));
      expect(cell(r, 'relevance')).toMatch(/^\d{1,3}\.\d%$/);
      expect(cell(r, 'title')).toMatch(/\S/);
      // The models ranked this slate: a card without their figures was filled in below the relevance floor.
      if (cell(r, 'pCTR') === '–') expect(cell(r, 'top features')).toBe('below the relevance floor (filled in relevance order)');
      else expect(cell(r, 'pCTR')).toMatch(/^\d{1,3}\.\d%$/);
    }
    expect(rows.some((r) => cell(r, 'pCTR') !== '–')).toBe(true);
    expect(await table.locator('.tdef').textContent()).toContain('sponsored (won an ad auction)');
    // Wide enough for the eleven columns (the conversation dialog stays narrow).
    expect(await dialog.evaluate((d) => d.getBoundingClientRect().width)).toBeGreaterThan(900);
    await dialog.screenshot({ path: shot('admin-why.png') });
    await page.getByRole('button', { name: 'Close' }).click();
    expect(await dialog.isVisible()).toBe(false);
    expect(pageErrors).toEqual([]);
    expect(refusedByCsp).toEqual([]);
  });
});
