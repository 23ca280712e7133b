/**
 * Browser tests of the item-bank pages against the real server (which serves apps/web/dist: run
 * `npm run build` first). Drives the system Chromium through playwright-core.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, openPage, screenshots, signIn, pickOption } from '../support/browser.js';
import { Client, startServer, type RunningServer } from '../support/server.js';

let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  server = await startServer();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const newPage = () => openPage(browser);

const login = (page: Page, username: string, password?: string) => signIn(page, server.baseUrl, username, password);

const shot = screenshots('items-');


describe('item bank', () => {
  it('teacher1 finds demo items with a Chinese keyword and opens one', async () => {
    const { context, page } = await newPage();
    try {
      await login(page, 'teacher1');
      await page.locator('[data-testid=nav] .ant-menu-item', { hasText: '题库' }).click();
      await page.waitForURL(/\/items$/);
      await page.locator('[data-testid=item-card]').first().waitFor();

      await page.locator('input[data-testid=items-search], [data-testid=items-search] input').fill('第三人称单数');
      await page.locator('input[data-testid=items-search], [data-testid=items-search] input').press('Enter');
      await page.waitForURL(/q=/);
      // Read the count in the same poll that waits for it: the header re-renders while results load.
      const totalShown = async () => Number(/共 (\d+) 道题/.exec(await page.locator('[data-testid=page-title]').locator('..').innerText())?.[1] ?? 0);
      await expect.poll(totalShown).toBeGreaterThan(0);
      const cards = page.locator('[data-testid=item-card]');
      await expect.poll(() => cards.count()).toBeGreaterThan(0);
      // every hit is visible to teacher1; the keyword's items are English grammar items of the region bank
      expect(await cards.first().locator('[data-testid=item-type]').innerText()).not.toBe('');
      await shot(page, 'search');

      await cards.first().click();
      await page.waitForURL(/\/items\/[0-9a-f-]+$/);
      await page.locator('[data-testid=item-detail]').waitFor();
      const whole = await page.locator('.zj-content').innerText();
      expect(whole).toMatch(/第三人称|单数/);
      expect(await page.locator('[data-testid=item-versions] [data-testid=item-version-row]').count()).toBeGreaterThan(0);
      // a region item: teacher1 may not edit or share it
      expect(await page.locator('[data-testid=item-owner]').innerText()).toBe('区域');
      expect(await page.locator('[data-testid=item-edit]').count()).toBe(0);
      await shot(page, 'detail-search-hit');

      // the rich renderings: a rubric (essay) and a composite reading item with a table
      await page.goto(`${server.baseUrl}/items?subject=english&type=essay`);
      await page.locator('[data-testid=item-card]').first().click();
      await page.locator('[data-testid=item-detail] [data-testid=rubric-table]').waitFor();
      await shot(page, 'detail-essay');
      await page.goto(`${server.baseUrl}/items?subject=english&type=composite`);
      await page.locator('[data-testid=item-card]').first().click();
      await expect.poll(() => page.locator('[data-testid=item-part]').count()).toBeGreaterThan(1);
      await shot(page, 'detail-composite');
      await page.goto(`${server.baseUrl}/items?subject=math`);
      await page.locator('[data-testid=item-card]').first().waitFor();
      if ((await page.locator('[data-testid=item-card] .katex').count()) > 0) await shot(page, 'list-math');
    } finally {
      await context.close();
    }
  });

  it('teacher1 writes a math item with a LaTeX preview, edits it in place and shares it to the school', async () => {
    const { context, page } = await newPage();
    try {
      await login(page, 'teacher1');
      await page.goto(`${server.baseUrl}/items`);
      await page.locator('[data-testid=item-new]').click();
      await page.waitForURL(/\/items\/new$/);
      await page.locator('[data-testid=editor-stem]').waitFor();

      await pickOption(page, 'editor-subject', '数学');
      await pickOption(page, 'editor-type', '计算题');
      const stem = '计算：$\\frac{1}{2}+\\frac{1}{3}$';
      await page.locator('[data-testid=editor-stem]').fill(stem);
      // the live student preview renders the LaTeX with KaTeX
      await page.locator('[data-testid=item-preview] .katex').first().waitFor();
      expect(await page.locator('[data-testid=item-preview] .katex-mathml').first().textContent()).toContain('frac');
      await page.locator('[data-testid=editor-math-answer]').fill('\\frac{5}{6}');
      await page.locator('[data-testid=editor-math-preview] .katex').waitFor();
      await page.locator('[data-testid=editor-explanation]').fill('通分：$\\frac{1}{2}+\\frac{1}{3}=\\frac{3}{6}+\\frac{2}{6}=\\frac{5}{6}$。');

      // no knowledge point yet: the server's validation problem is shown
      await page.locator('[data-testid=item-save]').first().click();
      await page.locator('[data-testid=save-error]').waitFor();
      expect(await page.locator('[data-testid=save-error]').innerText()).toContain('knowledgePoints');
      await shot(page, 'editor-error');

      await pickOption(page, 'editor-kps', '有理数', '有理数');
      await page.keyboard.press('Escape');
      await shot(page, 'editor-new');
      await page.locator('[data-testid=item-save]').first().click();
      await page.waitForURL(/\/items\/[0-9a-f-]+$/);
      const url = page.url();
      await page.locator('[data-testid=item-detail]').waitFor();
      expect(await page.locator('[data-testid=item-version]').innerText()).toBe('第 1 版');
      expect(await page.locator('[data-testid=item-owner]').innerText()).toBe('个人');
      await page.locator('[data-testid=item-detail] .katex').first().waitFor();
      await page.locator('[data-testid=math-answer] .katex').waitFor();
      await shot(page, 'detail-new');

      // edit: nobody answered it, so version 1 is changed in place
      await page.locator('[data-testid=item-edit]').click();
      await page.waitForURL(/\/edit$/);
      expect(await page.locator('[data-testid=locked-notice]').count()).toBe(0);
      expect(await page.locator('[data-testid=page-title]').locator('..').innerText()).toContain('正在编辑第 1 版');
      await page.locator('[data-testid=editor-stem]').fill(`${stem}，结果化为最简分数。`);
      await expect.poll(() => page.locator('[data-testid=item-preview]').innerText()).toContain('结果化为最简分数');
      await shot(page, 'editor-edit');
      await page.locator('[data-testid=item-save]').first().click();
      await page.waitForURL((u) => u.toString() === url);
      await expect.poll(() => page.locator('[data-testid=item-stem]').first().innerText()).toContain('结果化为最简分数');
      expect(await page.locator('[data-testid=item-version]').innerText()).toBe('第 1 版');
      await expect.poll(() => page.locator('[data-testid=item-version-row]').count()).toBe(1);

      // share to the school bank
      await page.locator('[data-testid=item-share]').click();
      await page.locator('.ant-popconfirm .ant-btn-primary').click();
      await expect.poll(() => page.locator('[data-testid=item-owner]').innerText()).toBe('校本');
      await shot(page, 'detail-shared');

      // it is found in the school bank
      await page.goto(`${server.baseUrl}/items?owner=school&q=${encodeURIComponent('最简分数')}`);
      await expect.poll(() => page.locator('[data-testid=item-card]').count()).toBeGreaterThan(0);
      expect(await page.locator('[data-testid=item-card]').first().innerText()).toContain('结果化为最简分数');
    } finally {
      await context.close();
    }
  });

  it('the API agrees: the edited item kept version 1 and belongs to the school', async () => {
    const teacher = new Client(server.baseUrl);
    await teacher.login('teacher1');
    const r = await teacher.get(`/api/items?q=${encodeURIComponent('最简分数')}&owner=school`);
    expect(r.status).toBe(200);
    const item = r.data.items[0] as { id: string; version: number; owner: { type: string } };
    expect(item.version).toBe(1);
    expect(item.owner.type).toBe('school');
    const versions = await teacher.get(`/api/items/${item.id}/versions`);
    expect(versions.data).toHaveLength(1);
  });
});
