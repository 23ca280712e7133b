/**
 * The AI hub over HTTP, against real fake upstreams: two OpenAI-compatible HTTP servers in this
 * suite (plain and SSE replies, errors, slow replies, missing usage, a node that dies mid-run)
 * that record what they received. Covers: unregistered and expired approvals refused, failover,
 * the circuit breaker, quota exhaustion, metering equal to the sum of calls, PII never reaching
 * the upstream, and SSE stream integrity.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cnIdCheckChar } from '../../packages/engine/src/index.js';
import { Client, startServer, type RunningServer } from '../support/server.js';

type Mode = 'ok' | 'error500' | 'slow' | 'hang' | 'no_usage';

/** An OpenAI-compatible upstream. It echoes the last user message (so placeholders come back) and records every body. */
function fakeUpstream(name: string) {
  const received: any[] = [];
  const auth: string[] = [];
  let mode: Mode = 'ok';
  const sockets = new Set<Socket>();
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'GET' && req.url?.endsWith('/models')) {
      res.setHeader('content-type', 'application/json');
      return res.end(JSON.stringify({ object: 'list', data: [{ id: 'upstream-chat', object: 'model' }] }));
    }
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const json = JSON.parse(body);
      received.push(json);
      auth.push(String(req.headers.authorization ?? ''));
      if (mode === 'error500') {
        res.statusCode = 500;
        return res.end('{"error":{"message":"boom"}}');
      }
      if (mode === 'hang') return; // never answers: the test kills the node
      if (req.url?.endsWith('/embeddings')) {
        res.setHeader('content-type', 'application/json');
        return res.end(JSON.stringify({ object: 'list', data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2] }], usage: { prompt_tokens: 7, total_tokens: 7 } }));
      }
      const user = [...json.messages].reverse().find((m: any) => m.role === 'user');
      const text = `${name}:${typeof user.content === 'string' ? user.content : ''}`;
      const usage = mode === 'no_usage' ? undefined : { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 };
      const send = () => {
        if (!json.stream) {
          res.setHeader('content-type', 'application/json');
          return res.end(JSON.stringify({ id: 'c1', object: 'chat.completion', model: json.model, choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }], ...(usage ? { usage } : {}) }));
        }
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        // Three characters per event, in several TCP writes: placeholders get split across events.
        const pieces = text.match(/[\s\S]{1,3}/g) ?? [];
        let i = 0;
        const tick = () => {
          if (i < pieces.length) {
            res.write(`data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: pieces[i++] }, finish_reason: null }] })}\n\n`);
            return setImmediate(tick);
          }
          res.write(`data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`);
          if (usage && json.stream_options?.include_usage) res.write(`data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', choices: [], usage })}\n\n`);
          res.end('data: [DONE]\n\n');
        };
        tick();
      };
      if (mode === 'slow') setTimeout(send, 300);
      else send();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  let port = 0;
  return {
    received,
    auth,
    setMode: (m: Mode) => (mode = m),
    get url() {
      return `http://127.0.0.1:${port}/v1`;
    },
    start: () => new Promise<void>((ok) => server.listen(port, '127.0.0.1', () => ((port = (server.address() as any).port), ok()))),
    /** Kills the node: open connections are destroyed, nothing listens any more. */
    kill: () => new Promise<void>((ok) => {
      for (const s of sockets) s.destroy();
      server.close(() => ok());
    }),
  };
}

const PASS = Object.fromEntries(['data_handling', 'content_safety', 'age_suitability', 'evaluation_evidence'].map((k) => [k, { pass: true, note: '已核验' }]));

let s: RunningServer;
let ops: Client; // sysadmin: registry
let county: Client; // 西湖区
let county2: Client; // 余杭区
let schoolAdmin: Client; // XHSY (西湖区)
const a = fakeUpstream('A');
const b = fakeUpstream('B');
let xhsy: string;
let yhwc: string;
let modelId: string;
let productId: string;
let nodeA: string;
let nodeB: string;
let key: string; // XHSY, junior band
let keyId: string;
let otherKey: string; // YHWC (余杭): not approved there

