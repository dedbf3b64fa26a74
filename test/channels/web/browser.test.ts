/**
 * The demo store in headless Chromium against the real app and server: open the widget, search,
 * view and add a product from a card, check out, and find each step in the funnel log. Takes a
 * screenshot of the result; with SHOPBOT_UPDATE_SCREENSHOT=1 it replaces the README's
 * docs/widget.png (otherwise it goes to the OS temp dir, so a test run leaves the tree clean).
 */
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { CHROMIUM_SKIP_REASON, chromiumMissing, launchChromium } from './chromium.js';
import { HTML_PRODUCT_ID, startRealServer, type RealServer } from './real-server.js';

const SCREENSHOT =
  process.env.SHOPBOT_UPDATE_SCREENSHOT === '1' ? fileURLToPath(new URL('../../../docs/widget.png', import.meta.url)) : path.join(os.tmpdir(), 'shopbot-widget.png');

describe.skipIf(chromiumMissing)(`demo store in Chromium (real app)${chromiumMissing ? `: skipped, ${CHROMIUM_SKIP_REASON}` : ''}`, { timeout: 180_000 }, () => {
  let real: RealServer;
  let chrome: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;
  const dialogs: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    real = await startRealServer();
    chrome = await launchChromium();
    // Offline sandbox: product images point at an external CDN; fail those at once so the placeholder shows.
    await chrome.context.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (route) => route.abort());
    page = await chrome.context.newPage();
    page.setDefaultTimeout(30_000);
    await page.setViewportSize({ width: 1280, height: 860 });
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('pageerror', (e) => pageErrors.push(e.message));
  });
  afterAll(async () => {
    await chrome?.close();
    await real?.close();
  });

  async function say(text: string): Promise<void> {
    await page.locator('#shopbot-input').fill(text);
    await page.locator('#shopbot-input').press('Enter');
  }
  async function botReplies(): Promise<number> {
    return page.locator('.sb-msg-bot').count();
  }

  it('chats in the widget, clicks a product card, adds to cart, checks out, and logs each funnel step', async () => {
    await page.goto(`${real.server.url}/`);
    expect(await page.locator('.demo-banner').textContent()).toContain('Amazon Shopping Queries Dataset (ESCI)');
    await page.getByRole('button', { name: 'Ask the assistant' }).click();
    await page.locator('#shopbot-widget[data-state="online"]').waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.id), { timeout: 30_000 }).toBe('shopbot-input');
    const conversationId = (await page.locator('#shopbot-widget').getAttribute('data-conversation-id')) as string;

    await say('running shoes');
    const cards = page.locator('.sb-card');
    await cards.first().waitFor();
    const shownIds = await cards.evaluateAll((els) => els.map((e) => e.getAttribute('data-product-id')));
    expect(shownIds.length).toBeGreaterThan(0);
    // Prices come from the catalog: every card shows one in dollars.
    for (const price of await page.locator('.sb-card-price').allTextContents()) expect(price).toMatch(/^\$\d+\.\d{2}$/);

    const first = cards.first();
    const productId = (await first.getAttribute('data-product-id')) as string;
    await first.locator('.sb-btn-add').click();
    await page.locator('.sb-cart').waitFor();
    expect(await page.locator('.sb-cart-line').count()).toBe(1);
    await expect.poll(() => page.locator('.sb-card-img').first().getAttribute('src'), { timeout: 30_000 }).toMatch(/placeholder\.svg$/);
    mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    // Show the conversation from its start (question, answer, cards) above the cart.
    await page.locator('.sb-messages').evaluate((list) => list.scrollTo(0, 0));
    await page.screenshot({ path: SCREENSHOT });

    const before = await botReplies();
    await first.locator('.sb-btn-view').click();
    await expect.poll(botReplies, { timeout: 30_000 }).toBe(before + 1);

    await page.locator('.sb-checkout').click();
    await page.locator('#shopbot-email').fill('shopper@example.com');
    await page.locator('.sb-place-order').click();
    await page.locator('.sb-cart').waitFor({ state: 'hidden' });
    expect(await page.locator('.sb-msg-bot .sb-bubble').last().textContent()).toContain('shopper@example.com');

    const events = await real.funnelEvents(conversationId);
    expect(events.every((e) => e.channel === 'web')).toBe(true);
    expect(events.filter((e) => e.type === 'impression').map((e) => e.productId)).toEqual(shownIds);
    expect(events.filter((e) => e.type === 'click')).toMatchObject([{ productId, position: 0 }]);
    expect(events.filter((e) => e.type === 'add_to_cart')).toMatchObject([{ productId, quantity: 1 }]);
    expect(events.filter((e) => e.type === 'checkout_started')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'purchase')).toMatchObject([{ productIds: [productId] }]);
    expect(dialogs).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('shows a catalog title full of markup as text', async () => {
    await say('test running shoe');
    const card = page.locator(`.sb-card[data-product-id="${HTML_PRODUCT_ID}"]`).last();
    await card.waitFor();
    expect(await card.locator('.sb-card-title').textContent()).toBe('<img src=x onerror=alert(1)> Test Running Shoe');
    expect(await card.locator('.sb-card-brand').textContent()).toBe('<i>Brand</i>');
    expect(await page.locator('img[src="x"], #shopbot-widget i, #shopbot-widget script').count()).toBe(0);
    expect(dialogs).toEqual([]);
  });

  it('restores the conversation after a reload', async () => {
    const conversationId = await page.locator('#shopbot-widget').getAttribute('data-conversation-id');
    const userMessages = await page.locator('.sb-msg-user').count();
    await page.reload();
    await page.locator('#shopbot-widget[data-state="online"]').waitFor();
    expect(await page.locator('#shopbot-widget').getAttribute('data-conversation-id')).toBe(conversationId);
    expect(await page.locator('.sb-msg-user').count()).toBe(userMessages);
    expect(await page.locator('.sb-card').count()).toBeGreaterThan(0);
  });
});
