/**
 * Gateway benchmark: `npm run bench -- gateway [--duration S] [--connections N] [--requests N]
 * [--warmup N] [--sse-requests N] [--cpu-prof DIR]`.
 *
 * What it measures: the hub's OpenAI-compatible gateway, `POST /v1/chat/completions` (plain and
 * `stream: true`), with every guardrail on, against the same fake upstream called directly and
 * through Portkey's AI gateway (@portkey-ai/gateway, the peer named in STACK.md).
 *
 * Processes (all on this machine, all bound to 127.0.0.1):
 *   - the fake upstream (bench/support/fake-upstream.mjs): answers at once with a fixed
 *     completion and `usage`, or ~20 SSE chunk events + a usage event + [DONE];
 *   - the platform, started like tests/support/server.ts (the `npm start` entry point, a fresh
 *     temporary data dir, the demo region seeded), then set up over its admin API: a model, one
 *     node on the fake upstream (maxConcurrency 256), a model product approved by the county admin
 *     for the county's junior band, a school key (school_admin1, junior), 1,000 random lexicon
 *     terms (block and flag; none occurs in the prompt or the reply), a key quota with a huge
 *     token limit and rpm (so the quota path runs), and policy junior with maskPii, restorePii,
 *     scanInput and scanOutput on. So a call goes through key auth, the approval check, quota and
 *     rate, the lexicon scan in and out, PII masking with the school's roster, metering and the
 *     (encrypted) call log;
 *   - Portkey (bench/support/portkey.mjs: its own CLI, bound to 127.0.0.1), routed to the same
 *     upstream with `x-portkey-provider: openai` and `x-portkey-custom-host`;
 *   - this process: the load generator (undici Pools with keep-alive, closed loops).
 *
 * Every target gets the same prompt (~300 Chinese characters, no personal data) and must return
 * 200 with the upstream's reply text intact; anything else counts as an error. Before measuring,
 * one call each (plain and SSE) is checked in full, and the call log must show that masking and
 * the lexicon ran (one call with a roster name is masked, one with a block term is refused).
 *
 * Results, one line: `BENCH gateway p50_added_ms p99_added_ms rps direct_rps portkey_rps
 * rps_ratio sse_p50_added_ms sse_ttfb_added_ms errors direct_errors portkey_errors`
 *   - p50/p99_added_ms: at 1 connection, gateway percentile minus direct percentile, over
 *     --requests sequential calls each after --warmup calls (direct and gateway interleaved in
 *     rounds, so drift hits both);
 *   - rps, direct_rps, portkey_rps: completed 200s per second at --connections concurrent
 *     workers for --duration seconds each (after a 2 s warm-up); rps_ratio = rps / portkey_rps;
 *   - sse_p50_added_ms / sse_ttfb_added_ms: at 1 connection, p50 time to the last byte / to the
 *     first body byte of a streamed reply, gateway minus direct (--sse-requests each). The fake
 *     upstream streams with no delay between events, so a stream often arrives in one or two
 *     reads and, through the gateway (which holds the response until the upstream's first bytes
 *     arrive, so that a dead node can still be retried), the first byte comes nearly with the
 *     last: ttfb added can exceed ttlb added. Token pacing of a real model is not modelled;
 *   - errors: gateway calls that failed or came back altered, over all phases.
 * Lines beginning with `#` give the context: raw percentiles, CPU count and node version, the
 * fact that the load generator, the upstream and the gateway under test share this machine's
 * cores (so rps is what is left for the gateway, not what a dedicated host would do), the cores
 * each process kept busy and its CPU time per call (from /proc; steadier than rps when other
 * work shares the machine), the load average, and whether the key's quota counter equals the
 * tokens of the answered calls (metering under load).
 *
 * --cpu-prof DIR runs the platform child with `node --cpu-prof` (profile written to DIR when it
 * stops). Targets from the issue (not asserted): p50 added ≤ 0.5 ms, rps ≥ 5 × Portkey's.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { mulberry32 } from '../packages/engine/src/index.js';
import { report, type BenchArgs } from './run.js';

const SUITE = 'gateway';
const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const DEMO_PASSWORD = 'Demo-Passw0rd-for-bench';
const MODEL = 'bench-chat';
const UPSTREAM_MODEL = 'upstream-chat';

const SYSTEM = '你是一名耐心的初中数学老师，请用清晰的步骤讲解，并鼓励学生独立思考。';
const PROMPT =
  '老师您好，我是一名初二学生，最近在学习一次函数和二元一次方程组，感觉两部分内容总是混在一起。比如有这样一道题：某商店购进甲、乙两种文具共一百件，甲种每件进价八元，乙种每件进价十二元，总共花费一千元，问甲、乙两种文具各购进多少件？我会列方程组，但不知道怎样用一次函数的图像来理解它。另外，如果商店想让利润最大，甲种文具每件售价十元、乙种每件售价十五元，并且乙种不少于三十件，应该怎样安排进货？请您一步一步讲解思路，告诉我列式的依据、容易出错的地方，以及考试时怎样检查答案是否合理。我平时做应用题时常常把单价、数量和总价的关系弄混，也请您顺便总结一下。最后能否再给我出两道类似的练习题，并附上简要的提示？谢谢老师！';
const REPLY =
  '好的，我们把问题拆成两步来看。第一步，设甲种购进x件、乙种购进y件，由件数和总价列出方程组：x+y=100，8x+12y=1000，解得x=50，y=50。两条直线的交点就是方程组的解。第二步，把利润写成一次函数w=2x+3y，代入y=100-x得w=300-x，再结合y≥30即x≤70的条件，由函数的增减性可知x越小利润越大。检查时把结果代回原题，看件数和金额是否都对得上。';
const PIECES = 20;
const LEXICON_TERMS = 1000;
const THROUGHPUT_WARMUP_MS = 2000;
/** Common characters the random lexicon terms are made of (they may share characters with the prompt, never a whole term). */
const CHARS =
  '的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处理府研质';