async function v1(k: string, path: string, body?: unknown) {
  const r = await fetch(`${s.baseUrl}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${k}`, 'content-type': 'application/json', 'accept-language': 'en' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  let data: any = text;
  try {
    data = JSON.parse(text);
  } catch {
    /* SSE or text */
  }
  return { status: r.status, data, text, headers: r.headers };
}
const chat = (k: string, content: string, extra: Record<string, unknown> = {}) => v1(k, '/v1/chat/completions', { model: 'test-chat', messages: [{ role: 'system', content: '你是学习助手。' }, { role: 'user', content }], ...extra });

beforeAll(async () => {
  await Promise.all([a.start(), b.start()]);
  s = await startServer();
  ops = new Client(s.baseUrl);
  await ops.login('sysadmin');
  county = new Client(s.baseUrl);
  await county.login('county_admin1');
  county2 = new Client(s.baseUrl);
  await county2.login('county_admin2');
  schoolAdmin = new Client(s.baseUrl);
  await schoolAdmin.login('school_admin1');
  const schools = (await ops.get('/api/schools')).data as { id: string; code: string }[];
  xhsy = schools.find((x) => x.code === 'XHSY')!.id;
  yhwc = schools.find((x) => x.code === 'YHWC')!.id;

  const m = await ops.post('/api/hub/models', { name: 'test-chat', vendor: '省教育大模型', promptPrice: 200, completionPrice: 600 });
  expect(m.status, JSON.stringify(m.data)).toBe(201);
  modelId = m.data.id;
  const na = await ops.post('/api/hub/nodes', { name: '省主节点', tier: 'main', baseUrl: a.url, apiKey: 'sk-secret-node-a', weight: 1, maxConcurrency: 8, models: [{ modelId, upstreamModel: 'upstream-chat' }] });
  expect(na.status, JSON.stringify(na.data)).toBe(201);
  nodeA = na.data.id;
  const nb = await ops.post('/api/hub/nodes', { name: '高校子节点', tier: 'sub', baseUrl: b.url, weight: 1, maxConcurrency: 8, models: [{ modelId, upstreamModel: 'upstream-chat' }] });
  nodeB = nb.data.id;
  const p = await ops.post('/api/hub/products', { name: '省教育大模型（对话）', kind: 'model', modelId, vendor: '省电化教育馆', purpose: '师生问答与学习辅导', dataTouched: ['学生提问文本'], gradeBands: ['junior', 'senior', 'adult'], evidence: '安全评测报告 2026-10' });
  expect(p.status, JSON.stringify(p.data)).toBe(201);
  productId = p.data.id;
  const k = await schoolAdmin.post('/api/hub/keys', { name: '实验中学学习助手', ownerType: 'school', ownerId: xhsy, gradeBand: 'junior' });
  expect(k.status, JSON.stringify(k.data)).toBe(201);
  key = k.data.key;
  keyId = k.data.id;
  otherKey = (await ops.post('/api/hub/keys', { name: '文昌中学', ownerType: 'school', ownerId: yhwc, gradeBand: 'junior' })).data.key;
}, 120_000);
afterAll(async () => {
  await s?.stop();
  await Promise.allSettled([a.kill(), b.kill()]);
});

describe('registration and school-entry review', () => {
  it('refuses a registered but unreviewed model: no unregistered AI on campus', async () => {
    const r = await chat(key, '你好');
    expect(r.status).toBe(403);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(r.data).toMatchObject({ code: 'hub.not_approved', error: { code: 'hub.not_approved' } });
    expect(r.data.messages['zh-CN']).toContain('未经备案审查');
    expect(a.received.length + b.received.length).toBe(0);
    expect((await v1(key, '/v1/models')).data.data.map((m: any) => m.id)).not.toContain('test-chat');
  });

  it('keeps node credentials encrypted and never returns them', async () => {
    const nodes = await ops.get('/api/hub/nodes');
    expect(JSON.stringify(nodes.data)).not.toContain('sk-secret-node-a');
    expect(nodes.data.find((n: any) => n.id === nodeA)).toMatchObject({ hasCredential: true, status: 'up' });
    expect(nodes.data.find((n: any) => n.id === nodeB)).toMatchObject({ hasCredential: false, status: 'up', models: [{ modelName: 'test-chat', upstreamModel: 'upstream-chat' }] });
  });

  it('a county admin cannot approve for schools outside the county, nor approve with a failed checklist', async () => {
    const outside = await county2.post(`/api/hub/products/${productId}/reviews`, { decision: 'approve', checklist: PASS, scope: { schoolIds: [xhsy], gradeBands: ['junior'] } });
    expect(outside.status).toBe(403);
    expect(outside.data.code).toBe('hub.scope_outside');
    const failed = await county.post(`/api/hub/products/${productId}/reviews`, { decision: 'approve', checklist: { ...PASS, age_suitability: { pass: false, note: '未提供适龄评估' } }, scope: { schoolIds: [xhsy], gradeBands: ['junior'] } });
    expect(failed.status).toBe(422);
    expect(failed.data).toMatchObject({ code: 'hub.checklist_failed', failed: ['age_suitability'] });
    expect((await ops.get(`/api/hub/products/${productId}`)).data.status).toBe('submitted');
  });

  it('approval scoped to the county lets its schools call, not others; every step is audited', async () => {
    const county1Id = (await county.get('/api/hub/scopes')).data.regions.find((r: any) => r.level === 'county').id;
    const r = await county.post(`/api/hub/products/${productId}/reviews`, { decision: 'approve', checklist: PASS, comment: '同意在本区初中使用', scope: { regionIds: [county1Id], gradeBands: ['junior', 'adult'] } });
    expect(r.status, JSON.stringify(r.data)).toBe(200);
    expect(r.data).toMatchObject({ status: 'approved', activeApprovals: 1 });
    expect(r.data.approvals[0]).toMatchObject({ state: 'active', scopeNames: ['西湖区'] });
    const ok = await chat(key, '一元二次方程怎么解？');
    expect(ok.status, JSON.stringify(ok.data)).toBe(200);
    expect(ok.data.choices[0].message.content).toMatch(/^[AB]:一元二次方程怎么解？$/);
    expect((await v1(key, '/v1/models')).data.data.map((x: any) => x.id)).toContain('test-chat');
    expect((await v1(otherKey, '/v1/models')).data.data.map((x: any) => x.id)).not.toContain('test-chat');
    const other = await chat(otherKey, '你好');
    expect(other.status).toBe(403);
    expect(other.data.code).toBe('hub.not_approved');
    const auditor = new Client(s.baseUrl);
    await auditor.login('auditor1');
    const log = await auditor.get('/api/audit?action=hub.product.approve');
    expect(log.data.items[0]).toMatchObject({ resourceId: productId, actorName: 'county_admin1' });
  });

  it('sends the node its credential and the upstream model name', () => {
    const i = a.received.length ? a.received.length - 1 : -1;
    const last = i >= 0 ? a.received[i] : b.received[b.received.length - 1];
    expect(last.model).toBe('upstream-chat');
    if (i >= 0) expect(a.auth[i]).toBe('Bearer sk-secret-node-a');
  });

  it('refuses a call after the approval expires, and after it is revoked', async () => {
    const p = await ops.post('/api/hub/products', { name: '作文批改助手', kind: 'app', vendor: '某科技公司', purpose: '作文批改', dataTouched: ['作文'], gradeBands: ['junior'] });
    const exp = new Date(Date.now() + 2500).toISOString();
    const ap = await county.post(`/api/hub/products/${p.data.id}/reviews`, { decision: 'approve', checklist: PASS, scope: { schoolIds: [xhsy], gradeBands: ['junior'], expiresAt: exp } });
    expect(ap.status, JSON.stringify(ap.data)).toBe(200);
    const appKey = (await schoolAdmin.post('/api/hub/keys', { name: '作文批改助手', ownerType: 'school', ownerId: xhsy, productId: p.data.id, gradeBand: 'junior' })).data.key;
    expect((await chat(appKey, '批改这篇作文')).status).toBe(200);
    await new Promise((r) => setTimeout(r, 2700));
    const expired = await chat(appKey, '批改这篇作文');
    expect(expired.status).toBe(403);
    expect(expired.data.code).toBe('hub.approval_expired');
    // A fresh approval, then revoked: refused at once.
    const again = await county.post(`/api/hub/products/${p.data.id}/reviews`, { decision: 'approve', checklist: PASS, scope: { schoolIds: [xhsy], gradeBands: ['junior'] } });
    expect((await chat(appKey, '批改')).status).toBe(200);
    const active = again.data.approvals.find((x: any) => x.state === 'active');
    const rv = await county.post(`/api/hub/approvals/${active.id}/revoke`, { reason: '家长投诉，暂停使用' });
    expect(rv.status).toBe(200);
    const revoked = await chat(appKey, '批改');
    expect(revoked.status).toBe(403);
    expect(revoked.data.code).toBe('hub.app_not_approved');
  });
});

describe('keys', () => {
  it('refuses a missing, unknown or revoked key, an unknown model and a model the key is not limited to', async () => {
    const none = await fetch(`${s.baseUrl}/v1/models`);
    expect(none.status).toBe(401);
    expect((await none.json()).code).toBe('hub.key_missing');
    expect((await v1('zg_not-a-real-key', '/v1/models')).data.code).toBe('hub.key_invalid');
    const unknown = await v1(key, '/v1/chat/completions', { model: 'gpt-9', messages: [{ role: 'user', content: 'hi' }] });
    expect(unknown).toMatchObject({ status: 404, data: { code: 'hub.model_unknown' } });
    const limited = await schoolAdmin.post('/api/hub/keys', { name: '只用向量', ownerType: 'school', ownerId: xhsy, gradeBand: 'junior', models: ['edu-embed'] });
    expect(limited.status).toBe(201);
    const r = await chat(limited.data.key, '你好');
    expect(r).toMatchObject({ status: 403, data: { code: 'hub.model_not_allowed_for_key' } });
    expect((await v1(limited.data.key, '/v1/models')).data.data.map((m: any) => m.id)).toEqual(['edu-embed']);
    await schoolAdmin.post(`/api/hub/keys/${limited.data.id}/revoke`);
    expect((await v1(limited.data.key, '/v1/models')).data.code).toBe('hub.key_invalid');
    // A school admin cannot key another school, nor a platform module.
    expect((await schoolAdmin.post('/api/hub/keys', { name: 'x', ownerType: 'school', ownerId: yhwc, gradeBand: 'junior' })).data.code).toBe('hub.scope_outside');
    expect((await schoolAdmin.post('/api/hub/keys', { name: 'x', ownerType: 'module', module: 'tutor', gradeBand: 'adult' })).status).toBe(403);
    expect(JSON.stringify((await schoolAdmin.get('/api/hub/keys')).data)).not.toContain(key);
  });

  it('serves embeddings through the same gate, masking the input', async () => {
    const em = await ops.post('/api/hub/models', { name: 'test-embed', kind: 'embedding', vendor: '测试', promptPrice: 50, completionPrice: 0 });
    await ops.request('PATCH', `/api/hub/nodes/${nodeA}`, { models: [{ modelId, upstreamModel: 'upstream-chat' }, { modelId: em.data.id, upstreamModel: 'upstream-embed' }] });
    const p = await ops.post('/api/hub/products', { name: '测试向量模型', kind: 'model', modelId: em.data.id, vendor: '测试', purpose: '检索', dataTouched: [], gradeBands: ['junior'] });
    await county.post(`/api/hub/products/${p.data.id}/reviews`, { decision: 'approve', checklist: PASS, scope: { schoolIds: [xhsy], gradeBands: ['junior'] } });
    const before = a.received.length;
    const r = await v1(key, '/v1/embeddings', { model: 'test-embed', input: ['联系电话 13912345678 的家长'] });
    expect(r.status, JSON.stringify(r.data)).toBe(200);
    expect(r.data.data[0].embedding).toEqual([0.1, 0.2]);
    const sent = a.received.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ model: 'upstream-embed', input: ['联系电话 [手机1] 的家长'] });
    expect((await v1(key, '/v1/embeddings', { model: 'test-chat', input: 'x' })).data.code).toBe('hub.model_wrong_kind');
  });
});

