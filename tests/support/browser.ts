/** Debian Chromium through playwright-core, and the page helpers every e2e file uses. */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { DEMO_PASSWORD } from './server.js';

const shots = resolve(import.meta.dirname, '../../test-results/e2e');

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    // Without the background-networking flags Chromium keeps dialling out on a closed network.
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export async function openPage(
  browser: Browser,
  viewport = { width: 1366, height: 860 },
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport, locale: 'zh-CN' });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return { context, page };
}

export async function signIn(page: Page, baseUrl: string, username: string, password = DEMO_PASSWORD) {
  await page.goto(`${baseUrl}/login`);
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(password);
  await page.locator('[data-testid=login-submit]').click();
  await page.locator('[data-testid=display-name]').waitFor();
}

/** A screenshot function writing test-results/e2e/<prefix><name>.png (look at them). */
export function screenshots(prefix: string) {
  mkdirSync(shots, { recursive: true });
  return (page: Page, name: string) => page.screenshot({ path: `${shots}/${prefix}${name}.png`, fullPage: true });
}

/**
 * Opens the antd Select with this test id and picks the option with this text (typing first to
 * filter long lists; Escape then closes a multiple select). Waits until the dropdown has closed:
 * during its closing animation it would still match the next pick's `:visible` lookup.
 */
export async function pickOption(page: Page, testId: string, option: string, type?: string) {
  await page.locator(`[data-testid=${testId}]`).click();
  if (type) await page.keyboard.type(type);
  await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: option }).first().click();
  if (type) await page.keyboard.press('Escape');
  await expect.poll(() => page.locator('.ant-select-dropdown:visible').count()).toBe(0);
}
