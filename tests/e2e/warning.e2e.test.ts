/**
 * 预警与考勤 in Chromium (serves apps/web/dist: run `npm run build` first): three recorded absences
 * raise an alert; the head teacher finds it in the list, opens the evidence, verifies it, and
 * marks a class's attendance with one radio per student.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium, openPage, screenshots, signIn } from '../support/browser.js';
import { Client, startServer, type RunningServer } from '../support/server.js';

let server: RunningServer;
let browser: Browser;
const shot = screenshots('warning-');
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
let student: { id: string; name: string; studentNo: string };

beforeAll(async () => {
  server = await startServer();
  browser = await launchChromium();
  const teacher = new Client(server.baseUrl);
  await teacher.login('teacher1');
  const classId = ((await teacher.get('/api/classes')).data as { id: string; name: string }[]).find((c) => c.name === '七年级(1)班')!.id;
  student = (await teacher.get(`/api/classes/${classId}/students`)).data[1];
  for (const d of [-6, -5, -4]) {
    const r = await teacher.post('/api/warning/attendance', { classId, date: day(d), records: [{ studentId: student.id, status: 'absent', reason: d === -4 ? '未请假' : undefined }] });
    if (r.status !== 200) throw new Error(JSON.stringify(r.data));
  }
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('warning page', () => {
  it('the head teacher verifies an alert from its evidence and takes attendance', async () => {
    const { context, page } = await openPage(browser);
    await signIn(page, server.baseUrl, 'head_teacher1');
    await page.getByRole('menuitem', { name: '预警与考勤' }).click();
    await page.waitForURL('**/warning');
    const row = page.locator(`[data-testid=alert-row-${student.studentNo}-attendance]`);
    await expect(row.textContent()).resolves.toContain('连续缺勤 3 天');
    await shot(page, 'list');
    await row.click();
    const evidence = page.locator('[data-testid=alert-evidence] .ant-list-item');
    await evidence.first().waitFor();
    expect(await evidence.count()).toBe(3);
    await expect(evidence.nth(2).textContent()).resolves.toContain('未请假');
    await page.locator('[data-testid=alert-note]').fill('已联系家长，学生生病在家');
    await page.locator('[data-testid=alert-verify]').click();
    await page.locator('[data-testid=alert-follow-up]').waitFor();
    await expect(page.locator('[data-testid=alert-detail]').textContent()).resolves.toContain('已联系家长，学生生病在家');
    await shot(page, 'detail');
    await page.locator('.ant-drawer-close').click();
    await page.locator('.ant-drawer-mask').waitFor({ state: 'hidden' });

    await page.getByRole('tab', { name: '考勤' }).click();
    await page.locator('[data-testid=attendance-class]').waitFor();
    const radios = page.locator(`[data-testid=attendance-${student.studentNo}] .ant-radio-button-wrapper`);
    await radios.first().waitFor();
    await radios.nth(0).click();
    await page.locator('[data-testid=attendance-save]').click();
    await page.getByText('已保存 1 条考勤').waitFor();
    await shot(page, 'attendance');
    await context.close();
  });
});