// ---------------------------------------------------------------------------------------------
// Options

interface Options {
  durationS: number;
  connections: number;
  requests: number;
  warmup: number;
  sseRequests: number;
  cpuProf?: string;
}

function options(argv: string[]): Options {
  const num = (flag: string, dflt: number) => {
    const i = argv.indexOf(flag);
    if (i < 0) return dflt;
    const v = Number(argv[i + 1]);
    if (!Number.isFinite(v) || v <= 0) throw new Error(`${flag} needs a positive number`);
    return v;
  };
  const i = argv.indexOf('--cpu-prof');
  const cpuProf = i >= 0 ? argv[i + 1] : undefined;
  if (i >= 0 && !cpuProf) throw new Error('--cpu-prof needs a directory');
  return {
    durationS: num('--duration', 10),
    connections: Math.round(num('--connections', 32)),
    requests: Math.round(num('--requests', 3000)),
    warmup: Math.round(num('--warmup', 500)),
    sseRequests: Math.round(num('--sse-requests', 1000)),
    cpuProf: cpuProf ? resolve(cpuProf) : undefined,
  };
}

// ---------------------------------------------------------------------------------------------
// Child processes and clean-up

class Children {
  private procs: { name: string; child: ChildProcess; out: () => string }[] = [];
  private dirs: string[] = [];

  tempDir(prefix: string): string {
    const d = mkdtempSync(join(tmpdir(), prefix));
    this.dirs.push(d);
    return d;
  }

  /** Spawns `node ARGS` with an IPC channel and waits for its first message. */
  async start<T>(name: string, args: string[], env: Record<string, string>, ready: (msg: unknown) => msg is T, timeoutMs = 30_000): Promise<{ child: ChildProcess; msg: T; out: () => string }> {
    const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    const p = this.track(name, child);
    const msg = await new Promise<T>((ok, fail) => {
      const timer = setTimeout(() => fail(new Error(`${name} did not start in ${timeoutMs} ms:\n${p.out()}`)), timeoutMs);
      child.on('message', (m) => {
        if (ready(m)) {
          clearTimeout(timer);
          ok(m);
        }
      });
      child.once('exit', (code, sig) => {
        clearTimeout(timer);
        fail(new Error(`${name} exited (${code ?? sig}) before it was ready:\n${p.out()}`));
      });
    });
    return { child, msg, out: p.out };
  }

