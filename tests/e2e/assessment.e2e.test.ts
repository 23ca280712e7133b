/**
 * Homework end to end in Chromium against the real server (which serves apps/web/dist: run
 * `npm run build` first): a teacher assembles homework from a blueprint and assigns it; a student
 * answers a math, a short-answer and an essay question and submits twice (one submission results);
 * the teacher reviews the low-confidence essay and adjusts a point; the student sees the feedback
 * and the error notebook.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, openPage, screenshots, signIn, pickOption } from '../support/browser.js';
import { Client, startServer, type RunningServer } from '../support/server.js';

let server: RunningServer;
let browser: Browser;
let teacher: Client;

const shot = screenshots('assessment-');
const login = (page: Page, username: string) => signIn(page, server.baseUrl, username);

/** A knowledge point of the demo graph; our items are the only difficulty-1 items of these types on it. */
const KP = 'M7-NA-11';
const TITLE = '一元一次方程 · 单元作业';
const COMMENT = '例子贴切，条理清楚；再多写一点自己的体会会更好。';

let assignmentId = '';
let submissionId = '';

beforeAll(async () => {
  server = await startServer();
  browser = await launchChromium();
  teacher = new Client(server.baseUrl);
  await teacher.login('teacher1');
  // The demo bank has no essays in maths: the teacher writes the three items the blueprint will pick.
  const create = async (body: unknown) => {
    const r = await teacher.post('/api/items', { subject: 'math', grade: 7, knowledgePoints: [KP], difficulty: 1, explanation: '移项要变号；检验时把解代入原方程。', score: 5, body });
    expect(r.status, JSON.stringify(r.data)).toBe(201);
  };
  await create({ type: 'math', stem: '化简：$\\frac{1}{2}(x+6)$', answer: '\\frac{1}{2}x+3', tolerance: 0, unit: null });
  await create({
    type: 'short_answer',
    stem: '解方程 $3x-5=2x+1$，写出主要步骤并说明依据。',
    referenceAnswer: '移项得 $3x-2x=1+5$（移项要变号），合并同类项得 $x=6$，最后把 $x=6$ 代入原方程检验。',
    keyPoints: [
      { id: 'k1', meaning: '移项要变号', variants: ['移项', '移项变号'], score: 2 },
      { id: 'k2', meaning: '合并同类项得 x=6', variants: ['x=6', '合并同类项'], score: 2 },
      { id: 'k3', meaning: '把 x=6 代入原方程检验', variants: ['检验', '代入原方程'], score: 1 },
    ],
  });
  await create({
    type: 'essay',
    stem: '数学小论文：结合生活中的例子，谈谈你对“方程”的认识。',
    minWords: 80,
    dimensions: [
      { id: 'd1', name: '内容', min: 0, max: 6, levels: [{ score: 6, descriptor: '例子恰当，认识深刻' }, { score: 3, descriptor: '有例子，认识一般' }] },
      { id: 'd2', name: '表达', min: 0, max: 4, levels: [{ score: 4, descriptor: '条理清楚，语言通顺' }, { score: 2, descriptor: '基本通顺' }] },
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});


/** antd puts data-testid on the <input> of some controls and on a wrapper of others. */
const field = (page: Page, testId: string) => page.locator(`input[data-testid=${testId}], textarea[data-testid=${testId}], [data-testid=${testId}] input`).first();

async function fillRow(page: Page, n: number, type: string, score: number) {
  await pickOption(page, `bp-row-${n}-kps`, KP, KP);
  await pickOption(page, `bp-row-${n}-type`, type);
  await pickOption(page, `bp-row-${n}-dmax`, '1');
  await field(page, `bp-row-${n}-score`).fill(String(score));
}

describe('homework from a blueprint, answered, reviewed and fed back', () => {
  it('teacher1 assembles homework from a blueprint, previews it and assigns it to 七年级(1)班', async () => {
    const { context, page } = await openPage(browser);
    try {
      await login(page, 'teacher1');
      await page.locator('[data-testid=nav] .ant-menu-item', { hasText: '作业与考试' }).click();
      await page.waitForURL(/\/assignments$/);
      await page.locator('[data-testid=assignment-new]').click();
      await page.waitForURL(/\/assignments\/new$/);

      await field(page, 'assign-title').fill(TITLE);
      await page.locator('[data-testid=assign-classes] label', { hasText: '七年级(1)班' }).click();
      // the teacher's subject and grade are preselected
      await expect.poll(() => page.locator('[data-testid=bp-subject]').innerText()).toContain('数学');
      expect(await page.locator('[data-testid=bp-grade]').innerText()).toContain('七年级');

      // Picking by hand: search the bank, add an item with its points and the review switch.
      await page.locator('[data-testid=assign-mode]').getByText('从题库挑选').click();
      await field(page, 'picker-search').fill('方程');
      await field(page, 'picker-search').press('Enter');
      await page.locator('[data-testid=picker-hit]').first().waitFor();
      await page.locator('[data-testid=picker-add]').first().click();
      await expect.poll(() => page.locator('[data-testid=picked-table] tbody tr.ant-table-row').count()).toBe(1);
      await shot(page, 'pick');
      await page.locator('[data-testid=assign-mode]').getByText('按蓝图组卷').click();

      await fillRow(page, 1, '计算题', 4);
      await page.locator('[data-testid=bp-add-row]').click();
      await fillRow(page, 2, '简答题', 6);
      await page.locator('[data-testid=bp-add-row]').click();
      await fillRow(page, 3, '作文', 10);

      // Asking for more than the bank has: the 422 names the row.
      await field(page, 'bp-row-2-count').fill('4');
      await page.locator('[data-testid=bp-preview]').click();
      const problem = page.locator('[data-testid=assign-error]');
      await problem.waitFor();
      expect(await problem.getAttribute('data-code')).toBe('assessment.blueprint_short');
      expect(await problem.innerText()).toContain('第 2 行：需要 4 道，只找到 1 道');
      await shot(page, 'blueprint-short');
      await field(page, 'bp-row-2-count').fill('1');

      await page.locator('[data-testid=bp-preview]').click();
      const preview = page.locator('[data-testid=bp-preview-result]');
      await preview.waitFor();
      expect(await problem.count()).toBe(0);
      expect(await preview.innerText()).toContain('共 3 题，总分 20 分');
      expect(await preview.locator('tbody tr').count()).toBe(3);
      await preview.locator('.katex').first().waitFor();
      expect(await page.locator('[data-testid=assign-total]').innerText()).toContain('20');
      await shot(page, 'blueprint-preview');

      await page.locator('[data-testid=assign-submit]').click();
      await page.waitForURL(/\/assignments\/[0-9a-f-]{36}$/);
      assignmentId = page.url().split('/').pop()!;
      await expect.poll(() => page.locator('[data-testid=page-title]').innerText()).toBe(TITLE);
      await page.locator('[data-testid=missing]').waitFor();
      expect(await page.locator('[data-testid=missing]').innerText()).toContain('未提交（');
      await shot(page, 'assignment-detail');

      const a = await teacher.get(`/api/assignments/${assignmentId}`);
      expect(a.data.items.map((i: { type: string }) => i.type)).toEqual(['math', 'short_answer', 'essay']);
      expect(a.data.classes.map((c: { name: string }) => c.name)).toEqual(['七年级(1)班']);
    } finally {
      await context.close();
    }
  });

  it('student1 answers, loses the network on submit, retries twice quickly: one submission', async () => {
    expect(assignmentId).not.toBe('');
    const { context, page } = await openPage(browser);
    try {
      await login(page, 'student1');
      await page.locator('[data-testid=nav] .ant-menu-item', { hasText: '我的作业' }).click();
      await page.waitForURL(/\/homework$/);
      const card = page.locator('[data-testid=homework-card]', { hasText: TITLE });
      expect(await card.locator('[data-testid=homework-status]').innerText()).toBe('未提交');
      await card.click();
      await page.waitForURL(new RegExp(`/homework/${assignmentId}$`));

      // math: an equivalent form of ½x+3, previewed with KaTeX as it is typed
      const math = page.locator('[data-testid=question][data-type=math]');
      await math.locator('input').fill('3+\\frac{x}{2}');
      await math.locator('[data-testid$=-math-preview] .katex').waitFor();
      // short answer: two of the three key points (no check) — it will land in the notebook
      await page.locator('[data-testid=question][data-type=short_answer] textarea').fill('先移项，移项要变号，得 3x-2x=1+5，再合并同类项得 x=6。');
      const essay = page.locator('[data-testid=question][data-type=essay]');
      await essay.locator('textarea').fill(
        '方程是描述等量关系的工具。比如买文具时，一支笔 x 元，买三支笔和一块 5 元的橡皮一共花了 20 元，就可以列出方程 3x+5=20。通过解方程，我们能从已知求出未知。我认为方程让复杂的问题变得清楚，是数学中非常重要的思想。',
      );
      expect(await essay.locator('[data-testid$=-count]').innerText()).toMatch(/字数 \d+/);
      expect(await page.locator('[data-testid=answered-count]').innerText()).toBe('已答 3 / 3 题');
      await expect.poll(() => page.locator('[data-testid=autosave]').innerText(), { timeout: 10_000 }).toMatch(/已自动保存 \d{2}:\d{2}:\d{2}/);
      const draft = await page.evaluate(async (id) => (await fetch(`/api/assignments/${id}/draft`)).json(), assignmentId);
      expect(Object.keys(draft.answers).sort()).toEqual(['1', '2', '3']);
      await shot(page, 'answer');
      // the draft comes back after a reload
      await page.reload();
      await expect.poll(() => page.locator('[data-testid=question][data-type=math] input').inputValue()).toBe('3+\\frac{x}{2}');
      expect(await page.locator('[data-testid=answered-count]').innerText()).toBe('已答 3 / 3 题');

      // The first POST reaches the server, but its response is lost on the way back.
      const posted: string[] = [];
      page.on('request', (r) => {
        if (r.method() === 'POST' && r.url().endsWith(`/api/assignments/${assignmentId}/submissions`)) posted.push(JSON.parse(r.postData() ?? '{}').clientId);
      });
      let dropped = 0;
      await page.route(`**/api/assignments/${assignmentId}/submissions`, async (route) => {
        if (route.request().method() !== 'POST' || dropped > 0) return route.continue();
        dropped++;
        await route.fetch();
        await route.abort('failed');
      });
      await page.locator('[data-testid=submit]').click();
      await page.locator('[data-testid=submit-error]').waitFor();
      expect(await page.locator('[data-testid=submit-error]').innerText()).toContain('不会重复提交');
      expect(await page.locator('[data-testid=submit]').innerText()).toMatch(/重新提交/);
      await shot(page, 'submit-network-error');

      // Twice, quickly.
      await page.locator('[data-testid=submit]').dblclick();
      await page.waitForURL(/\/result\/[0-9a-f-]{36}$/);
      submissionId = page.url().split('/').pop()!;
      expect(posted.length).toBeGreaterThanOrEqual(2);
      expect(new Set(posted).size).toBe(1);

      const list = await teacher.get(`/api/assignments/${assignmentId}/submissions`);
      expect(list.status).toBe(200);
      expect(list.data.submissions).toHaveLength(1);
      expect(list.data.submissions[0].id).toBe(submissionId);

      // The essay has no trained model yet: it waits for the teacher.
      await expect.poll(() => page.locator('[data-testid=result-status]').innerText(), { timeout: 20_000 }).toBe('待复核');
      const essayFeedback = page.locator('[data-testid=feedback-item][data-position="3"]');
      expect(await essayFeedback.locator('[data-testid=item-score]').innerText()).toContain('待老师复核');
      expect(await page.locator('[data-testid=feedback-item][data-position="1"] [data-testid=item-score]').innerText()).toBe('4 / 4');
      await shot(page, 'result-pending');
    } finally {
      await context.close();
    }
  });

  it('teacher1 reviews the essay that the engine could not mark and adjusts a point', async () => {
    expect(submissionId).not.toBe('');
    const { context, page } = await openPage(browser);
    try {
      await login(page, 'teacher1');
      await page.locator('[data-testid=nav] .ant-menu-item', { hasText: '作业与考试' }).click();
      const row = page.locator('[data-testid=assignments-table] tr', { hasText: TITLE });
      await expect.poll(() => row.locator('[data-testid=assignment-submitted]').innerText()).toBe('1 / 10');
      expect(await row.locator('[data-testid=assignment-pending]').innerText()).toBe('1');
      await page.waitForTimeout(400); // antd fades the table in
      await shot(page, 'assignments');
      await row.locator('[data-testid=assignment-title]').click();
      await page.waitForURL(new RegExp(`/assignments/${assignmentId}$`));
      await expect.poll(() => page.locator('[data-testid=submission-status]').first().innerText()).toBe('待复核');
      await page.locator('[data-testid=go-review]').click();
      await page.waitForURL(/\/review\?assignmentId=/);

      const task = page.locator('[data-testid=review-task][data-type=essay]');
      await task.waitFor();
      // the reason in human words, in both languages
      await page.locator('[data-testid=lang-switch]').getByText('English').click();
      await expect.poll(() => task.locator('[data-testid=review-reason]').innerText()).toContain('Too few teacher-marked essays');
      await shot(page, 'review-en');
      await page.locator('[data-testid=lang-switch]').getByText('中文').click();
      expect(await task.locator('[data-testid=review-reason]').innerText()).toContain('评分模型尚未训练');
      expect(await task.locator('[data-testid=review-confidence]').innerText()).toBe('0%');
      expect(await task.locator('[data-testid=review-answer]').innerText()).toContain('3x+5=20');
      await field(page, 'review-point-d1').fill('5');
      await field(page, 'review-point-d2').fill('3');
      await task.locator('[data-testid=review-comment]').fill(COMMENT);
      await expect.poll(() => task.locator('[data-testid=review-item-score]').innerText()).toBe('本题得分 8 / 10');
      // "accept" means the engine's points: it is off once the teacher changed them
      expect(await task.locator('[data-testid=review-accept]').isDisabled()).toBe(true);
      await shot(page, 'review');
      await task.locator('[data-testid=review-save]').click();
      await task.waitFor({ state: 'detached' });

      // Whatever else the engine was unsure about (e.g. a short answer on the threshold): accept it.
      for (let i = 0; i < 5 && (await page.locator('[data-testid=review-task]').count()) > 0; i++) {
        const next = page.locator('[data-testid=review-task]').first();
        await next.locator('[data-testid=review-accept]').click();
        await next.waitFor({ state: 'detached' });
      }
      await page.locator('[data-testid=review-empty]').waitFor();

      await expect
        .poll(async () => (await teacher.get(`/api/submissions/${submissionId}`)).data.status, { timeout: 10_000 })
        .toBe('marked');
      const s = (await teacher.get(`/api/submissions/${submissionId}`)).data;
      const essay = s.items.find((i: { type: string }) => i.type === 'essay');
      expect(essay.score).toBe(8);
      expect(essay.status).toBe('reviewed');
      expect(essay.comment).toBe(COMMENT);

      const agreement = await teacher.get(`/api/assignments/${assignmentId}/agreement`);
      expect(agreement.data.items.find((i: { type: string }) => i.type === 'essay').reviewed).toBe(1);
      await page.goto(`${server.baseUrl}/assignments/${assignmentId}/submissions/${submissionId}`);
      await page.locator('[data-testid=submission-view]').waitFor();
      await shot(page, 'teacher-submission');
    } finally {
      await context.close();
    }
  });

  it('student1 sees scores, hit and missed key points, the comment and answers; then the error notebook', async () => {
    const { context, page } = await openPage(browser);
    try {
      await login(page, 'student1');
      await page.goto(`${server.baseUrl}/homework`);
      const card = page.locator('[data-testid=homework-card]', { hasText: TITLE });
      await expect.poll(() => card.locator('[data-testid=homework-status]').innerText()).toBe('已批改');
      await expect.poll(() => card.locator('[data-testid=homework-score]').innerText()).toBe('16.8 / 20 分');
      await shot(page, 'homework');
      await card.click();
      await page.waitForURL(new RegExp(`/homework/${assignmentId}/result/${submissionId}$`));
      await expect.poll(() => page.locator('[data-testid=result-status]').innerText()).toBe('已批改');

      const essay = page.locator('[data-testid=feedback-item][data-position="3"]');
      expect(await essay.locator('[data-testid=item-score]').innerText()).toBe('8 / 10');
      expect(await essay.locator('[data-testid=teacher-comment]').innerText()).toContain(COMMENT);
      const short = page.locator('[data-testid=feedback-item][data-position="2"]');
      expect(await short.locator('[data-testid=point][data-state=hit]').count()).toBe(2);
      expect(await short.locator('[data-testid=point][data-state=missed]').innerText()).toContain('检验');
      expect(await short.locator('[data-testid=evidence]').count()).toBe(2);
      expect(await short.locator('[data-testid=correct-answer]').innerText()).toContain('代入原方程检验');
      const math = page.locator('[data-testid=feedback-item][data-position="1"]');
      await math.locator('[data-testid=correct-answer] .katex').waitFor();
      expect(await math.locator('[data-testid=explanation]').innerText()).toContain('移项要变号');
      await shot(page, 'result');

      await page.locator('[data-testid=nav] .ant-menu-item', { hasText: '错题本' }).click();
      await page.waitForURL(/\/notebook$/);
      const entries = page.locator('[data-testid=notebook-entry]');
      await expect.poll(() => entries.count()).toBe(2); // the short answer (4.8/6) and the essay (8/10)
      const wrong = page.locator('[data-testid=notebook-entry][data-type=short_answer]');
      expect(await wrong.innerText()).toContain(TITLE);
      expect(await wrong.innerText()).toContain('合并同类项');
      await shot(page, 'notebook');

      // Redo it with every key point: marked at once, with the reference answer.
      await wrong.locator('[data-testid=retry-open]').click();
      await wrong.locator('textarea').fill('移项，移项要变号，得 3x-2x=1+5；合并同类项得 x=6；把 x=6 代入原方程检验，左右两边相等。');
      await wrong.locator('[data-testid=retry-check]').click();
      const verdict = wrong.locator('[data-testid=retry-verdict]');
      await verdict.waitFor();
      expect(await verdict.getAttribute('data-correct')).toBe('true');
      expect(await wrong.innerText()).toContain('已重做 1 次');
      await shot(page, 'notebook-retry');

      await wrong.locator('[data-testid=mark-mastered]').click();
      await expect.poll(() => entries.count()).toBe(1);
      const mastered = await page.evaluate(async () => (await fetch('/api/notebook?status=mastered')).json());
      expect(mastered.map((e: { type: string }) => e.type)).toEqual(['short_answer']);

      await page.goto(`${server.baseUrl}/homework/${assignmentId}/result`);
      await page.waitForURL(new RegExp(`/result/${submissionId}$`));
      await page.locator('[data-testid=lang-switch]').getByText('English').click();
      await expect.poll(() => page.locator('[data-testid=result-status]').innerText()).toBe('Marked');
      expect(await page.locator('[data-testid=feedback-item][data-position="3"]').innerText()).toContain("Teacher's comment");
      await shot(page, 'result-en');
    } finally {
      await context.close();
    }
  });

  it('teacher1 enters scores of paper homework from the class sheet; a bad row is named and nothing imported', async () => {
    const ExcelJS = (await import('exceljs')).default;
    const { context, page } = await openPage(browser);
    try {
      await login(page, 'teacher1');
      await page.goto(`${server.baseUrl}/assignments/${assignmentId}`);
      await page.getByRole('tab', { name: '纸质成绩' }).click();
      const tpl = await teacher.get(`/api/assignments/${assignmentId}/paper-template.xlsx`);
      const fill = async (scores: (number | string)[][]) => {
        const wb = new ExcelJS.Workbook();
        await wb.xlsx.load(tpl.data);
        const ws = wb.worksheets[0]!;
        // Row 2 is student1, who already submitted online; rows 3 and 4 are classmates.
        scores.forEach((row, i) => row.forEach((v, j) => (ws.getRow(3 + i).getCell(4 + j).value = v)));
        return Buffer.from(await wb.xlsx.writeBuffer());
      };
      const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
      const input = page.locator('input[type=file]');
      await input.setInputFiles({ name: '纸质成绩-有错.xlsx', mimeType: XLSX, buffer: await fill([[4, 5, 9], [3, 9, 6]]) });
      const errors = page.locator('[data-testid=paper-errors]');
      await errors.waitFor();
      expect(await errors.innerText()).toContain('第2题的得分应为 0 到 6 之间的数');
      await shot(page, 'paper-invalid');
      await input.setInputFiles({ name: '纸质成绩.xlsx', mimeType: XLSX, buffer: await fill([[4, 5, 9], [3, 4, 6]]) });
      await expect.poll(() => page.locator('[data-testid=paper-done]').innerText()).toContain('已导入 2 名学生的成绩');
      await shot(page, 'paper-done');
      const list = (await teacher.get(`/api/assignments/${assignmentId}/submissions`)).data;
      expect(list.submissions.filter((x: { source: string }) => x.source === 'paper').map((x: { score: number }) => x.score).sort()).toEqual([13, 18]);
    } finally {
      await context.close();
    }
  });
});