describe('guardrails', () => {
  it('masks roster names, student numbers, ID numbers, phones and e-mails before the upstream and restores them in the reply', async () => {
    const st = (await schoolAdmin.get(`/api/students?schoolId=${xhsy}&pageSize=1`)).data.items[0];
    const id17 = '33010620100315123';
    const idNo = id17 + cnIdCheckChar(id17);
    const phone = '13812345678';
    const prompt = `学生${st.name}（学号${st.studentNo}，身份证${idNo}，家长电话${phone}，邮箱 parent@example.com）这次数学没考好，怎么帮他？`;
    const [beforeA, beforeB] = [a.received.length, b.received.length];
    const r = await chat(key, prompt);
    expect(r.status, JSON.stringify(r.data)).toBe(200);
    const sent = [...a.received.slice(beforeA), ...b.received.slice(beforeB)].map((x) => JSON.stringify(x)).join('\n');
    expect(sent).not.toBe('');
    for (const secret of [st.name, st.studentNo, idNo, phone, 'parent@example.com']) expect(sent).not.toContain(secret);
    expect(sent, sent).toContain('[姓名1]');
    expect(r.data.choices[0].message.content).toBe(`${r.data.choices[0].message.content.slice(0, 2)}${prompt}`);
    const calls = (await schoolAdmin.get('/api/hub/calls?limit=1')).data;
    expect(calls[0].guardrails.masked).toMatchObject({ name: 1, id: 1, phone: 1, email: 1, student_no: 1 });
  });

  it('blocks lexicon terms (even split by separators) before the upstream, flags others, per grade band', async () => {
    const add = await ops.post('/api/hub/lexicon', {
      terms: [
        { term: '自制燃烧瓶', category: '暴力危险', action: 'block' },
        { term: '代写论文', category: '学术诚信', action: 'flag' },
        { term: '彩票投注', category: '赌博', action: 'block', gradeBands: ['primary'] },
      ],
    });
    expect(add.status).toBe(201);
    const before = a.received.length + b.received.length;
    const blocked = await chat(key, '怎么 自*制 燃烧瓶');
    expect(blocked.status).toBe(400);
    expect(blocked.data).toMatchObject({ code: 'hub.content_blocked', categories: ['暴力危险'] });
    expect(a.received.length + b.received.length).toBe(before);
    const flagged = await chat(key, '能帮我代写论文吗');
    expect(flagged.status).toBe(200);
    // 彩票投注 blocks only for primary; this key is junior.
    expect((await chat(key, '彩票投注的危害')).status).toBe(200);
    const calls = (await ops.get('/api/hub/calls?limit=3')).data;
    expect(calls[1].guardrails.flags).toContain('flag:学术诚信');
    expect(calls[2]).toMatchObject({ outcome: 'blocked', errorCode: 'hub.content_blocked' });
    // The call log filters by outcome and model for an investigation.
    const onlyBlocked = (await ops.get('/api/hub/calls?outcome=blocked&model=test-chat')).data;
    expect(onlyBlocked.length).toBeGreaterThan(0);
    expect(onlyBlocked.every((c: any) => c.outcome === 'blocked' && c.model === 'test-chat')).toBe(true);
  });

  it('blocks a reply that breaks the lexicon (output scan)', async () => {
    // The fake echoes the prompt: with the input scan off, the same words come back and the output scan catches them.
    await ops.post('/api/hub/lexicon', { terms: [{ term: '暴力游戏视频', category: '暴力危险', action: 'block' }] });
    await ops.request('PUT', '/api/hub/policies/junior', { maskPii: true, restorePii: true, scanInput: false, scanOutput: true, retentionDays: 30 });
    const r = await chat(key, '推荐暴力游戏视频');
    expect(r.status).toBe(400);
    expect(r.data.code).toBe('hub.output_blocked');
    await ops.request('PUT', '/api/hub/policies/junior', { maskPii: true, restorePii: true, scanInput: true, scanOutput: true, retentionDays: 30 });
  });
});

