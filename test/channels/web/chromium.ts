/**
 * Headless Debian Chromium through playwright-core (never `npx playwright install`: it downloads a
 * browser, which fails offline). Flags per ENVIRONMENT.md; a fresh profile per launch.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** CI installs Chromium (.ci/run), so there a missing browser is a failure, not a skip. */
export const chromiumMissing = !existsSync(CHROMIUM_PATH) && !process.env.CI;
export const CHROMIUM_SKIP_REASON = `browser tests need Debian chromium at ${CHROMIUM_PATH} (apt-get install chromium)`;

/**
 * Playwright refuses `--user-data-dir` in `args` ("pass userDataDir to launchPersistentContext"),
 * so the fresh profile goes through launchPersistentContext; the other flags are passed as given.
 */
export async function launchChromium(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = mkdtempSync(path.join(tmpdir(), 'shopbot-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Chromium with every request off this machine failed at once (the sandbox is offline: product images would wait on DNS). */
export async function launchOfflineChromium(): Promise<Awaited<ReturnType<typeof launchChromium>>> {
  const chrome = await launchChromium();
  await chrome.context.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (route) => route.abort());
  return chrome;
}

/** A new page whose script errors and CSP refusals are collected, for a test to assert there were none. */
export async function watchedPage(context: BrowserContext): Promise<{ page: Page; pageErrors: string[]; refusedByCsp: string[] }> {
  const page = await context.newPage();
  const pageErrors: string[] = [];
  const refusedByCsp: string[] = [];
  page.setDefaultTimeout(30_000);
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) refusedByCsp.push(m.text());
  });
  return { page, pageErrors, refusedByCsp };
}
