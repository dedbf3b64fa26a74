/**
 * The widget in headless Chromium against the real gateway and a FakeApp: rendering, escaping of
 * catalog and shopper text, card actions, cart and checkout, push, language and reconnect.
 * The end-to-end run over the real app is browser.test.ts.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { UiAction } from '../../../src/messages.js';
import { CHROMIUM_SKIP_REASON, chromiumMissing, launchChromium } from './chromium.js';
import { FakeApp } from './fake-app.js';
import { createMemoryLog, serveWebStatic, startGateway, type GatewayHarness } from './helpers.js';

const EVIL_TITLE = '<img src=x onerror=alert(1)>';
const PRODUCTS = [
  { id: 'B0EVIL', title: EVIL_TITLE, brand: '<b>Brand</b>', priceCents: 5999, currency: 'USD', rating: 4.4, ratingCount: 1234, imageUrl: 'https://m.media-amazon.com/images/I/none.jpg', inStock: true, sponsored: false },
  { id: 'B0SPON', title: 'Trail runner', brand: 'Acme', priceCents: 8900, currency: 'USD', rating: 3.6, ratingCount: 12, imageUrl: 'javascript:alert(2)', inStock: true, sponsored: true },
];

describe.skipIf(chromiumMissing)(`widget in Chromium (fake app)${chromiumMissing ? `: skipped, ${CHROMIUM_SKIP_REASON}` : ''}`, { timeout: 180_000 }, () => {
  let chrome: Awaited<ReturnType<typeof launchChromium>>;
  let harness: GatewayHarness | undefined;
  let app: FakeApp;
  let page: Page;
  const dialogs: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    chrome = await launchChromium();
    // The sandbox is offline; fail external requests (product images) at once instead of waiting on DNS.
    await chrome.context.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (route) => route.abort());
  });
  afterAll(async () => {
    await chrome?.close();
  });
  afterEach(async () => {
    await page?.close();
    await harness?.close();
    harness = undefined;
    dialogs.length = 0;
    pageErrors.length = 0;
  });

  async function open(): Promise<void> {
    app = new FakeApp(PRODUCTS);
    harness = await startGateway(app.gatewayDeps(createMemoryLog(), { maxMessageChars: 2000 }), { onRequest: serveWebStatic });
    page = await chrome.context.newPage();
    page.setDefaultTimeout(30_000);
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${harness.url}/`);
    await page.getByRole('button', { name: 'Chat with our shopping assistant' }).click();
    await page.locator('#shopbot-widget[data-state="online"]').waitFor();
  }

  async function say(text: string): Promise<void> {
    await page.locator('#shopbot-input').fill(text);
    await page.locator('#shopbot-input').press('Enter');
  }

  function actions(): UiAction[] {
    return app.turns.flatMap((t) => (t.action ? [t.action] : []));
  }

  async function waitForTurns(n: number): Promise<void> {
    await expect.poll(() => app.turns.length, { timeout: 30_000 }).toBe(n);
  }

  it('renders catalog and shopper text as text, never as markup', async () => {
    await open();
    await say('<b>running</b> shoes');
    await page.locator('.sb-card').nth(1).waitFor();

    expect(await page.locator('.sb-msg-user .sb-bubble').last().textContent()).toContain('<b>running</b> shoes');
    expect(await page.locator('.sb-msg-bot .sb-bubble').last().textContent()).toContain('You said: <b>running</b> shoes');
    expect(await page.locator('.sb-card-title').first().textContent()).toBe(EVIL_TITLE);
    expect(await page.locator('.sb-card-brand').first().textContent()).toBe('<b>Brand</b>');
    expect(await page.locator('#shopbot-widget b').count()).toBe(0);
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    // Only http(s) image URLs are used; a javascript: URL falls back to the placeholder.
    const srcs = await page.locator('.sb-card-img').evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).getAttribute('src')));
    expect(srcs[1]).toMatch(/\/widget\/placeholder\.svg$/);
    // The unreachable CDN image is replaced by the placeholder once it fails.
    await expect.poll(() => page.locator('.sb-card-img').first().getAttribute('src'), { timeout: 30_000 }).toMatch(/placeholder\.svg$/);
    expect(dialogs).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('shows price, rating, sponsored badge and quick replies, and sends card actions with slate and position', async () => {
    await open();
    await say('running shoes');
    const cards = page.locator('.sb-card');
    await cards.nth(1).waitFor();
    expect(await cards.first().locator('.sb-card-price').textContent()).toBe('$59.99');
    expect(await cards.first().locator('.sb-card-rating').getAttribute('aria-label')).toBe('4.4 out of 5 stars, 1,234 ratings');
    expect(await cards.first().locator('.sb-badge').count()).toBe(0);
    expect(await cards.nth(1).locator('.sb-badge').textContent()).toBe('Sponsored');
    // The label says why the card is an ad when opened; the explanation names the product as text.
    expect(await cards.nth(1).locator('.sb-sponsored-why').isVisible()).toBe(false);
    await cards.nth(1).locator('.sb-badge').click();
    expect(await cards.nth(1).locator('.sb-sponsored-why').textContent()).toMatch(/^Why this is marked sponsored: the seller of “Trail runner.*” pays the store when you open this card/);

    await cards.nth(1).getByRole('button', { name: 'View: Trail runner' }).click();
    await waitForTurns(2);
    await cards.nth(1).getByRole('button', { name: 'Add to cart: Trail runner' }).click();
    await page.locator('.sb-cart').waitFor();
    expect(actions()).toEqual([
      { type: 'click', productId: 'B0SPON', slateId: 'slate-1', position: 1 },
      { type: 'add_to_cart', productId: 'B0SPON', quantity: 1, slateId: 'slate-1', position: 1 },
    ]);
    expect(await page.locator('.sb-cart-line').textContent()).toContain('1 × Trail runner');
    expect(await page.locator('.sb-cart-total strong').textContent()).toBe('$89.00');

    // Keyboard: the checkout button and form work without a mouse.
    await page.locator('.sb-checkout').focus();
    await page.keyboard.press('Enter');
    await page.locator('#shopbot-email').fill('shopper@example.com');
    await page.keyboard.press('Enter');
    await waitForTurns(4);
    expect(actions()[2]).toEqual({ type: 'checkout', email: 'shopper@example.com' });
    await page.locator('.sb-cart').waitFor({ state: 'hidden' });

    // Action replies carry no quick replies; the next search brings the chip back.
    expect(await page.locator('.sb-chip').count()).toBe(0);
    await say('running shoes');
    await page.getByRole('button', { name: 'Cheaper' }).click();
    await waitForTurns(6);
    expect(app.turns[5]?.text).toBe('cheaper');
    expect(pageErrors).toEqual([]);
  });

  it('follows the reply language and renders pushed agent messages, handoff and coupon as text', async () => {
    await open();
    await say('跑鞋');
    await page.locator('.sb-card').first().waitFor();
    expect(await page.locator('.sb-btn-add').first().textContent()).toBe('加入购物车');
    expect(await page.locator('.sb-send').textContent()).toBe('发送');

    const conversationId = (await page.locator('#shopbot-widget').getAttribute('data-conversation-id')) as string;
    harness?.gateway.push(conversationId, {
      from: 'agent',
      conversationId,
      text: '<i>Sam</i> here',
      lang: 'en',
      products: [],
      quickReplies: [],
      handoff: { status: 'assigned', reason: 'asked for a person' },
      coupon: { code: 'SAVE10-<u>X</u>', description: '<script>alert(3)</script> 10% off', expiresAt: '2026-12-31T00:00:00Z' },
    });
    await page.locator('.sb-coupon').waitFor();
    expect(await page.locator('.sb-msg-agent .sb-bubble').textContent()).toContain('<i>Sam</i> here');
    expect(await page.locator('.sb-coupon-code').textContent()).toBe('SAVE10-<u>X</u>');
    expect(await page.locator('.sb-coupon-desc').textContent()).toBe('<script>alert(3)</script> 10% off');
    expect(await page.locator('.sb-handoff').textContent()).toBe('A support agent has joined');
    expect(await page.locator('#shopbot-widget i, #shopbot-widget u, #shopbot-widget script').count()).toBe(0);
    expect(dialogs).toEqual([]);
  });

  it('restores the conversation after a reload and after the connection drops', async () => {
    await open();
    await say('running shoes');
    await page.locator('.sb-card').nth(1).waitFor();
    const conversationId = await page.locator('#shopbot-widget').getAttribute('data-conversation-id');

    await page.reload();
    await page.getByRole('button', { name: 'Chat with our shopping assistant' }).click();
    await page.locator('.sb-card').nth(1).waitFor();
    expect(await page.locator('#shopbot-widget').getAttribute('data-conversation-id')).toBe(conversationId);
    expect(await page.locator('.sb-msg-user').count()).toBe(1);

    // Drop the transport from the server side: the client reconnects by itself, says hello again and re-renders.
    await page.locator('.sb-messages').evaluate((list) => list.appendChild(document.createElement('hr')));
    for (const socket of harness?.io.sockets.sockets.values() ?? []) socket.conn.close();
    await page.locator('.sb-messages hr').waitFor({ state: 'detached', timeout: 30_000 });
    await page.locator('#shopbot-widget[data-state="online"] .sb-card >> nth=1').waitFor();
    expect(await page.locator('#shopbot-widget').getAttribute('data-conversation-id')).toBe(conversationId);
    await say('in black');
    await expect.poll(() => app.turns.map((t) => t.text), { timeout: 30_000 }).toEqual(['running shoes', 'in black']);
    expect(app.turns.every((t) => t.conversationId === conversationId)).toBe(true);
  });

  it('starts a fresh conversation when the stored token does not open the stored conversation', async () => {
    await open();
    await say('running shoes');
    await page.locator('.sb-card').first().waitFor();
    const owned = (await page.locator('#shopbot-widget').getAttribute('data-conversation-id')) as string;
    // Tamper with the stored token: same conversation, a token the server never signed.
    await page.evaluate((conversationId) => {
      for (const key of Object.keys(localStorage)) {
        if (key.startsWith('shopbot:')) localStorage.setItem(key, JSON.stringify({ conversationId, token: 'sbt1.eyJjIjoieCJ9.forged' }));
      }
    }, owned);
    await page.reload();
    await page.locator('#shopbot-widget[data-state="online"]').waitFor();
    const fresh = await page.locator('#shopbot-widget').getAttribute('data-conversation-id');
    expect(fresh).not.toBe(owned);
    expect(await page.locator('.sb-card').count()).toBe(0);
    expect(await page.locator('.sb-notice-error').textContent()).toBe('This conversation could not be restored; a new one was started.');
    expect((await app.history(owned)).length).toBe(2);
  });

  it('is usable from the keyboard: Escape closes the panel and focus returns to the launcher', async () => {
    await open();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('shopbot-input');
    await page.keyboard.press('Escape');
    await page.locator('#shopbot-panel').waitFor({ state: 'hidden' });
    expect(await page.evaluate(() => document.activeElement?.className)).toBe('sb-launcher');
    expect(await page.locator('.sb-launcher').getAttribute('aria-expanded')).toBe('false');
    await page.keyboard.press('Enter');
    await page.locator('#shopbot-panel').waitFor();
    await page.keyboard.type('running shoes');
    await page.keyboard.press('Enter');
    await page.locator('.sb-card').first().waitFor();
    expect(await page.locator('.sb-messages').getAttribute('aria-live')).toBe('polite');
  });
});