  track(name: string, child: ChildProcess) {
    let out = '';
    const keep = (d: Buffer) => {
      out += d.toString();
      if (out.length > 64_000) out = out.slice(-32_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const p = { name, child, out: () => out };
    this.procs.push(p);
    return p;
  }

  /** SIGTERM, then SIGKILL after graceMs; removes the temporary directories. Idempotent. */
  async stopAll(graceMs = 15_000): Promise<void> {
    const procs = this.procs.reverse();
    this.procs = [];
    await Promise.all(
      procs.map(async ({ child }) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }),
    );
    for (const d of this.dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  }

  /** Last resort on process exit: synchronous only. */
  killNow(): void {
    for (const { child } of this.procs) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const d of this.dirs) rmSync(d, { recursive: true, force: true });
  }
}

const hasPort = (m: unknown): m is { port: number } => typeof m === 'object' && m !== null && typeof (m as { port?: unknown }).port === 'number';

async function startPlatform(ch: Children, cpuProf: string | undefined): Promise<{ baseUrl: string; pid: number | undefined; out: () => string }> {
  const dataDir = ch.tempDir('zhijiao-bench-');
  const port = await freePort();
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    ZHIJIAO_DATA_DIR: dataDir,
    ZHIJIAO_DEMO_PASSWORD: DEMO_PASSWORD,
    ZHIJIAO_SEED_DEMO: 'true',
    LOG_LEVEL: 'warn',
  };
  if (cpuProf) mkdirSync(cpuProf, { recursive: true });
  const prof = cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${cpuProf}`] : [];
  const child = spawn(process.execPath, [...prof, '--import', 'tsx', join(root, 'apps/server/src/main.ts')], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const p = ch.track('platform', child);
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`platform exited with ${child.exitCode}:\n${p.out()}`);
    try {
      if ((await fetch(`${baseUrl}/api/health`)).ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`platform did not become healthy:\n${p.out()}`);
    await sleep(150);
  }
  return { baseUrl, pid: child.pid, out: p.out };
}

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => ok(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); NaN elsewhere. */
const CLK_TCK = (() => {
  if (!existsSync('/proc/self/stat')) return NaN;
  const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  return Number(r.stdout?.trim()) || 100;
})();
function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined || !Number.isFinite(CLK_TCK)) return NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / CLK_TCK; // utime, stime (fields 14 and 15)
  } catch {
    return NaN;
  }
}
const selfCpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

// ---------------------------------------------------------------------------------------------
// Admin API (cookie session, like tests/support/server.ts's Client)

class Admin {
  private cookie = '';
  constructor(private readonly baseUrl: string) {}

  async call(method: string, path: string, body?: unknown): Promise<{ status: number; data: any }> {
    const headers: Record<string, string> = { 'accept-language': 'en' };
    if (this.cookie) headers.cookie = this.cookie;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(this.baseUrl + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    for (const c of res.headers.getSetCookie()) {
      const pair = c.split(';')[0]!;
      this.cookie = pair.endsWith('=') ? '' : pair;
    }
    const text = await res.text();
    let data: unknown = text;
    try {
      data = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: res.status, data };
  }

  /** The call, which must answer `want`; its data. */
  async must(method: string, path: string, body: unknown, want: number): Promise<any> {
    const r = await this.call(method, path, body);
    if (r.status !== want) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.data).slice(0, 600)}`);
    return r.data;
  }

  static async login(baseUrl: string, username: string): Promise<Admin> {
    const a = new Admin(baseUrl);
    await a.must('POST', '/api/auth/login', { username, password: DEMO_PASSWORD }, 200);
    return a;
  }
}

/** `n` distinct random 2–4 character words from CHARS, none occurring in `avoid` (separators and non-CJK removed, all texts joined, so no term can match across them). */
function randomTerms(n: number, avoid: string[], seed = 20260501): string[] {
  const rng = mulberry32(seed);
  const hay = avoid.map((t) => t.replace(/[^\u4e00-\u9fff]/g, '')).join('');
  const chars = [...new Set(CHARS)];
  const out = new Set<string>();
  while (out.size < n) {
    const len = 2 + Math.floor(rng() * 3);
    let t = '';
    for (let i = 0; i < len; i++) t += chars[Math.floor(rng() * chars.length)];
    if (!hay.includes(t)) out.add(t);
  }
  return [...out];
}

interface Setup {
  key: string;
  keyId: string;
  quotaId: string;
  lexiconSize: number;
  rosterName: string;
  blockTerm: string;
  ops: Admin;
  county: Admin;
}

