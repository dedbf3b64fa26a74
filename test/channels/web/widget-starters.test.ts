/**
 * The widget's first screen and its phone layout in headless Chromium (real gateway, FakeApp): a
 * new conversation greets with starter chips in the shopper's language, a chip sends its text,
 * links in replies become safe anchors, and at phone width the open chat fills the screen.
 * Writes a 390px-wide screenshot to the OS temp dir (shopbot-widget-phone.png).
 */
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { CHROMIUM_SKIP_REASON, chromiumMissing, launchOfflineChromium } from './chromium.js';
import { FakeApp } from './fake-app.js';
import { createMemoryLog, serveWebStatic, startGateway, type GatewayHarness } from './helpers.js';

const PHONE_SCREENSHOT = path.join(os.tmpdir(), 'shopbot-widget-phone.png');

describe.skipIf(chromiumMissing)(`widget greeting and phone layout in Chromium${chromiumMissing ? `: skipped, ${CHROMIUM_SKIP_REASON}` : ''}`, { timeout: 180_000 }, () => {
  let chrome: Awaited<ReturnType<typeof launchOfflineChromium>>;
  let harness: GatewayHarness | undefined;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => void (chrome = await launchOfflineChromium()));
  afterAll(() => chrome?.close());
  afterEach(async () => {
    await Promise.all([page?.close(), harness?.close()]);
    harness = undefined;
    pageErrors.length = 0;
  });

  async function open(options: { width: number; height: number; language?: string }): Promise<void> {
    harness = await startGateway(new FakeApp([]).gatewayDeps(createMemoryLog(), { maxMessageChars: 2000 }), { onRequest: serveWebStatic });
    page = await chrome.context.newPage();
    page.setDefaultTimeout(30_000);
    page.on('pageerror', (e) => pageErrors.push(e.message));
    if (options.language) await page.addInitScript((l) => Object.defineProperty(navigator, 'language', { get: () => l }), options.language);
    await page.setViewportSize({ width: options.width, height: options.height });
    await page.goto(`${harness.url}/`);
    await page.locator('.sb-launcher').click();
    await page.locator('#shopbot-widget[data-state="online"]').waitFor();
  }

  it('greets a new conversation with starter chips, and a chip sends its text', async () => {
    await open({ width: 1280, height: 800 });
    await expect.poll(() => page.locator('.sb-msg-bot').first().textContent()).toMatch(/I can help you find products/);
    const chips = page.locator('.sb-chip');
    expect(await chips.allTextContents()).toEqual(['Help me find a gift', 'Where is my order?', 'How do returns work?', 'Talk to a person']);
    await chips.nth(1).click();
    await expect.poll(() => page.locator('.sb-msg-user').last().textContent()).toContain('Where is my order?');
    await expect.poll(() => page.locator('.sb-msg-bot').last().textContent()).toContain('You said: Where is my order?');
    // The starters give way to the reply's own suggestions.
    expect(await chips.allTextContents()).toEqual(['Cheaper']);
    expect(pageErrors).toEqual([]);
  });

  it('greets in Chinese for a Chinese browser', async () => {
    await open({ width: 1280, height: 800, language: 'zh-CN' });
    await expect.poll(() => page.locator('.sb-msg-bot').first().textContent()).toMatch(/您好！我可以帮您找商品/);
    expect(await page.locator('.sb-chip').allTextContents()).toEqual(['帮我挑个礼物', '我的订单到哪了？', '怎么退货？', '转人工客服']);
  });

  it('turns http(s) links and policy paths in replies into links, and nothing else', async () => {
    await open({ width: 1280, height: 800 });
    await page.locator('#shopbot-input').fill('see https://shop.example/contact, /policies/returns.md#refunds and javascript:alert(1)');
    await page.locator('#shopbot-input').press('Enter');
    const links = page.locator('.sb-msg-bot .sb-link');
    await links.nth(1).waitFor();
    expect(await links.allTextContents()).toEqual(['https://shop.example/contact', '/policies/returns.md#refunds']);
    expect(await links.evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href))).toEqual(['https://shop.example/contact', `${harness!.url}/policies/returns.md#refunds`]);
    expect(await links.first().getAttribute('rel')).toBe('noopener noreferrer');
    // The shopper's own bubble is never linkified.
    expect(await page.locator('.sb-msg-user a').count()).toBe(0);
  });

  it('fills the whole screen at phone width, and closes back to the launcher', async () => {
    await open({ width: 390, height: 844 });
    await page.locator('.sb-chip').first().waitFor();
    const box = await page.locator('.sb-panel').boundingBox();
    expect(box).toEqual({ x: 0, y: 0, width: 390, height: 844 });
    expect(await page.locator('.sb-launcher').isVisible()).toBe(false);
    await page.screenshot({ path: PHONE_SCREENSHOT });
    await page.locator('.sb-close').click();
    expect(await page.locator('.sb-launcher').isVisible()).toBe(true);
    expect(await page.locator('.sb-panel').isVisible()).toBe(false);
  });
});
