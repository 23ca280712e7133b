/**
 * The region cockpit end to end in Chromium (serves apps/web/dist: run `npm run build` first):
 * 七年级 students of 西湖区实验中学 answer a math exam online (marked at once, rolled up by the
 * analytics consumer); the county admin of 西湖区 opens 区域驾驶舱 from the navigation, sees the
 * KPI cards, the schools table with target tags and the knowledge-point heatmap, clicks a cell and
 * sees the rows behind it (assignments and answer counts, no names) in the drawer.
 */
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium, openPage, screenshots, signIn } from '../support/browser.js';
import { answeredChoiceExam } from '../support/exam.js';
import { Client, startServer, type RunningServer } from '../support/server.js';

let server: RunningServer;
let browser: Browser;
const shot = screenshots('cockpit-');
const TITLE = '七年级数学单元测验';
const KPS = ['M7-NA-01', 'M7-NA-01', 'M7-NA-02'];
const STUDENTS = ['student1', 'student2', 'student3', 'student4', 'student5', 'student6', 'student11', 'student12'];

beforeAll(async () => {
  server = await startServer();
  browser = await launchChromium();
  // Every question's key is A; students vary on questions 2 and 3.
  const answers = Object.fromEntries(STUDENTS.map((u, i) => [u, ['A', i % 2 ? 'B' : 'A', i % 3 ? 'A' : 'C']]));
  await answeredChoiceExam(server.baseUrl, { title: TITLE, stem: '单元测验', keys: ['A', 'A', 'A'], knowledgePoints: KPS, score: 5, answers });
  const county = new Client(server.baseUrl);
  await county.login('county_admin1');
  for (const t0 = Date.now(); ; ) {
    const r = await county.get('/api/analytics/cockpit');
    if (r.data.mastery?.cells?.length === 2 && r.data.ai?.computedAt) break;
    if (Date.now() - t0 > 30_000) throw new Error(`cockpit not ready: ${JSON.stringify(r.data).slice(0, 300)}`);
    await new Promise((ok) => setTimeout(ok, 250));
  }
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('region cockpit', () => {
  it('a county admin opens the cockpit, sees the KPIs and the heatmap, and traces a cell', async () => {
    const { context, page } = await openPage(browser, { width: 1440, height: 900 });
    try {
      await signIn(page, server.baseUrl, 'county_admin1');
      await page.getByRole('menuitem', { name: '区域驾驶舱' }).click();
      await page.waitForURL(/\/cockpit$/);
      await expect.poll(() => page.locator('[data-testid=page-title]').innerText()).toBe('区域驾驶舱');

      const kpis = page.locator('[data-testid=cockpit-kpis]');
      await kpis.waitFor();
      const text = await kpis.innerText();
      expect(text).toContain('学校数');
      expect(text).toMatch(/学校数\s*2/);
      expect(text).toContain('AI 常态化应用率（区域）');
      expect(text).toContain('区县目标 ≥ 90%');
      expect(await page.locator('[data-testid=cockpit-schools] tbody tr.ant-table-row').count()).toBe(2);
      expect(await page.locator('[data-testid=cockpit-schools]').innerText()).toContain('杭州市西湖区实验中学');
      // Nobody used AI yet: 0 % of 43 people, below the school target.
      expect(await page.locator('[data-testid=cockpit-schools] [data-testid=target-tag]').first().innerText()).toBe('未达标');

      const heatmap = page.locator('[data-testid=cockpit-heatmap]');
      await heatmap.locator('canvas').first().waitFor();
      expect(await heatmap.getAttribute('data-cells')).toBe('2');
      await page.locator('[data-testid=cockpit-ai-bars] canvas').first().waitFor();
      await page.waitForTimeout(600); // chart animation
      await shot(page, 'page');

      // Schools are rows (西湖区第二中学 has no answers, 实验中学 has); the second point is the plot's right half.
      await heatmap.scrollIntoViewIfNeeded();
      const box = (await heatmap.boundingBox())!;
      const drawer = page.locator('.ant-drawer-content');
      for (let y = 30; y < 170 && !(await drawer.isVisible()); y += 8) {
        await page.mouse.click(box.x + box.width * 0.85, box.y + y);
        await page.waitForTimeout(150);
      }
      await drawer.locator('[data-testid=cockpit-trace-rows] tbody tr.ant-table-row').first().waitFor();
      const trace = await drawer.innerText();
      expect(trace).toContain('杭州市西湖区实验中学');
      expect(trace).toContain(TITLE);
      expect(trace).toContain('作答数');
      expect(trace).not.toMatch(/student|学号/);
      await page.waitForTimeout(300);
      await drawer.screenshot({ path: resolve(import.meta.dirname, '../../test-results/e2e/cockpit-trace.png') });
      await page.keyboard.press('Escape');

      // The region's AI figure traces to weeks and weeks-used counts.
      await page.locator('[data-testid=cockpit-ai-rate]').click();
      await drawer.locator('[data-testid=cockpit-trace-rows] tbody tr.ant-table-row').first().waitFor();
      expect(await drawer.innerText()).toContain('使用周数');
      await page.keyboard.press('Escape');
      await drawer.waitFor({ state: 'hidden' });

      // A knowledge-point cell's assignment opens its exam report, with aggregates only for a county admin.
      await heatmap.scrollIntoViewIfNeeded();
      const again = (await heatmap.boundingBox())!;
      for (let y = 30; y < 170 && !(await drawer.isVisible()); y += 8) {
        await page.mouse.click(again.x + again.width * 0.85, again.y + y);
        await page.waitForTimeout(150);
      }
      await drawer.getByRole('link', { name: TITLE }).click();
      await page.waitForURL(/\/assignments\/[0-9a-f-]{36}\/report$/);
      await expect.poll(() => page.locator('[data-testid=page-title]').innerText()).toBe(TITLE);
      await page.locator('[data-testid=score-histogram] canvas').first().waitFor();
      expect(await page.locator('main, .zj-content').first().innerText()).not.toMatch(/学号/);
      await shot(page, 'report-as-county-admin');
    } finally {
      await context.close();
    }
  });
});