async function setUp(baseUrl: string, upstreamUrl: string): Promise<Setup> {
  const ops = await Admin.login(baseUrl, 'sysadmin');
  const county = await Admin.login(baseUrl, 'county_admin1');
  const school = await Admin.login(baseUrl, 'school_admin1');
  const schools = (await ops.must('GET', '/api/schools', undefined, 200)) as { id: string; code: string }[];
  const schoolId = schools.find((s) => s.code === 'XHSY')?.id;
  if (!schoolId) throw new Error('demo school XHSY not found');

  const model = await ops.must('POST', '/api/hub/models', { name: MODEL, vendor: '基准测试', description: 'gateway benchmark', promptPrice: 200, completionPrice: 600 }, 201);
  await ops.must(
    'POST',
    '/api/hub/nodes',
    { name: '基准测试上游', tier: 'main', baseUrl: upstreamUrl, apiKey: 'sk-bench-upstream', weight: 1, maxConcurrency: 256, models: [{ modelId: model.id, upstreamModel: UPSTREAM_MODEL }] },
    201,
  );
  const product = await ops.must(
    'POST',
    '/api/hub/products',
    { name: '基准测试模型', kind: 'model', modelId: model.id, vendor: '基准测试', purpose: '网关性能基准测试', dataTouched: ['学生提问文本'], gradeBands: ['junior'], evidence: 'bench' },
    201,
  );
  const scopes = await county.must('GET', '/api/hub/scopes', undefined, 200);
  const countyId = (scopes.regions as { id: string; level: string }[]).find((r) => r.level === 'county')?.id;
  if (!countyId) throw new Error('county_admin1 has no county in scope');
  const checklist = Object.fromEntries(['data_handling', 'content_safety', 'age_suitability', 'evaluation_evidence'].map((k) => [k, { pass: true, note: 'bench' }]));
  await county.must('POST', `/api/hub/products/${product.id}/reviews`, { decision: 'approve', checklist, comment: 'bench', scope: { regionIds: [countyId], gradeBands: ['junior'] } }, 200);
  const key = await school.must('POST', '/api/hub/keys', { name: '基准测试密钥', ownerType: 'school', ownerId: schoolId, gradeBand: 'junior' }, 201);

  const words = randomTerms(LEXICON_TERMS, [SYSTEM + PROMPT, REPLY]);
  const categories = ['暴力危险', '自伤自残', '色情低俗', '赌博', '毒品', '学术诚信', '不良诱导', '校园欺凌'];
  const terms = words.map((term, i) => ({ term, category: categories[i % categories.length], action: i % 2 === 0 ? 'block' : 'flag', gradeBands: i % 4 === 3 ? ['primary', 'junior'] : null }));
  await ops.must('POST', '/api/hub/lexicon', { terms }, 201);
  const lexiconSize = ((await ops.must('GET', '/api/hub/lexicon', undefined, 200)) as unknown[]).length;
  const quota = await county.must('POST', '/api/hub/quotas', { subjectType: 'key', subjectId: key.id, period: 'day', tokenLimit: 1e13, rpm: 1_000_000 }, 201);
  await ops.must('PUT', '/api/hub/policies/junior', { maskPii: true, restorePii: true, scanInput: true, scanOutput: true, retentionDays: 30 }, 200);
  const student = (await school.must('GET', `/api/students?schoolId=${schoolId}&pageSize=1`, undefined, 200)).items?.[0];
  if (!student?.name) throw new Error('no student in XHSY to check masking with');
  return { key: key.key, keyId: key.id, quotaId: quota.id, lexiconSize, rosterName: student.name, blockTerm: words[0]!, ops, county };
}

// ---------------------------------------------------------------------------------------------
// Targets and the load generator

interface Target {
  name: string;
  origin: string;
  path: string;
  headers: Record<string, string>;
  plain: string;
  stream: string;
}

const bodyOf = (model: string, stream: boolean) =>
  JSON.stringify({ model, messages: [{ role: 'system', content: SYSTEM }, { role: 'user', content: PROMPT }], temperature: 0.7, ...(stream ? { stream: true } : {}) });

function target(name: string, origin: string, path: string, headers: Record<string, string>, model: string): Target {
  return { name, origin, path, headers: { 'content-type': 'application/json', ...headers }, plain: bodyOf(model, false), stream: bodyOf(model, true) };
}