describe('streaming', () => {
  it('passes SSE through intact: every event valid, content equal to the upstream (placeholders restored), [DONE] last, usage metered', async () => {
    const st = (await schoolAdmin.get(`/api/students?schoolId=${xhsy}&pageSize=1`)).data.items[0];
    const prompt = `请给${st.name}写一段鼓励的话，提到${st.name}最近的进步。`;
    const [beforeA, beforeB] = [a.received.length, b.received.length];
    const r = await chat(key, prompt, { stream: true });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('text/event-stream');
    const events = r.text.split('\n\n').filter(Boolean);
    expect(events.at(-1)).toBe('data: [DONE]');
    let content = '';
    for (const e of events.slice(0, -1)) {
      expect(e.startsWith('data: ')).toBe(true);
      const j = JSON.parse(e.slice(6));
      expect(j.choices.length).toBe(1); // the usage-only event is not forwarded when the client did not ask for it
      content += j.choices[0].delta.content ?? '';
    }
    expect(content).toMatch(/^[AB]:/);
    expect(content.slice(2)).toBe(prompt);
    const upstream = [...a.received.slice(beforeA), ...b.received.slice(beforeB)];
    expect(upstream).toHaveLength(1);
    expect(upstream[0]).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(JSON.stringify(upstream[0])).not.toContain(st.name);
    expect(JSON.stringify(upstream[0])).toContain('[姓名1]');
    const call = (await ops.get('/api/hub/calls?limit=1')).data[0];
    expect(call).toMatchObject({ stream: true, outcome: 'ok', promptTokens: 100, completionTokens: 20, usageEstimated: false });
  });

  it('forwards the usage event when the client asks for it, and estimates tokens when the upstream gives none', async () => {
    const r = await chat(key, '你好', { stream: true, stream_options: { include_usage: true } });
    const events = r.text.split('\n\n').filter(Boolean).slice(0, -1).map((e) => JSON.parse(e.slice(6)));
    expect(events.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 100, completion_tokens: 20 } });
    a.setMode('no_usage');
    b.setMode('no_usage');
    const plain = await chat(key, '三角形内角和是多少度？');
    expect(plain.status).toBe(200);
    const call = (await ops.get('/api/hub/calls?limit=1')).data[0];
    expect(call.usageEstimated).toBe(true);
    expect(call.promptTokens).toBeGreaterThan(10);
    expect(call.completionTokens).toBeGreaterThan(5);
    a.setMode('ok');
    b.setMode('ok');
  });
});

