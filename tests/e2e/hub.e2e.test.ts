/**
 * The AI hub in Chromium against the real server (serving apps/web/dist) and a fake
 * OpenAI-compatible upstream in this suite: a county administrator reviews the demo app waiting
 * for school-entry review and approves it for one school; the school administrator issues a key
 * bound to it, the key calls the gateway, and the usage chart, the statement and the call log
 * show the call; the province administrator sees the node's live health.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, screenshots, signIn } from '../support/browser.js';
import { Client, startServer, type RunningServer } from '../support/server.js';

let server: RunningServer;
let browser: Browser;
let upstream: Server;
let upstreamUrl = '';
const received: any[] = [];
const shot = screenshots('hub-');
const login = (page: Page, username: string) => signIn(page, server.baseUrl, username);
const APP = '智学作文批改';
let createdKey = '';

beforeAll(async () => {
  upstream = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.method === 'GET') return res.end(JSON.stringify({ object: 'list', data: [{ id: 'qwen2.5:7b' }] }));
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const j = JSON.parse(body);
      received.push(j);
      res.end(JSON.stringify({ id: 'x', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: '这篇作文结构清晰，建议丰富细节描写。' }, finish_reason: 'stop' }], usage: { prompt_tokens: 320, completion_tokens: 48, total_tokens: 368 } }));
    });
  });
  await new Promise<void>((ok) => upstream.listen(0, '127.0.0.1', () => ok()));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as { port: number }).port}/v1`;
  server = await startServer();
  browser = await launchChromium();
  // The operator points the demo main node at this suite's upstream (the demo expects a local Ollama).
  const ops = new Client(server.baseUrl);
  await ops.login('sysadmin');
  const node = ((await ops.get('/api/hub/nodes')).data as { id: string; name: string }[])[0]!;
  const r = await ops.request('PATCH', `/api/hub/nodes/${node.id}`, { baseUrl: upstreamUrl });
  expect(r.status, JSON.stringify(r.data)).toBe(200);
  await ops.post(`/api/hub/nodes/${node.id}/check`);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await new Promise<void>((ok) => upstream?.close(() => ok()));
});

describe('AI hub', () => {
  it('a county admin reviews the app against the checklist and approves it for one school', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    await login(page, 'county_admin1');
    await page.goto(`${server.baseUrl}/hub/products`);
    const row = page.locator(`[data-testid=hub-product-row][data-name="${APP}"]`);
    await expect.poll(() => row.getAttribute('data-status')).toBe('submitted');
    await shot(page, 'products');
    await row.getByText(APP).first().click();
    await expect.poll(() => page.locator('[data-testid=hub-product-title]').textContent()).toBe(APP);
    for (const k of ['data_handling', 'content_safety', 'age_suitability', 'evaluation_evidence']) {
      await page.locator(`[data-testid=hub-review-check-${k}]`).click();
      await page.locator(`[data-testid=hub-review-note-${k}]`).fill('已核验材料');
    }
    await page.locator('[data-testid=hub-review-comment]').fill('同意在实验中学初中部试用一学期。');
    await page.locator('[data-testid=hub-review-decision-approve]').click();
    await page.locator('[data-testid=hub-review-scope]').click();
    await page.keyboard.type('实验中学');
    await page.locator('.ant-select-tree-node-content-wrapper', { hasText: '西湖区实验中学' }).first().click();
    await page.keyboard.press('Escape');
    await shot(page, 'review-form');
    await page.locator('[data-testid=hub-review-submit]').click();
    await expect.poll(() => page.locator('[data-testid=product-status]').first().getAttribute('data-status')).toBe('approved');
    await expect.poll(() => page.locator('[data-testid=hub-approval]').first().getAttribute('data-state')).toBe('active');
    expect(await page.locator('[data-testid=hub-approvals]').textContent()).toContain('西湖区实验中学');
    await shot(page, 'approved');
    await page.close();
  });

  it('the school admin issues a key bound to the app; the key calls the gateway and usage, statement and call log show it', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    await login(page, 'school_admin1');
    await page.goto(`${server.baseUrl}/hub/keys`);
    await page.locator('[data-testid=hub-key-create]').click();
    await page.locator('[data-testid=hub-key-name]').fill('作文批改助手（初二）');
    await page.locator('[data-testid=hub-key-product]').click();
    await page.locator('.ant-select-item-option', { hasText: APP }).first().click();
    await page.locator('[data-testid=hub-key-band]').getByText('初中').click();
    await page.locator('[data-testid=hub-key-submit]').click();
    const keyText = page.locator('[data-testid=hub-created-key]');
    await expect.poll(() => keyText.textContent()).toMatch(/^zg_/);
    createdKey = (await keyText.textContent())!.trim();
    await shot(page, 'key-created');
    await page.locator('[data-testid=hub-created-key-done]').click();

    const call = await fetch(`${server.baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${createdKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'edu-chat', messages: [{ role: 'user', content: '请批改：我的妈妈是一名医生，联系电话 13812345678。' }] }),
    });
    expect(call.status).toBe(200);
    expect(JSON.stringify(received.at(-1))).not.toContain('13812345678');

    await page.goto(`${server.baseUrl}/hub/usage`);
    const chart = page.locator('[data-testid=hub-usage-chart]');
    await expect.poll(() => chart.getAttribute('data-calls')).toBe('1');
    await expect.poll(() => chart.getAttribute('data-tokens')).toBe('368');
    await page.waitForTimeout(500);
    await shot(page, 'usage');
    await page.goto(`${server.baseUrl}/hub/statements`);
    await expect.poll(() => page.locator('[data-testid=hub-statement-line]').count()).toBeGreaterThan(0);
    expect(await page.locator('[data-testid=hub-statement-export]').getAttribute('href')).toMatch(/\/api\/hub\/statements\.xlsx\?month=\d{4}-\d{2}/);
    await shot(page, 'statements');
    await page.close();
  });

  it('the province admin sees the node up with live health, and the call with its guardrail actions', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    await login(page, 'province_admin');
    await page.goto(`${server.baseUrl}/hub/nodes`);
    const status = page.locator('[data-testid^=node-status-]').first();
    await expect.poll(() => status.getAttribute('data-status')).toBe('up');
    await shot(page, 'nodes');
    await page.goto(`${server.baseUrl}/hub/calls`);
    const callRow = page.locator('[data-testid=hub-call-row]').first();
    await expect.poll(() => callRow.getAttribute('data-outcome')).toBe('ok');
    expect(await callRow.textContent()).toContain(APP);
    // Filtering by outcome: nothing was blocked in this run.
    await page.locator('[data-testid=hub-calls-outcome]').getByText('已拦截').click();
    await expect.poll(() => page.locator('[data-testid=hub-call-row]').count()).toBe(0);
    await page.locator('[data-testid=hub-calls-outcome]').getByText('全部').click();
    await expect.poll(() => page.locator('[data-testid=hub-call-row]').count()).toBe(1);
    await shot(page, 'calls');
    await page.goto(`${server.baseUrl}/hub/guardrails`);
    await expect.poll(() => page.getByText('自制炸药').count()).toBeGreaterThan(0);
    await shot(page, 'guardrails');
    await page.close();
  });

  it('an auditor reads the call log and the statement, without keys or nodes', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    await login(page, 'auditor1');
    await page.goto(`${server.baseUrl}/hub/calls`);
    await expect.poll(() => page.locator('[data-testid=hub-call-row]').first().getAttribute('data-outcome')).toBe('ok');
    await page.goto(`${server.baseUrl}/hub/statements`);
    await expect.poll(() => page.locator('[data-testid=hub-statement-line]').count()).toBeGreaterThan(0);
    await page.goto(`${server.baseUrl}/hub/keys`);
    await page.locator('[data-testid=forbidden-title]').waitFor();
    await page.close();
  });
});