const newPool = (t: Target, connections: number) => new Pool(t.origin, { connections, pipelining: 1, keepAliveTimeout: 120_000, keepAliveMaxTimeout: 120_000 });

/** Answered calls and errors of one target over the whole run (warm-ups included), with a few error samples. */
class Tally {
  ok = 0;
  count = 0;
  samples: string[] = [];
  add(what: string) {
    this.count++;
    if (this.samples.length < 3) this.samples.push(what.slice(0, 300));
  }
}

/** One plain call: latency in ms, or null (and an error counted) when it failed or came back altered. */
async function plainCall(pool: Pool, t: Target, errors: Tally): Promise<number | null> {
  const t0 = performance.now();
  try {
    const res = await pool.request({ path: t.path, method: 'POST', headers: t.headers, body: t.plain });
    const text = await res.body.text();
    const dt = performance.now() - t0;
    if (res.statusCode !== 200 || !text.includes(REPLY)) {
      errors.add(`${t.name}: ${res.statusCode} ${text}`);
      return null;
    }
    errors.ok++;
    return dt;
  } catch (err) {
    errors.add(`${t.name}: ${(err as Error).message}`);
    return null;
  }
}

/** The content of an SSE reply, or an error string: every event JSON, [DONE] last, no error events. */
function sseContent(text: string): { content: string } | { error: string } {
  const events = text.split('\n\n').filter((e) => e.trim() !== '');
  if (events.at(-1) !== 'data: [DONE]') return { error: `last event is not [DONE]: ${events.at(-1)}` };
  let content = '';
  for (const e of events.slice(0, -1)) {
    if (!e.startsWith('data: ')) return { error: `not a data event: ${e}` };
    let j: { choices?: { delta?: { content?: string } }[]; error?: unknown };
    try {
      j = JSON.parse(e.slice(6));
    } catch {
      return { error: `not JSON: ${e}` };
    }
    if (j.error) return { error: `error event: ${e}` };
    content += j.choices?.[0]?.delta?.content ?? '';
  }
  return { content };
}

/** One streamed call: time to the first body byte and to the last, or null on failure. */
async function sseCall(pool: Pool, t: Target, errors: Tally): Promise<{ ttfb: number; ttlb: number } | null> {
  const t0 = performance.now();
  try {
    const res = await pool.request({ path: t.path, method: 'POST', headers: t.headers, body: t.stream });
    let ttfb = -1;
    const parts: Buffer[] = [];
    for await (const c of res.body) {
      if (ttfb < 0) ttfb = performance.now() - t0;
      parts.push(c as Buffer);
    }
    const ttlb = performance.now() - t0;
    const text = Buffer.concat(parts).toString('utf8');
    const sc = sseContent(text);
    if (res.statusCode !== 200 || 'error' in sc || sc.content !== REPLY) {
      errors.add(`${t.name} (sse): ${res.statusCode} ${'error' in sc ? sc.error : `content ${JSON.stringify(sc.content)}`}`);
      return null;
    }
    errors.ok++;
    return { ttfb, ttlb };
  } catch (err) {
    errors.add(`${t.name} (sse): ${(err as Error).message}`);
    return null;
  }
}

