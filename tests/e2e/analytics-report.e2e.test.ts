/**
 * The exam report end to end in Chromium (serves apps/web/dist: run `npm run build` first): a
 * teacher's exam is answered online by both classes; the teacher opens the report from the
 * assignment page, sees the distribution chart, the flagged questions with their distractors,
 * knowledge points, the students to follow up and the comparison, traces a histogram bar and a
 * figure to the students behind them, and downloads the PDF, whose first page is rendered to PNG.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium, openPage, screenshots, signIn } from '../support/browser.js';
import { answeredChoiceExam } from '../support/exam.js';
import { Client, startServer, type RunningServer } from '../support/server.js';

let server: RunningServer;
let browser: Browser;
let assignmentId = '';
const dir = mkdtempSync(join(tmpdir(), 'zj-report-e2e-'));
const shot = screenshots('report-');
const TITLE = '七年级数学期中测验';

const KEYS = ['A', 'B', 'C', 'A'];
const KPS = ['M7-NA-01', 'M7-NA-01', 'M7-NA-02', 'M7-NA-02'];
/** Nobody picks D on question 1 (a flag); 6 of the 11 students score below 60 %. */
const ANSWERS: Record<string, string[]> = {
  student1: ['A', 'B', 'C', 'A'],
  student2: ['A', 'B', 'C', 'B'],
  student3: ['A', 'B', 'A', 'A'],
  student4: ['A', 'A', 'C', 'C'],
  student5: ['B', 'B', 'C', 'A'],
  student6: ['A', 'C', 'D', 'D'],
  student7: ['C', 'D', 'C', 'B'],
  student8: ['B', 'A', 'B', 'A'],
  student11: ['A', 'B', 'C', 'A'],
  student12: ['A', 'C', 'A', 'C'],
  student13: ['B', 'D', 'B', 'B'],
};

beforeAll(async () => {
  server = await startServer();
  browser = await launchChromium();
  assignmentId = await answeredChoiceExam(server.baseUrl, { title: TITLE, stem: '期中测验', keys: KEYS, knowledgePoints: KPS, score: 5, answers: ANSWERS });
  const teacher = new Client(server.baseUrl);
  await teacher.login('teacher1');
  for (const t0 = Date.now(); ; ) {
    const r = await teacher.get(`/api/analytics/assignments/${assignmentId}/report`);
    if (r.data.summary?.students === 11) break;
    if (Date.now() - t0 > 30_000) throw new Error(`report not ready: ${JSON.stringify(r.data).slice(0, 300)}`);
    await new Promise((ok) => setTimeout(ok, 250));
  }
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('exam report', () => {
  it('a teacher opens the report, traces the figures and downloads the PDF', async () => {
    const { context, page } = await openPage(browser, { width: 1366, height: 900 });
    try {
      await signIn(page, server.baseUrl, 'teacher1');
      await page.goto(`${server.baseUrl}/assignments/${assignmentId}`);
      await page.locator('[data-testid=go-report]').click();
      await page.waitForURL(/\/assignments\/[0-9a-f-]{36}\/report$/);
      await expect.poll(() => page.locator('[data-testid=page-title]').innerText()).toBe(TITLE);

      const histogram = page.locator('[data-testid=score-histogram]');
      await histogram.locator('canvas').waitFor();
      expect(await histogram.getAttribute('data-total')).toBe('11');
      expect(await page.locator('[data-testid=kpi-students]').innerText()).toContain('11');
      const rows = page.locator('[data-testid=item-table] tbody tr.ant-table-row');
      expect(await rows.count()).toBe(4);
      expect(await rows.first().locator('[data-flag=distractor_unused]').innerText()).toBe('干扰项无人选');
      await page.locator('[data-testid=mastery-chart] canvas').waitFor();
      expect(await page.locator('[data-testid=kp-table] tbody tr.ant-table-row').count()).toBe(2);
      expect(await page.locator('[data-testid=followup-table] tbody tr.ant-table-row').count()).toBe(6);
      expect(await page.locator('[data-testid=comparison-table]').innerText()).toContain('西湖区');

      // Question 1 expands into its options: D, never chosen.
      await rows.first().locator('.ant-table-row-expand-icon').click();
      const options = page.locator('[data-testid=options-1] tbody tr.ant-table-row');
      await options.first().waitFor();
      expect(await options.count()).toBe(4);
      expect(await options.nth(3).innerText()).toMatch(/^D\s+0/);

      // A bar of the histogram traces to the students in that band: the tallest bar, clicked just above the axis.
      const report = (await page.evaluate(async (id) => (await fetch(`/api/analytics/assignments/${id}/report`)).json(), assignmentId)) as {
        summary: { histogram: { count: number }[] };
      };
      const bins = report.summary.histogram;
      const tallest = bins.reduce((best, b, i) => (b.count > bins[best]!.count ? i : best), 0);
      const box = (await histogram.boundingBox())!;
      // The chart's grid: 40 px left, 16 px right, 44 px bottom (ReportCharts).
      await page.mouse.click(box.x + 40 + ((box.width - 56) * (tallest + 0.5)) / bins.length, box.y + box.height - 44 - 4);
      const drawer = page.locator('[data-testid=trace-drawer]');
      await drawer.locator('[data-testid=trace-count]').waitFor();
      expect(await drawer.locator('[data-testid=trace-count]').getAttribute('data-count')).toBe(String(bins[tallest]!.count));
      expect(await drawer.locator('[data-testid=trace-students] tbody tr.ant-table-row').count()).toBe(bins[tallest]!.count);
      await page.locator('.ant-drawer-content').screenshot({ path: resolve(import.meta.dirname, '../../test-results/e2e/report-band.png') });
      await page.keyboard.press('Escape');
      await drawer.waitFor({ state: 'hidden' });

      // The pass-rate figure traces to the 5 students at or above 60 %.
      await page.locator('[data-testid=kpi-pass]').click();
      await expect.poll(() => drawer.locator('[data-testid=trace-students] tbody tr.ant-table-row').count()).toBe(5);
      await page.keyboard.press('Escape');
      await drawer.waitFor({ state: 'hidden' });
      await shot(page, 'page');

      const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid=download-pdf]').click()]);
      const pdf = join(dir, 'report.pdf');
      await download.saveAs(pdf);
      expect(download.suggestedFilename()).toMatch(/\.pdf$/);
      expect(readFileSync(pdf).subarray(0, 5).toString('latin1')).toBe('%PDF-');
      execFileSync('pdftoppm', ['-png', '-r', '80', '-f', '1', '-l', '1', pdf, join(dir, 'page')]);
      const png = join(dir, 'page-1.png');
      expect(existsSync(png)).toBe(true);
      // A blank A4 page at 80 dpi compresses to a few kilobytes; text and a chart make it much larger.
      expect(statSync(png).size).toBeGreaterThan(30_000);
      copyFileSync(png, resolve(import.meta.dirname, '../../test-results/e2e/report-pdf-page1.png'));
    } finally {
      await context.close();
    }
  });
});
