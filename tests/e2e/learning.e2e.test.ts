/**
 * The learner model end to end in Chromium against the real server (which serves apps/web/dist:
 * run `npm run build` first): a student answers a practice question of the companion's plan and
 * sees the plan and their mastery change; a teacher sees that evidence in the class heatmap,
 * generates tiered practice, adjusts it and assigns it — each student gets exactly one tier.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, openPage, screenshots, signIn } from '../support/browser.js';
import { Client, startServer, type RunningServer } from '../support/server.js';

let server: RunningServer;
let browser: Browser;
let teacher: Client;
let classId = '';
let classSize = 0;
/** The knowledge point student1 practised (the first step of their plan). */
let practisedCode = '';

const fullShot = screenshots('learning-');
/** Full-page screenshots from the top (scrolled, the sticky header would be drawn mid-page). */
const shot = async (page: Page, name: string) => {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForTimeout(200);
  await fullShot(page, name);
};
const login = (page: Page, username: string) => signIn(page, server.baseUrl, username);
const TITLE = '分层练习 · 方程与不等式';
/** Points of the demo graph whose demo items span difficulties 1–4, so every tier gets questions. */
const EXTRA_KPS = ['M7-NA-11', 'M7-NA-19'];

beforeAll(async () => {
  server = await startServer();
  browser = await launchChromium();
  teacher = new Client(server.baseUrl);
  await teacher.login('teacher1');
  const classes = (await teacher.get('/api/classes')).data as { id: string; name: string; gradeName: string }[];
  const c = classes.find((x) => `${x.gradeName}${x.name}`.includes('七年级(1)班') || x.name === '七年级(1)班');
  expect(c, JSON.stringify(classes)).toBeDefined();
  classId = c!.id;
  classSize = ((await teacher.get(`/api/classes/${classId}/students`)).data as unknown[]).length;
  expect(classSize).toBeGreaterThan(3);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** Answers a question correctly through the UI, knowing the answer from the full item (teacher's view). */
async function answerCorrectly(page: Page, card: ReturnType<Page['locator']>, itemId: string) {
  const item = (await teacher.get(`/api/items/${itemId}`)).data as { body: Record<string, any> };
  const b = item.body;
  const q = `q-p-${itemId.slice(0, 8)}`;
  switch (b.type) {
    case 'single_choice':
      await card.locator(`[data-testid=${q}-option-${b.answer}]`).click();
      break;
    case 'multiple_choice':
      for (const k of b.answer as string[]) await card.locator(`[data-testid=${q}-option-${k}]`).click();
      break;
    case 'true_false':
      await card.locator(`[data-testid=${q}-tf]`).getByText(b.answer ? '正确' : '错误').click();
      break;
    case 'fill_blank':
      for (const blank of b.blanks as { id: string; accepted: string[] }[]) await card.locator(`[data-testid=${q}-blank-${blank.id}]`).fill(blank.accepted[0]!);
      break;
    case 'math':
      await card.locator(`input[data-testid=${q}-math]`).fill(b.answer as string);
      break;
    default:
      throw new Error(`practice item of type ${b.type} is not expected in the companion`);
  }
}

describe('the learning companion and tiered practice', () => {
  it('student1 answers the first practice question of the plan and sees the plan and mastery change', async () => {
    const { context, page } = await openPage(browser);
    try {
      await login(page, 'student1');
      await page.locator('[data-testid=nav] .ant-menu-item', { hasText: '学伴' }).click();
      await page.waitForURL(/\/companion/);
      const steps = page.locator('[data-testid=plan-step][data-gone=false]');
      await steps.first().waitFor();
      const first = steps.first();
      practisedCode = (await first.getAttribute('data-code'))!;
      expect(practisedCode).toMatch(/^M\d/);
      expect(await first.getAttribute('data-observations')).toBe('0');
      const pBefore = Number(await first.getAttribute('data-pknow'));
      // a point never practised: "not started", with the reason in words
      expect(await first.locator('[data-testid=step-mastery]').getAttribute('data-state')).toBe('not_enough_evidence');
      expect(await first.locator('[data-testid=step-reason]').innerText()).toContain('「');
      expect(await first.locator('[data-testid=step-evidence]').innerText()).toBe('还没有练过');
      const planBefore = await page.locator('[data-testid=plan]').getAttribute('data-steps');
      const learningBefore = Number(await page.locator('[data-testid=summary-learning]').getAttribute('data-value'));
      const notStartedBefore = Number(await page.locator('[data-testid=summary-not-started]').getAttribute('data-value'));
      expect(notStartedBefore).toBeGreaterThan(0);
      expect(await page.locator('[data-testid=history-empty]').count()).toBe(1);
      await page.locator('[data-testid=learning-path] [data-testid=path-step]').first().waitFor();
      await shot(page, 'companion-plan');

      const card = first.locator('[data-testid=practice-item]').first();
      const itemId = (await card.getAttribute('data-item-id'))!;
      await answerCorrectly(page, card, itemId);
      await card.locator('[data-testid=practice-submit]').click();

      // The answer is marked at once: verdict, correct answer, and the mastery moving up.
      const result = page.locator(`[data-testid=practice-item][data-item-id="${itemId}"] [data-testid=practice-result]`);
      await result.waitFor();
      expect(await result.getAttribute('data-correct')).toBe('true');
      expect(await result.locator('[data-testid=practice-verdict]').innerText()).toContain('回答正确');
      expect(await result.locator('[data-testid=practice-correct-answer]').innerText()).not.toBe('');
      const change = result.locator(`[data-testid=mastery-change-row][data-code="${practisedCode}"]`);
      const before = Number(await change.getAttribute('data-before'));
      const after = Number(await change.getAttribute('data-after'));
      expect(after).toBeGreaterThan(before);
      expect(before).toBeCloseTo(pBefore, 2);

      // The plan is fetched again and visibly moves on: the point now has evidence and a new reason.
      const step = page.locator(`[data-testid=plan-step][data-code="${practisedCode}"][data-gone=false]`);
      await expect.poll(() => step.getAttribute('data-observations')).toBe('1');
      expect(Number(await step.getAttribute('data-pknow'))).toBeCloseTo(after, 2);
      expect(await step.locator('[data-testid=step-evidence]').innerText()).toBe('已练 1 题，答对 1 题');
      expect(await step.locator('[data-testid=step-reason]').innerText()).toContain('正确率 100%');
      expect(await step.locator('[data-testid=pknow]').innerText()).toBe(`掌握度 ${Math.round(after * 100)}%`);
      // the answered question stays on screen with its feedback, and the next one is offered
      expect(await step.locator('[data-testid=practice-item][data-answered=true]').count()).toBe(1);
      await expect.poll(async () => Number(await page.locator('[data-testid=summary-learning]').getAttribute('data-value'))).toBe(learningBefore + 1);
      expect(Number(await page.locator('[data-testid=summary-not-started]').getAttribute('data-value'))).toBe(notStartedBefore - 1);
      const planAfter = await page.locator('[data-testid=plan]').getAttribute('data-steps');
      const itemsAfter = await step.locator('[data-testid=practice-item][data-answered=false]').evaluateAll((els) => els.map((e) => e.getAttribute('data-item-id')));
      expect(itemsAfter).not.toContain(itemId);
      // progress over time now has a point
      await page.locator('[data-testid=history-chart]').waitFor();
      expect(Number(await page.locator('[data-testid=history-chart]').getAttribute('data-points'))).toBeGreaterThanOrEqual(1);
      // the API agrees
      const mastery = await page.evaluate(async () => (await fetch('/api/learning/mastery?subject=math')).json());
      const m = mastery.find((x: { code: string }) => x.code === practisedCode);
      expect(m.observations).toBe(1);
      expect(m.correct).toBe(1);
      console.log(`plan before: ${planBefore}; after: ${planAfter}`);
      await shot(page, 'companion-after-practice');

      // A learning path to a goal further on: the practised point is on it, in colour.
      await page.locator('[data-testid=path-goal]').click();
      await page.keyboard.type('M7-NA-19');
      await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: '一元一次不等式组' }).first().click();
      await page.waitForURL(/goal=M7-NA-19/);
      const pathSteps = page.locator('[data-testid=path-steps] [data-testid=path-step]');
      await expect.poll(() => pathSteps.last().getAttribute('data-code')).toBe('M7-NA-19');
      const codes = await pathSteps.evaluateAll((els) => els.map((e) => e.getAttribute('data-code')));
      expect(codes.length).toBeGreaterThan(3);
      const progress = page.locator('[data-testid=path-progress]');
      expect(await progress.innerText()).toMatch(new RegExp(`^\\d+ / ${codes.length} 已掌握$`));
      await page.locator('[data-testid=path-chart] canvas').first().waitFor();
      await shot(page, 'companion-path');

      // English
      await page.locator('[data-testid=lang-switch]').getByText('English').click();
      await expect.poll(() => step.locator('[data-testid=step-evidence]').innerText()).toBe('1 answered, 1 right');
      expect(await step.locator('[data-testid=step-reason]').innerText()).toContain('100% correct');
      expect(await page.locator('[data-testid=path-progress]').innerText()).toMatch(/^\d+ \/ \d+ mastered$/);
      await shot(page, 'companion-en');
      await page.locator('[data-testid=lang-switch]').getByText('中文').click();
    } finally {
      await context.close();
    }
  });

  it("teacher1 sees student1's evidence in the class heatmap, generates tiered practice and assigns it", async () => {
    expect(practisedCode).not.toBe('');
    const { context, page } = await openPage(browser, { width: 1440, height: 900 });
    try {
      await login(page, 'teacher1');
      await page.locator('[data-testid=nav] .ant-menu-item', { hasText: '学情' }).click();
      await page.waitForURL(/\/mastery/);
      await page.locator('[data-testid=mastery-class]').click();
      await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: '七年级(1)班' }).first().click();
      await expect.poll(() => page.locator('[data-testid=mastery-class]').innerText()).toContain('七年级(1)班');
      await expect.poll(() => page.locator('[data-testid=mastery-subject]').innerText()).toContain('数学');

      const heatmap = page.locator('[data-testid=mastery-heatmap]');
      await heatmap.waitFor();
      expect(Number(await heatmap.getAttribute('data-students'))).toBe(classSize);
      expect(Number(await heatmap.getAttribute('data-evidence'))).toBeGreaterThanOrEqual(1);
      const api = (await teacher.get(`/api/learning/classes/${classId}/mastery?subject=math`)).data;
      const s1 = api.students.find((s: { mastery: Record<string, number | null> }) => s.mastery[practisedCode] !== null && s.mastery[practisedCode] !== undefined);
      expect(s1, JSON.stringify(api.students)).toBeDefined();
      expect(api.weakest).toContain(practisedCode);
      // the weakest point is preselected for tiered practice
      const weak = page.locator(`[data-testid=weak-point][data-code="${practisedCode}"]`);
      expect(await weak.locator('input[type=checkbox]').isChecked()).toBe(true);
      await shot(page, 'mastery-heatmap');

      // every point of the grade, grey where nobody has answered yet
      await page.locator('[data-testid=mastery-show-all]').click();
      await expect.poll(async () => Number(await heatmap.getAttribute('data-points'))).toBeGreaterThan(10);
      await shot(page, 'mastery-heatmap-all');
      await page.locator('[data-testid=mastery-show-all]').click();

      await page.locator('[data-testid=go-tiers]').click();
      await page.waitForURL(/\/mastery\/tiers\?/);
      const kps = page.locator('[data-testid=tier-kps]');
      await expect.poll(() => kps.innerText()).toContain(practisedCode);
      for (const code of EXTRA_KPS) {
        await kps.click();
        await page.keyboard.type(code);
        await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: code }).first().click();
      }
      await page.keyboard.press('Escape');
      for (const code of EXTRA_KPS) expect(await kps.innerText()).toContain(code);
      expect(await page.locator('[data-testid=tier-count] .ant-segmented-item-selected').innerText()).toBe('3');
      await page.locator('[data-testid=tier-preview]').click();

      const tiers = page.locator('[data-testid=tier]');
      await expect.poll(() => tiers.count()).toBe(3);
      const placedIds = async () => page.locator('[data-testid=tier-student]').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')));
      let ids = await placedIds();
      expect(ids.length).toBe(classSize);
      expect(new Set(ids).size).toBe(classSize);
      const sizes = await tiers.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-students'))));
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(classSize);
      const coverage = page.locator('[data-testid=tier-coverage]');
      expect(await coverage.getAttribute('data-unique')).toBe(String(classSize));
      expect(await coverage.getAttribute('data-total')).toBe(String(classSize));
      for (let i = 0; i < 3; i++) expect(Number(await tiers.nth(i).getAttribute('data-items'))).toBeGreaterThan(0);
      await shot(page, 'tiers-preview');

      // The teacher adjusts: one question out of the first tier, one student from the first tier to the second.
      const firstTier = tiers.nth(0);
      const itemsBefore = Number(await firstTier.getAttribute('data-items'));
      if (itemsBefore > 1) {
        await firstTier.locator('[data-testid=tier-item-remove]').first().click();
        await expect.poll(() => firstTier.getAttribute('data-items')).toBe(String(itemsBefore - 1));
      }
      const moved = firstTier.locator('[data-testid=tier-student]').first();
      const movedId = (await moved.getAttribute('data-id'))!;
      await moved.locator('[data-testid=tier-student-move]').click();
      await page.locator('.ant-dropdown:visible .ant-dropdown-menu-item', { hasText: (await tiers.nth(1).locator('[data-testid=tier-label]').innerText()).trim() }).click();
      await expect.poll(() => tiers.nth(1).locator(`[data-testid=tier-student][data-id="${movedId}"]`).count()).toBe(1);
      ids = await placedIds();
      expect(ids.length).toBe(classSize);
      expect(new Set(ids).size).toBe(classSize);

      const tierOf = async (id: string) => {
        for (let i = 0; i < 3; i++) if ((await tiers.nth(i).locator(`[data-testid=tier-student][data-id="${id}"]`).count()) === 1) return i;
        return -1;
      };
      const members = (await teacher.get(`/api/classes/${classId}/students`)).data as { id: string; name: string }[];
      const student1 = members.find((m) => m.id === s1.id)!;
      const s1Tier = await tierOf(student1.id);
      expect(s1Tier).toBeGreaterThanOrEqual(0);
      // a classmate in another tier
      let otherId = '';
      for (const m of members) {
        if (m.id === student1.id) continue;
        if ((await tierOf(m.id)) !== s1Tier) {
          otherId = m.id;
          break;
        }
      }
      expect(otherId).not.toBe('');

      await page.locator('[data-testid=tier-title]').fill(TITLE);
      await shot(page, 'tiers-adjusted');
      await page.locator('[data-testid=tier-assign]').click();
      const done = page.locator('[data-testid=tier-assigned]');
      await done.waitFor();
      expect(await page.locator('[data-testid=tier-assignment]').count()).toBe(3);
      expect(await page.locator('[data-testid=tier-assigned-title]').innerText()).toBe('已布置 3 份分层作业');
      await shot(page, 'tiers-assigned');

      // Each student sees exactly one of the new assignments: their own tier's.
      const usernameOf = async (id: string) => ((await teacher.get(`/api/students/${id}`)).data as { username: string }).username;
      const seen: string[] = [];
      for (const id of [student1.id, otherId]) {
        const c = new Client(server.baseUrl);
        await c.login(await usernameOf(id));
        const list = (await c.get('/api/assignments')).data as { id: string; title: string }[];
        const mine = list.filter((a) => a.title.startsWith(TITLE));
        expect(mine, JSON.stringify(list.map((a) => a.title))).toHaveLength(1);
        seen.push(mine[0]!.id);
      }
      expect(new Set(seen).size).toBe(2);

      // the link leads to the assignment
      await page.locator('[data-testid=tier-assignment-link]').first().click();
      await page.waitForURL(/\/assignments\/[0-9a-f-]{36}$/);
      await expect.poll(() => page.locator('[data-testid=page-title]').innerText()).toContain(TITLE);
    } finally {
      await context.close();
    }
  });
});