function pct(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

/** Sequential calls at one connection, targets interleaved in rounds. */
async function sequential<R>(targets: Target[], warmup: number, n: number, rounds: number, call: (pool: Pool, t: Target) => Promise<R | null>): Promise<R[][]> {
  const pools = targets.map((t) => newPool(t, 1));
  const out: R[][] = targets.map(() => []);
  try {
    for (let i = 0; i < targets.length; i++) for (let k = 0; k < warmup; k++) await call(pools[i]!, targets[i]!);
    const per = Math.ceil(n / rounds);
    for (let r = 0; r < rounds; r++)
      for (let i = 0; i < targets.length; i++)
        for (let k = 0; k < per && out[i]!.length < n; k++) {
          const v = await call(pools[i]!, targets[i]!);
          if (v !== null) out[i]!.push(v);
        }
  } finally {
    await Promise.all(pools.map((p) => p.close()));
  }
  return out;
}

interface LoadResult {
  rps: number;
  ok: number;
  p50: number;
  p99: number;
  seconds: number;
  /** CPU seconds per wall second (cores busy) of each watched process over the measured part, and of this process (the load generator). */
  cores: Record<string, number>;
}

/** A closed loop: `connections` workers, each sending its next call when the last one is answered, for `ms`. */
async function closedLoop(t: Target, connections: number, ms: number, errors: Tally, warmupMs: number, watch: Record<string, number | undefined>): Promise<LoadResult> {
  const pool = newPool(t, connections);
  try {
    const run = async (forMs: number, count: Tally) => {
      const lat: number[] = [];
      const t0 = performance.now();
      const end = t0 + forMs;
      const worker = async () => {
        while (performance.now() < end) {
          const v = await plainCall(pool, t, count);
          if (v !== null) lat.push(v);
        }
      };
      await Promise.all(Array.from({ length: connections }, worker));
      return { lat, seconds: (performance.now() - t0) / 1000 };
    };
    await run(warmupMs, errors);
    const cpu0 = Object.fromEntries(Object.entries(watch).map(([k, pid]) => [k, cpuSeconds(pid)]));
    const self0 = selfCpuSeconds();
    const { lat, seconds } = await run(ms, errors);
    const cores: Record<string, number> = {};
    for (const [k, pid] of Object.entries(watch)) cores[k] = (cpuSeconds(pid) - cpu0[k]!) / seconds;
    cores['load generator'] = (selfCpuSeconds() - self0) / seconds;
    return { rps: lat.length / seconds, ok: lat.length, p50: pct(lat, 50), p99: pct(lat, 99), seconds, cores };
  } finally {
    await pool.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Checks before measuring

async function checkPlain(t: Target): Promise<void> {
  const pool = newPool(t, 1);
  try {
    const res = await pool.request({ path: t.path, method: 'POST', headers: t.headers, body: t.plain });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`${t.name}: ${res.statusCode} ${text.slice(0, 600)}`);
    const j = JSON.parse(text) as { choices?: { message?: { content?: string } }[]; usage?: unknown };
    if (j.choices?.[0]?.message?.content !== REPLY) throw new Error(`${t.name}: the reply came back altered: ${text.slice(0, 600)}`);
    const res2 = await pool.request({ path: t.path, method: 'POST', headers: t.headers, body: t.stream });
    const sse = await res2.body.text();
    const sc = sseContent(sse);
    if (res2.statusCode !== 200 || 'error' in sc || sc.content !== REPLY) throw new Error(`${t.name} (sse): ${res2.statusCode} ${'error' in sc ? sc.error : sc.content} ${sse.slice(0, 400)}`);
  } finally {
    await pool.close();
  }
}

/** Masking and the lexicon are really on: a roster name is masked, a block term refused, the benchmark prompt passes untouched. */
async function checkGuardrails(gw: Target, s: Setup): Promise<string> {
  const call = async (content: string) => {
    const r = await fetch(gw.origin + gw.path, { method: 'POST', headers: gw.headers, body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content }] }) });
    return { status: r.status, data: (await r.json()) as any };
  };
  const masked = await call(`请给${s.rosterName}同学写一句鼓励的话。`);
  if (masked.status !== 200) throw new Error(`roster-name call: ${masked.status} ${JSON.stringify(masked.data)}`);
  const blocked = await call(`请解释${s.blockTerm}是什么意思。`);
  if (blocked.status !== 400 || blocked.data.code !== 'hub.content_blocked') throw new Error(`block-term call: ${blocked.status} ${JSON.stringify(blocked.data)}`);
  const calls = (await s.ops.must('GET', '/api/hub/calls?limit=10', undefined, 200)) as { model: string; outcome: string; guardrails: { masked?: Record<string, number>; flags?: string[] }; promptTokens: number; completionTokens: number }[];
  const mine = calls.filter((c) => c.model === MODEL);
  const [blockedRow, maskedRow, sse, plain] = mine;
  if (blockedRow?.outcome !== 'blocked') throw new Error(`call log: the block-term call is not logged as blocked: ${JSON.stringify(blockedRow)}`);
  if (!maskedRow?.guardrails.masked?.name) throw new Error(`call log: the roster name was not masked: ${JSON.stringify(maskedRow)}`);
  for (const c of [sse, plain])
    if (c?.outcome !== 'ok' || Object.keys(c.guardrails).length > 0 || c.promptTokens !== 180 || c.completionTokens !== 120)
      throw new Error(`call log: the benchmark prompt should pass with no guardrail hits and the upstream's usage: ${JSON.stringify(c)}`);
  return `roster name masked (${JSON.stringify(maskedRow.guardrails.masked)}), block term refused (400 hub.content_blocked), benchmark prompt: no hits, usage 180+120 metered`;
}