describe('routing across compute nodes', () => {
  it('spreads calls over both healthy nodes', async () => {
    const [ra, rb] = [a.received.length, b.received.length];
    await Promise.all(Array.from({ length: 12 }, (_, i) => chat(key, `问题${i}`)));
    expect(a.received.length - ra).toBeGreaterThan(0);
    expect(b.received.length - rb).toBeGreaterThan(0);
  });

  it('trips the breaker on a failing node and routes around it (the callers still get answers)', async () => {
    a.setMode('error500');
    for (let i = 0; i < 8; i++) {
      const r = await chat(key, `重试${i}`);
      expect(r.status, JSON.stringify(r.data)).toBe(200);
      expect(r.data.choices[0].message.content.startsWith('B:')).toBe(true);
    }
    const hitsWhileOpen = a.received.length;
    for (let i = 0; i < 5; i++) await chat(key, `熔断${i}`);
    expect(a.received.length).toBe(hitsWhileOpen); // open breaker: no traffic to A
    const nodes = (await ops.get('/api/hub/nodes')).data;
    expect(nodes.find((n: any) => n.id === nodeA).breaker).toBe('open');
    const retried = (await ops.get('/api/hub/calls?limit=20')).data.filter((c: any) => c.attempts > 1);
    expect(retried.length).toBeGreaterThan(0);
    a.setMode('ok');
  });

  it('fails over when a node dies mid-request: the call is answered by the other node', async () => {
    // Make B the one that hangs and then dies; A's breaker is open, so first restore it by restarting the scenario on B.
    b.setMode('hang');
    a.setMode('ok');
    // A's breaker re-admits a probe after its cooldown (10 s); wait for it so both nodes are candidates.
    await new Promise((r) => setTimeout(r, 10_500));
    const pending = Promise.all(Array.from({ length: 4 }, (_, i) => chat(key, `节点故障${i}`)));
    await new Promise((r) => setTimeout(r, 400));
    await b.kill();
    const results = await pending;
    for (const r of results) {
      expect(r.status, JSON.stringify(r.data)).toBe(200);
      expect(r.data.choices[0].message.content.startsWith('A:')).toBe(true);
    }
  }, 30_000);
});

