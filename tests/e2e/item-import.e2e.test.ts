/**
 * Browser test of the item import page against the real server (which serves apps/web/dist: run
 * `npm run build` first). Drives the system Chromium through playwright-core.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, openPage, screenshots, signIn } from '../support/browser.js';
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

const shot = screenshots('item-import-');
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const MARK = '鹦鹉螺';

/** The server's own template with rows filled into its 题目 sheet, by column name. */
async function fillTemplate(template: ArrayBuffer, rows: Record<string, string | number>[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(template);
  const ws = wb.getWorksheet('题目')!;
  const header = (ws.getRow(1).values as unknown[]).slice(1).map(String);
  // explicit rows 2, 3, …: the template's type validation reaches down to row 1000
  rows.forEach((r, i) => header.forEach((h, j) => (ws.getCell(2 + i, j + 1).value = r[h] ?? null)));
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const single = { 题型: '单选题', 学科: 'math', 年级: 7, 题干: `${MARK}练习一：$-3$ 的相反数是`, 选项A: '$3$', 选项B: '$-3$', 选项C: '$\\frac{1}{3}$', 选项D: '$-\\frac{1}{3}$', 答案: 'A', 解析: '只有符号不同的两个数互为相反数。', 知识点: 'M7-NA-03', 难度: 1, 分值: 2 };
const truth = { 题型: '判断题', 学科: 'math', 年级: 7, 题干: `${MARK}练习二：$0$ 既不是正数也不是负数。`, 答案: '对', 知识点: 'M7-NA-01', 难度: 1 };
const blank = { 题型: '填空题', 学科: 'math', 年级: 7, 题干: `${MARK}练习三：$|-5|=$ {{1}}`, 答案: '1=5', 知识点: 'M7-NA-03', 难度: 2, 分值: 2 };
// row 4 of the sheet (the header is row 1): a knowledge point that is not in the published graph
const badBlank = { ...blank, 知识点: 'M7-NA-99' };

describe('item import', () => {
  it('teacher1 imports an .xlsx: a bad row is reported and nothing is written; the fixed file imports', async () => {
    const teacher = new Client(server.baseUrl);
    await teacher.login('teacher1');
    const template = await teacher.get('/api/items/template.xlsx');
    expect(template.status).toBe(200);
    const countSchool = async () => (await teacher.get('/api/items?owner=school&pageSize=1')).data.total as number;
    const before = await countSchool();
    const found = async () => (await teacher.get(`/api/items?q=${encodeURIComponent(MARK)}`)).data.total as number;
    expect(await found()).toBe(0);

    const { context, page } = await newPage();
    try {
      await login(page, 'teacher1');
      await page.goto(`${server.baseUrl}/items`);
      await page.locator('[data-testid=item-import]').click();
      await page.waitForURL(/\/items\/import$/);
      await expect.poll(() => page.locator('[data-testid=page-title]').innerText()).toBe('导入题目');
      await page.locator('[data-testid=import-bank]').getByText('校本题库').click();

      // 1st upload: row 4 names an unknown knowledge point
      await page
        .locator('input[type=file]')
        .setInputFiles({ name: '题目-有错.xlsx', mimeType: XLSX, buffer: await fillTemplate(template.data, [single, truth, badBlank]) });
      await page.locator('[data-testid=item-import-invalid]').waitFor();
      const invalid = await page.locator('[data-testid=item-import-invalid]').innerText();
      expect(invalid).toContain('未导入任何题目');
      const errorRows = page.locator('[data-testid=item-import-errors] tbody tr.ant-table-row');
      expect(await errorRows.count()).toBe(1);
      const cells = await errorRows.first().locator('td').allInnerTexts();
      expect(cells[0]).toBe('4');
      expect(cells[1]).toBe('知识点');
      expect(cells[2]).toBe('M7-NA-99');
      expect(cells[3]).toContain('知识点不存在');
      const headers = await page.locator('[data-testid=item-import-errors] thead th').allInnerTexts();
      expect(headers.map((h) => h.trim())).toEqual(['行号', '列', '值', '原因']);
      await shot(page, 'invalid');
      // all or nothing: the school bank is unchanged
      expect(await countSchool()).toBe(before);
      expect(await found()).toBe(0);

      // 2nd upload: fixed
      await page
        .locator('input[type=file]')
        .setInputFiles({ name: '题目-已修正.xlsx', mimeType: XLSX, buffer: await fillTemplate(template.data, [single, truth, blank]) });
      await page.locator('[data-testid=item-import-done]').waitFor();
      expect(await page.locator('[data-testid=item-import-count]').innerText()).toBe('已导入 3 道题');
      expect(await page.locator('[data-testid=item-import-invalid]').count()).toBe(0);
      await shot(page, 'done');
      expect(await countSchool()).toBe(before + 3);

      // the link opens the school bank; the items are found by search
      await page.locator('[data-testid=item-import-view]').click();
      await page.waitForURL(/\/items\?owner=school$/);
      await page.goto(`${server.baseUrl}/items?owner=school&q=${encodeURIComponent(MARK)}`);
      await expect.poll(() => page.locator('[data-testid=item-card]').count()).toBe(3);
      const types = await page.locator('[data-testid=item-card] [data-testid=item-type]').allInnerTexts();
      expect(types.sort()).toEqual(['判断题', '单选题', '填空题'].sort());
      await page.locator('[data-testid=item-card] .katex').first().waitFor();
      await shot(page, 'search');
      // 导出 QTI exports the current filters
      const href = (await page.locator('[data-testid=item-export-qti]').getAttribute('href'))!;
      expect(href).toMatch(/^\/api\/items\/export\.qti\.zip\?/);
      const zip = await teacher.get(href);
      expect(zip.status).toBe(200);
      expect(zip.headers.get('x-item-count')).toBe('3');
    } finally {
      await context.close();
    }

    const hits = await teacher.get(`/api/items?q=${encodeURIComponent(MARK)}&owner=school`);
    expect(hits.data.total).toBe(3);
    const fill = (hits.data.items as { body: { type: string; blanks?: { id: string; accepted: string[] }[] }; score: number }[]).find((i) => i.body.type === 'fill_blank')!;
    expect(fill.body.blanks).toEqual([expect.objectContaining({ id: '1', accepted: ['5'] })]);
    expect(fill.score).toBe(2);
  });
});