// ---------------------------------------------------------------------------------------------

export default async function gatewayBench(args: BenchArgs): Promise<void> {
  const o = options(args.argv);
  const ch = new Children();
  const onExit = () => ch.killNow();
  // A terminal's Ctrl-C reaches this process twice (from the terminal and relayed by tsx): the
  // handler stays installed so that the second one cannot kill it before the clean-up is done.
  let stopping = false;
  const onSignal = (sig: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    void ch.stopAll(3000).finally(() => process.exit(sig === 'SIGINT' ? 130 : 143));
  };
  process.on('exit', onExit);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const load0 = loadavg()[0]!;
  try {
    const baseEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
    const up = await ch.start('fake upstream', [join(here, 'support/fake-upstream.mjs')], { ...baseEnv, BENCH_REPLY: REPLY, BENCH_PIECES: String(PIECES) }, hasPort);
    const upstreamOrigin = `http://127.0.0.1:${up.msg.port}`;
    const [platform, portkey] = await Promise.all([
      startPlatform(ch, o.cpuProf),
      ch.start('portkey', [join(here, 'support/portkey.mjs')], { ...baseEnv, NODE_ENV: 'production' }, hasPort),
    ]);
    const s = await setUp(platform.baseUrl, `${upstreamOrigin}/v1`);

    const direct = target('direct', upstreamOrigin, '/v1/chat/completions', {}, UPSTREAM_MODEL);
    const gw = target('gateway', platform.baseUrl, '/v1/chat/completions', { authorization: `Bearer ${s.key}` }, MODEL);
    const pk = target(
      'portkey',
      `http://127.0.0.1:${portkey.msg.port}`,
      '/v1/chat/completions',
      { authorization: 'Bearer sk-bench-upstream', 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${upstreamOrigin}/v1` },
      UPSTREAM_MODEL,
    );
    for (const t of [direct, gw, pk]) await checkPlain(t);
    const guardrails = await checkGuardrails(gw, s);
    // Calls answered before the tallies: checkPlain's two and the masked one (the refused one has no tokens).
    const checkCalls = 3;

    const errs = { direct: new Tally(), gateway: new Tally(), portkey: new Tally() };

    // 1. Added latency at one connection.
    const rounds = 6;
    const [dLat, gLat] = await sequential([direct, gw], o.warmup, o.requests, rounds, (p, t) => plainCall(p, t, t === gw ? errs.gateway : errs.direct));

    // 2. SSE at one connection.
    const sseWarm = Math.min(200, o.warmup);
    const [dSse, gSse] = await sequential([direct, gw], sseWarm, o.sseRequests, rounds, (p, t) => sseCall(p, t, t === gw ? errs.gateway : errs.direct));

    // 3. Throughput at N connections.
    const ms = o.durationS * 1000;
    const upPid = up.child.pid;
    const dLoad = await closedLoop(direct, o.connections, ms, errs.direct, THROUGHPUT_WARMUP_MS, { upstream: upPid });
    const gLoad = await closedLoop(gw, o.connections, ms, errs.gateway, THROUGHPUT_WARMUP_MS, { gateway: platform.pid, upstream: upPid });
    const pLoad = await closedLoop(pk, o.connections, ms, errs.portkey, THROUGHPUT_WARMUP_MS, { portkey: portkey.child.pid, upstream: upPid });
    const load1 = loadavg()[0]!;

    // Metering: the key's quota counter must equal 300 tokens per answered gateway call.
    const quotas = (await s.county.must('GET', '/api/hub/quotas', undefined, 200)) as { id: string; used: number }[];
    const used = quotas.find((q) => q.id === s.quotaId)?.used ?? -1;
    const answered = errs.gateway.ok + checkCalls;

    const d50 = pct(dLat!, 50), d99 = pct(dLat!, 99), g50 = pct(gLat!, 50), g99 = pct(gLat!, 99);
    const dTtfb = pct(dSse!.map((x) => x.ttfb), 50), gTtfb = pct(gSse!.map((x) => x.ttfb), 50);
    const dTtlb = pct(dSse!.map((x) => x.ttlb), 50), gTtlb = pct(gSse!.map((x) => x.ttlb), 50);
    const r3 = (x: number) => Math.round(x * 1000) / 1000;
    const r1 = (x: number) => Math.round(x * 10) / 10;

    report(SUITE, {
      p50_added_ms: r3(g50 - d50),
      p99_added_ms: r3(g99 - d99),
      rps: Math.round(gLoad.rps),
      direct_rps: Math.round(dLoad.rps),
      portkey_rps: Math.round(pLoad.rps),
      rps_ratio: Math.round((gLoad.rps / pLoad.rps) * 100) / 100,
      sse_p50_added_ms: r3(gTtlb - dTtlb),
      sse_ttfb_added_ms: r3(gTtfb - dTtfb),
      errors: errs.gateway.count,
      direct_errors: errs.direct.count,
      portkey_errors: errs.portkey.count,
    });
    const cpu = cpus();
    console.log(`# machine: ${cpu.length} CPUs (${cpu[0]?.model.trim() ?? '?'}), node ${process.version}, ${process.platform}; the load generator (this process), the fake upstream and the gateway under test (the platform, or Portkey) all share these ${cpu.length} cores, so rps is what is left for the gateway here, not what a dedicated host would serve`);
    console.log(`# gateway: every guardrail on — key auth, approval (county, junior), key quota (tokens 1e13/day, rpm 1e6), metering and the encrypted call log, PII masking with the school's roster, lexicon in and out (${s.lexiconSize} terms: ${LEXICON_TERMS} random + the demo's), upstream node maxConcurrency 256; embedded PGlite database (the default), so the call log's batched inserts run in the gateway's process`);
    console.log(`# checks: all three targets return the upstream's reply intact (plain and SSE); ${guardrails}`);
    console.log(`# latency, 1 connection, ${o.warmup} warm-up + ${o.requests} calls each (interleaved in ${rounds} rounds): direct p50=${r3(d50)} p99=${r3(d99)} ms; gateway p50=${r3(g50)} p99=${r3(g99)} ms`);
    console.log(`# sse, 1 connection, ${sseWarm} warm-up + ${o.sseRequests} calls each, ${PIECES + 2} events + [DONE] from the upstream: direct ttfb p50=${r3(dTtfb)} ttlb p50=${r3(dTtlb)} ms; gateway ttfb p50=${r3(gTtfb)} ttlb p50=${r3(gTtlb)} ms`);
    for (const [name, r] of [['direct', dLoad], ['gateway', gLoad], ['portkey', pLoad]] as const) {
      const busy = Object.entries(r.cores).map(([k, c]) => `${k} ${Math.round(c * 100) / 100}`).join(', ');
      const own = r.cores[name];
      const perCall = own !== undefined && Number.isFinite(own) ? `; ${name} CPU per call ${r3((own * 1000) / r.rps)} ms` : '';
      console.log(`# throughput ${name}: ${o.connections} connections, ${r1(r.seconds)} s after ${THROUGHPUT_WARMUP_MS / 1000} s warm-up: ${r.ok} calls, ${Math.round(r.rps)} req/s, latency p50=${r3(r.p50)} p99=${r3(r.p99)} ms; cores busy: ${busy}${perCall}`);
    }
    console.log(`# machine load average (1 min) at start ${r1(load0)}, after the throughput runs ${r1(load1)} (this run's own processes account for about 2–3; more means other work competed with it)`);
    console.log(`# metering: the key's quota counter says ${used} tokens; ${answered} gateway calls were answered (warm-ups and checks included) × 300 tokens = ${answered * 300}${used === answered * 300 ? ' (equal)' : ' (DIFFERENT)'}`);
    for (const [name, e] of Object.entries(errs)) for (const sample of e.samples) console.log(`# error ${name}: ${sample}`);
    console.log(`# portkey: @portkey-ai/gateway ${portkeyVersion()} (its CLI, --headless, NODE_ENV=production, bound to 127.0.0.1), x-portkey-provider: openai, x-portkey-custom-host: the fake upstream`);
  } finally {
    await ch.stopAll(o.cpuProf ? 60_000 : 15_000);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('exit', onExit);
  }
}

function portkeyVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(root, 'node_modules/@portkey-ai/gateway/package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}