describe('quotas and metering', () => {
  it('refuses with 429 once the key has used its tokens, with a clear code and Retry-After', async () => {
    const q = await county.post('/api/hub/quotas', { subjectType: 'key', subjectId: keyId, period: 'day', tokenLimit: 1 });
    expect(q.status, JSON.stringify(q.data)).toBe(201);
    expect(q.data.used).toBeGreaterThan(0); // counted from today's calls
    const r = await chat(key, '还能问吗？');
    expect(r.status).toBe(429);
    expect(r.data).toMatchObject({ code: 'hub.quota_exceeded', error: { type: 'rate_limit_error' } });
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await county.delete(`/api/hub/quotas/${q.data.id}`)).status).toBe(204);
    expect((await chat(key, '现在呢？')).status).toBe(200);
  });

  it('limits requests per minute', async () => {
    const q = await county.post('/api/hub/quotas', { subjectType: 'school', subjectId: xhsy, period: 'day', rpm: 3 });
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await chat(key, `限速${i}`)).status);
    expect(statuses.filter((x) => x === 429).length).toBeGreaterThanOrEqual(2);
    expect(statuses.slice(0, 2)).toEqual([200, 200]);
    await county.delete(`/api/hub/quotas/${q.data.id}`);
  });

  it('meters every call: the statement totals equal the sum of the logged calls, and the xlsx says the same', async () => {
    const calls = (await ops.get('/api/hub/calls?limit=500')).data as any[];
    const month = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 7);
    const st = await ops.get(`/api/hub/statements?month=${month}`);
    expect(st.status).toBe(200);
    const tokens = calls.reduce((t, c) => t + c.promptTokens + c.completionTokens, 0);
    expect(st.data.total.calls).toBe(calls.length);
    expect(st.data.total.tokens).toBe(tokens);
    // Price: 200 分 per million prompt tokens, 600 per million completion tokens.
    const microFen = calls.reduce((t, c) => t + (c.model === 'test-chat' ? c.promptTokens * 200 + c.completionTokens * 600 : 0), 0);
    expect(st.data.total.costFen).toBeCloseTo(Math.round((microFen / 1e6) * 100) / 100, 6);
    const line = st.data.lines.find((l: any) => l.schoolId === xhsy && l.model === 'test-chat');
    expect(line).toMatchObject({ name: '杭州市西湖区实验中学', regionName: '西湖区', model: 'test-chat' });
    expect(st.data.byRegion.map((r: any) => r.level)).toEqual(expect.arrayContaining(['province', 'city', 'county']));
    const x = await ops.get(`/api/hub/statements.xlsx?month=${month}`);
    expect(x.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(x.data as ArrayBuffer);
    const ws = wb.worksheets[0];
    const total = ws.getRow(ws.rowCount);
    expect(total.getCell(1).value).toBe('合计');
    expect(total.getCell(4).value).toBe(calls.length);
    // The county admin sees only the county's schools.
    const cst = (await county2.get(`/api/hub/statements?month=${month}`)).data;
    expect(cst.lines.every((l: any) => l.regionName === '余杭区')).toBe(true);
  });

  it('usage dashboard: per day and model, latency percentiles, by school within scope', async () => {
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    const u = await schoolAdmin.get(`/api/hub/usage?from=${today}&to=${today}`);
    expect(u.status).toBe(200);
    expect(u.data.rows.map((r: any) => r.model)).toEqual(expect.arrayContaining(['test-chat', 'test-embed']));
    expect(u.data.rows.every((r: any) => r.day === today)).toBe(true);
    expect(u.data.totals.p50LatencyMs).not.toBeNull();
    expect(u.data.bySchool.map((x: any) => x.schoolId)).toEqual([xhsy]);
  });

  it('a compute request approved by the county provisions a monthly quota, with usage against it', async () => {
    const r = await schoolAdmin.post('/api/hub/compute-requests', { schoolId: xhsy, scenario: '初三数学 AI 辅导', needs: '每周 3 次课后辅导', modelIds: [modelId], startsOn: new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10), days: 90, monthlyTokens: 5_000_000, rpm: 600 });
    expect(r.status, JSON.stringify(r.data)).toBe(201);
    const d = await county.post(`/api/hub/compute-requests/${r.data.id}/decision`, { approve: true, comment: '同意' });
    expect(d.status, JSON.stringify(d.data)).toBe(200);
    expect(d.data).toMatchObject({ status: 'approved' });
    const quotas = (await county.get('/api/hub/quotas')).data;
    expect(quotas.find((q: any) => q.id === d.data.quotaId)).toMatchObject({ subjectType: 'school', subjectId: xhsy, tokenLimit: 5_000_000, rpm: 600, requestId: r.data.id });
    await chat(key, '算力申请之后');
    const list = (await schoolAdmin.get('/api/hub/compute-requests')).data;
    expect(list[0].usage.calls).toBeGreaterThan(0);
    const twice = await county.post(`/api/hub/compute-requests/${r.data.id}/decision`, { approve: false });
    expect(twice.status).toBe(409);
  });

  it('stores call contents encrypted and masked; reading them is audited', async () => {
    const calls = (await ops.get('/api/hub/calls?limit=50')).data;
    const withContent = calls.find((c: any) => c.hasContent && c.guardrails.masked?.name);
    const c = await ops.get(`/api/hub/calls/${withContent.id}/content`);
    expect(c.status).toBe(200);
    expect(JSON.stringify(c.data.content)).toContain('[姓名1]');
    expect((await schoolAdmin.get(`/api/hub/calls/${withContent.id}/content`)).status).toBe(403);
  });
});
