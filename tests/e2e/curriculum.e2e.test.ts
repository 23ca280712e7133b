/**
 * Browser tests of the knowledge-graph pages (/curriculum) against the real server (which serves
 * apps/web/dist: run `npm run build` first). Drives the system Chromium through playwright-core.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, openPage, screenshots, signIn } from '../support/browser.js';
import { Client, startServer, type RunningServer } from '../support/server.js';

let server: RunningServer;
let browser: Browser;
let admin: Client;

interface Point {
  code: string;
  name: string;
  grade: number;
  domain: string | null;
  prerequisites: string[];
}

beforeAll(async () => {
  server = await startServer();
  admin = new Client(server.baseUrl);
  await admin.login('sysadmin');
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const newPage = () => openPage(browser, { width: 1440, height: 900 });

const login = (page: Page, username: string, password?: string) => signIn(page, server.baseUrl, username, password);

const shot = screenshots('curriculum-');

const navTexts = async (page: Page) =>
  (await page.locator('[data-testid=nav] .ant-menu-item').allInnerTexts()).map((s) => s.trim());

/** The chart has drawn: a sized canvas with non-blank pixels. */
async function chartDrawn(page: Page) {
  const canvas = page.locator('[data-testid=kp-chart] canvas').first();
  await canvas.waitFor();
  await expect
    .poll(() =>
      canvas.evaluate((c: HTMLCanvasElement) => {
        const ctx = c.getContext('2d');
        if (!ctx || c.width < 300 || c.height < 300) return 0;
        const { data } = ctx.getImageData(0, 0, c.width, c.height);
        let painted = 0;
        for (let i = 3; i < data.length; i += 16) if (data[i]! > 0) painted++;
        return painted;
      }),
    )
    .toBeGreaterThan(1000);
}

async function mathPoints(): Promise<Map<string, Point>> {
  const r = await admin.get('/api/curriculum/subjects/math/graph');
  expect(r.status).toBe(200);
  return new Map((r.data.points as Point[]).map((p) => [p.code, p]));
}

