/**
 * The desk's tools on the agent console page in headless Chromium, against the real app and server
 * under a strict CSP: an agent logs in, sees the service-level timers in the queue, takes a ticket
 * whose brief shows the cards shown with prices, the cart, reason and sentiment; picks a canned
 * reply (filled from the brief), edits it and sends it; adds an internal note and a tag; snoozes;
 * transfers to another team with a note; takes it again from that team's queue and resolves it
 * with a reason. The shopper's markup is shown as text, never run. With SHOPBOT_UPDATE_SCREENSHOT=1
 * the screenshot replaces docs/console-tools.png (otherwise it goes to the OS temp dir).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/app.js';
import { loadConfig } from '../../../src/config.js';
import { DEFAULT_HANDOFF } from '../../../src/handoff/index.js';
import type { RunningServer } from '../../../src/server/index.js';
import { FIXTURE_CATALOG, serveApp } from '../../helpers/app.js';
import { CHROMIUM_SKIP_REASON, chromiumMissing, launchOfflineChromium, watchedPage } from './chromium.js';

const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:";
const shot = (name: string) => (process.env.SHOPBOT_UPDATE_SCREENSHOT === '1' ? fileURLToPath(new URL(`../../../docs/${name}`, import.meta.url)) : path.join(os.tmpdir(), `shopbot-${name}`));
const ATTACK = '<img src=x onerror="document.title=\'pwned\'"> I want to talk to a human, this is useless';

describe.skipIf(chromiumMissing)(`the desk's tools in the console${chromiumMissing ? `: skipped, ${CHROMIUM_SKIP_REASON}` : ''}`, { timeout: 180_000 }, () => {
  let dir: string;
  let app: App;
  let server: RunningServer;
  let chrome: Awaited<ReturnType<typeof launchOfflineChromium>>;
  let page: Page;
  let pageErrors: string[] = [];
  let refusedByCsp: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'shopbot-console-tools-'));
    const handoffFile = path.join(dir, 'handoff.json');
    writeFileSync(handoffFile, JSON.stringify({ teams: DEFAULT_HANDOFF.teams, agents: { alice: { displayName: 'Alice' } } }));
    const config = loadConfig({
      env: {},
      overrides: { dataDir: dir, logLevel: 'silent', server: { port: 0, host: '127.0.0.1' }, catalog: { demo: true, demoFile: FIXTURE_CATALOG }, coupons: { enabled: false }, agents: { users: 'alice:alice-password-1' }, handoff: { file: handoffFile } },
    });
    server = await serveApp(config);
    app = server.app;
    chrome = await launchOfflineChromium();
    await chrome.context.route(`${server.url}/console**`, async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, headers: { ...response.headers(), 'content-security-policy': CSP } });
    });
    ({ page, pageErrors, refusedByCsp } = await watchedPage(chrome.context));
  });
  afterAll(async () => {
    await chrome?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('works a ticket from take to resolution with every tool', async () => {
    const say = (text: string) => app.handleTurn({ conversationId: 'conv-tools-1', userId: 'user-tools-1', channel: 'web', text });
    const found = await say('band saw');
    const product = (await app.catalog.get(found.products[0]!.id))!;
    await app.store.addToCart('user-tools-1', product, 2);
    expect((await say(ATTACK)).handoff).toMatchObject({ status: 'queued' });

    await page.setViewportSize({ width: 1360, height: 900 });
    await page.goto(`${server.url}/console`);
    await page.locator('#name').fill('alice');
    await page.locator('#password').fill('alice-password-1');
    await page.getByRole('button', { name: 'Log in' }).click();
    const ticket = page.locator('#queue .ticket').first();
    await ticket.getByRole('button', { name: 'Take' }).waitFor();
    // The queue's timers: the default targets (15 minutes to reply, 4 hours to resolve), none breached yet.
    expect(await ticket.locator('.timer[data-kind="first_response"]').textContent()).toMatch(/^Reply in 1[45]m$/);
    expect(await ticket.locator('.timer[data-kind="resolution"]').textContent()).toMatch(/^Resolve in (3h|4h|3h 5\dm)$/);
    await ticket.getByRole('button', { name: 'Take' }).click();

    // The brief's cards: the products shown with prices, the cart with its total, reason and sentiment.
    const brief = page.locator('#brief');
    await brief.locator('.card', { hasText: 'Shown to the shopper' }).waitFor();
    const price = `${(found.products[0]!.priceCents! / 100).toFixed(2)} ${found.products[0]!.currency}`;
    expect(await brief.locator('.card', { hasText: 'Shown to the shopper' }).textContent()).toContain(price);
    expect(await brief.locator('.card', { hasText: 'Cart' }).textContent()).toContain(`2× ${product.title}`);
    expect(await brief.locator('.card', { hasText: 'Why' }).locator('.sentiment-angry').textContent()).toBe('angry');
    // The shopper's markup is text in the transcript, not an element.
    await expect.poll(() => page.locator('#transcript').textContent()).toContain('<img src=x');
    expect(await page.locator('#transcript img, #brief img, #queue img').count()).toBe(0);

    // A canned reply fills the box from the brief; the agent edits it before sending.
    await page.locator('#canned').selectOption('greeting');
    expect(await page.locator('#reply').inputValue()).toMatch(/^Hi, this is Alice from the \w+ team/);
    expect(await page.locator('#canned option[value="order_status"]').isDisabled()).toBe(true);
    await page.locator('#reply').fill(`${await page.locator('#reply').inputValue()} The saw is on its way.`);
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await expect.poll(() => page.locator('#transcript .msg.agent').last().textContent()).toContain('The saw is on its way.');

    await page.locator('#note').fill('Repeat customer, <b>be kind</b>');
    await page.getByRole('button', { name: 'Add note' }).click();
    await expect.poll(() => page.locator('#notes .note').first().textContent()).toContain('Repeat customer, <b>be kind</b>');
    await page.locator('#tag').fill('VIP');
    await page.getByRole('button', { name: 'Add tag' }).click();
    await expect.poll(() => page.locator('#tags .chip').first().textContent()).toContain('vip');
    await page.locator('#snooze').selectOption('30');
    await page.getByRole('button', { name: 'Snooze', exact: true }).click();
    await expect.poll(() => page.locator('#snoozed').textContent()).toMatch(/^Snoozed until/);
    await page.screenshot({ path: shot('console-tools.png') });

    // Transfer to Billing with a note; the ticket goes back to the queue under that team.
    await page.locator('#transfer-to').selectOption('team:billing');
    await page.locator('#transfer-note').fill('Needs a refund decision');
    await page.getByRole('button', { name: 'Transfer' }).click();
    await page.locator('#tools.hidden').waitFor({ state: 'attached' });
    const moved = page.locator('#queue .ticket', { hasText: 'billing' }).first();
    await moved.getByRole('button', { name: 'Take' }).click();
    await expect.poll(() => page.locator('#notes').textContent()).toContain('Transferred to billing: Needs a refund decision');

    await page.locator('#resolution').selectOption('refund_issued');
    await page.getByRole('button', { name: 'Resolve' }).click();
    await expect.poll(() => page.locator('#queue').textContent()).toBe('Nobody is waiting.');

    const history = (await app.history('conv-tools-1')).map((h) => h.text).join('\n');
    expect(history).toContain('The saw is on its way.');
    expect(history).not.toContain('Repeat customer');
    expect(history).not.toContain('refund decision');
    expect(await page.title()).not.toBe('pwned');
    expect(pageErrors).toEqual([]);
    expect(refusedByCsp).toEqual([]);
  });
});