/** An .xlsx in the export layout: header row, then one point per row. */
async function xlsx(rows: (string | number)[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('知识点');
  ws.addRow(['编码', '名称', '说明', '年级', '领域', '先修知识点']);
  for (const r of rows) ws.addRow(r);
  const ds = wb.addWorksheet('领域');
  ds.addRow(['编码', '名称', '英文名称']);
  ds.addRow(['M-NA', '数与代数', 'Number and algebra']);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describe('knowledge graph pages', () => {
  it('lets teacher1 browse the math graph, search 勾股 and open a point with its learning path', async () => {
    const points = await mathPoints();
    const pyth = [...points.values()].find((p) => p.name === '勾股定理');
    expect(pyth).toBeDefined();

    const { context, page } = await newPage();
    try {
      await login(page, 'teacher1');
      expect(await navTexts(page)).toContain('知识图谱');
      await page.locator('[data-testid=nav] .ant-menu-item', { hasText: '知识图谱' }).click();
      await page.waitForURL(/\/curriculum/);
      await expect.poll(() => page.locator('[data-testid=page-title]').innerText()).toBe('知识图谱');
      await expect.poll(() => page.locator('[data-testid=subject-tabs] .ant-tabs-tab').allInnerTexts()).toEqual(
        expect.arrayContaining(['数学', '英语']),
      );
      await page.locator('[data-testid=subject-tabs] .ant-tabs-tab', { hasText: '数学' }).click();
      await page.waitForURL(/subject=math/);
      await chartDrawn(page);
      const box = await page.locator('[data-testid=kp-chart]').boundingBox();
      expect(box!.height).toBeGreaterThanOrEqual(600);
      // teachers read, they do not edit
      expect(await page.locator('[data-testid=draft-editor]').count()).toBe(0);
      expect(await page.locator('[data-testid=version-select]').innerText()).toContain('最新');
      await shot(page, 'teacher-graph');

      // search: the matches are listed (and ringed / focused in the chart)
      await page.getByPlaceholder('按名称或编码搜索知识点').fill('勾股');
      await page.getByPlaceholder('按名称或编码搜索知识点').press('Enter');
      const results = page.locator('[data-testid=kp-search-result]');
      await expect.poll(() => results.allInnerTexts()).toEqual(expect.arrayContaining(['勾股定理']));
      for (const r of await results.allInnerTexts()) expect(r).toContain('勾股');
      await page.waitForTimeout(500); // the focus animation
      await shot(page, 'search');

      // open it: fields, direct prerequisites, dependents and the learning path from the server
      await results.filter({ hasText: /^勾股定理$/ }).click();
      const detail = page.locator('[data-testid=kp-detail-body]');
      await detail.waitFor();
      expect(await page.locator('[data-testid=kp-detail-name]').innerText()).toBe('勾股定理');
      const text = await detail.innerText();
      expect(text).toContain(pyth!.code);
      expect(text).toContain('八年级');
      expect(text).toContain('图形与几何');
      const prereqs = await page.locator('[data-testid=kp-prerequisites] [data-testid=kp-link]').allInnerTexts();
      expect(prereqs.sort()).toEqual(pyth!.prerequisites.map((c) => points.get(c)!.name).sort());
      expect(await page.locator('[data-testid=kp-dependents] [data-testid=kp-link]').allInnerTexts()).toContain('勾股定理的逆定理');

      const api = await admin.get(`/api/curriculum/subjects/math/points/${pyth!.code}/prerequisites`);
      expect(api.status).toBe(200);
      const steps = page.locator('[data-testid=kp-path-step]');
      await expect.poll(() => steps.allInnerTexts()).toEqual((api.data.path as string[]).map((c) => points.get(c)!.name));
      expect(api.data.path.length).toBeGreaterThan(3);
      expect((await steps.allInnerTexts()).at(-1)).toBe('勾股定理');
      await page.waitForTimeout(500);
      await shot(page, 'detail');

      // a prerequisite is clickable and opens that point
      const first = prereqs[0]!;
      await page.locator('[data-testid=kp-prerequisites] [data-testid=kp-link]', { hasText: first }).click();
      await expect.poll(() => page.locator('[data-testid=kp-detail-name]').innerText()).toBe(first);
      await expect.poll(() => page.locator('[data-testid=kp-dependents]').innerText()).toContain('勾股定理');

      // the other subject draws as well
      await page.locator('[data-testid=kp-detail] .ant-drawer-close').click();
      await page.locator('[data-testid=subject-tabs] .ant-tabs-tab', { hasText: '英语' }).click();
      await page.waitForURL(/subject=english/);
      await chartDrawn(page);
      await expect.poll(() => page.locator('[data-testid=page-title]').locator('xpath=..').innerText()).toContain('英语');
      await shot(page, 'english');
    } finally {
      await context.close();
    }
  });

  it('lets researcher1 open a draft, see the rows of a rejected file, import a good one and publish', async () => {
    const points = await mathPoints();
    const { context, page } = await newPage();
    try {
      await login(page, 'researcher1');
      expect(await navTexts(page)).toContain('知识图谱');
      await page.goto(`${server.baseUrl}/curriculum?subject=math`);
      await chartDrawn(page);
      const editor = page.locator('[data-testid=draft-editor]');
      await editor.waitFor();

      await page.locator('[data-testid=draft-open]').click();
      await page.locator('[data-testid=draft-upload]').waitFor();
      await page.waitForURL(/version=draft/);
      expect(await page.locator('[data-testid=version-select]').innerText()).toContain('草稿');

      // rows 2-4 (the header is row 1) require each other in a circle; row 5 is fine
      const cyclic = await xlsx([
        ['T-A', '环甲', '', 7, 'M-NA', 'T-C'],
        ['T-B', '环乙', '', 7, 'M-NA', 'T-A'],
        ['T-C', '环丙', '', 7, 'M-NA', 'T-B'],
        ['T-D', '正常', '', 7, 'M-NA', ''],
      ]);
      await editor.locator('input[type=file]').setInputFiles({
        name: '有环.xlsx',
        mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        buffer: cyclic,
      });
      const table = page.locator('[data-testid=draft-problems-table]');
      await table.waitFor();
      const rows = table.locator('tbody tr.ant-table-row');
      const cells = await Promise.all((await rows.all()).map((r) => r.locator('td').allInnerTexts()));
      expect(cells.length).toBeGreaterThanOrEqual(1);
      for (const c of cells) {
        expect(['2', '3', '4']).toContain(c[0]);
        expect(c[2]).toBe('循环依赖');
        expect(c[3]).toMatch(/T-A|T-B|T-C/);
      }
      expect(cells.map((c) => c[1])).toEqual(expect.arrayContaining([expect.stringMatching(/^T-[ABC]$/)]));
      expect(await page.locator('[data-testid=draft-problems]').innerText()).not.toContain('T-D');
      expect(await page.locator('[data-testid=draft-problems]').innerText()).toContain('草稿未改变');
      await page.evaluate(() => window.scrollTo(0, 0));
      await shot(page, 'import-problems');
      // nothing was written: the draft is still the published graph
      const draft = await admin.get('/api/curriculum/subjects/math/graph?version=draft');
      expect(draft.data.points.length).toBe(points.size);

      // a good file (the exported graph plus one point) replaces the draft, then it is published
      const exported = await admin.get('/api/curriculum/subjects/math/graph/export?format=json');
      expect(exported.status).toBe(200);
      const doc = exported.data instanceof ArrayBuffer ? JSON.parse(Buffer.from(exported.data).toString('utf8')) : exported.data;
      doc.points.push({ code: 'M9-IP-99', name: '勾股定理的综合应用', description: '', grade: 9, domain: 'M-IP', prerequisites: ['M8-GG-11'] });
      await editor.locator('input[type=file]').setInputFiles({
        name: 'math.json',
        mimeType: 'application/json',
        buffer: Buffer.from(JSON.stringify(doc), 'utf8'),
      });
      await expect.poll(() => page.locator('[data-testid=draft-problems]').count()).toBe(0);
      await expect.poll(() => page.locator('[data-testid=page-title]').locator('xpath=..').innerText()).toContain(`${points.size + 1} 个知识点`);

      await page.locator('[data-testid=draft-publish]').click();
      await page.locator('[data-testid=publish-note]').fill('增加综合应用');
      await page.locator('.ant-modal-footer .ant-btn-primary').click();
      await expect.poll(() => page.locator('[data-testid=version-select]').innerText()).toContain('第 2 版（最新）');
      await expect.poll(() => page.locator('[data-testid=draft-open]').count()).toBe(1);
      const subjects = await admin.get('/api/curriculum/subjects');
      const math = (subjects.data as { code: string; publishedVersion: number; hasDraft: boolean }[]).find((s) => s.code === 'math')!;
      expect(math.publishedVersion).toBe(2);
      expect(math.hasDraft).toBe(false);
      await chartDrawn(page);
      await shot(page, 'published');
    } finally {
      await context.close();
    }
  });
});
