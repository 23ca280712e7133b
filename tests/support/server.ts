/**
 * Starts the real server as a child process (the same entry point as `npm start`) on a free port
 * with a fresh data directory, and waits until /api/health answers. Integration and e2e tests
 * talk to it over HTTP only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, cpSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createServer } from 'node:net';

export const DEMO_PASSWORD = 'Demo-Passw0rd-for-tests';
const root = resolve(import.meta.dirname, '../..');

export interface RunningServer {
  baseUrl: string;
  dataDir: string;
  process: ChildProcess;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** The DATABASE_URL the server runs on (PostgreSQL), undefined for PGlite. */
  databaseUrl: string | undefined;
  /** Removes what stop() would have removed (temporary data dir, fresh database); for keepData. Idempotent. */
  cleanup(): Promise<void>;
}

export interface StartOptions {
  /** Use this PostgreSQL server instead of an embedded PGlite database. */
  databaseUrl?: string;
  /** Reuse a data directory (e.g. to test a restart); default: a new temporary one. */
  dataDir?: string;
  env?: Record<string, string>;
  /** Seed the demo region on an empty database (default true). */
  seedDemo?: boolean;
  /** Variables removed from the server's environment (e.g. ZHIJIAO_DEMO_PASSWORD to get a generated one). */
  unsetEnv?: string[];
  /** stop() keeps the data dir / fresh database (to restart on it); call cleanup() when done. */
  keepData?: boolean;
}

async function freePort(): Promise<number> {
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

/**
 * A migrated, seeded PGlite directory made once by the global setup and copied per server
 * (creating a fresh PGlite database costs seconds, copying one a few milliseconds).
 */
const templateDir = () => process.env.ZHIJIAO_TEST_TEMPLATE;

/** With PostgreSQL, every server gets its own new database on that server, dropped at stop. */
export async function freshDatabase(url: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const { default: pg } = await import('pg');
  const name = `zhijiao_t_${process.pid}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const u = new URL(url);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export async function startServer(opts: StartOptions = {}): Promise<RunningServer> {
  const serverUrl = opts.databaseUrl ?? process.env.TEST_DATABASE_URL;
  const fresh = serverUrl && !opts.databaseUrl ? await freshDatabase(serverUrl) : null;
  const databaseUrl = fresh?.url ?? opts.databaseUrl;
  let dataDir = opts.dataDir;
  if (!dataDir) {
    dataDir = mkdtempSync(join(tmpdir(), 'zhijiao-test-'));
    const template = templateDir();
    if (!databaseUrl && opts.seedDemo !== false && template && existsSync(join(template, 'db'))) {
      cpSync(template, dataDir, { recursive: true });
    }
  }
  const port = await freePort();
  let out = '';
  const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      NODE_ENV: 'test',
      PORT: String(port),
      HOST: '127.0.0.1',
      ZHIJIAO_DATA_DIR: dataDir,
      ZHIJIAO_DEMO_PASSWORD: DEMO_PASSWORD,
      ZHIJIAO_SEED_DEMO: opts.seedDemo === false ? 'false' : 'true',
      ZHIJIAO_DEMO_ACTIVITY: 'false',
      LOG_LEVEL: 'warn',
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
      ...opts.env,
  };
  for (const name of opts.unsetEnv ?? []) delete env[name];
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'apps/server/src/main.ts')], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${out}`);
    try {
      const r = await fetch(`${baseUrl}/api/health`);
      if (r.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not become healthy:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  const dir = dataDir;
  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    if (!opts.dataDir) rmSync(dir, { recursive: true, force: true });
    await fresh?.drop();
  };
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    const done = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
    child.kill(signal);
    const code = await done;
    if (!opts.keepData) await cleanup();
    return code;
  };
  return { baseUrl, dataDir: dir, process: child, output: () => out, stop, databaseUrl, cleanup };
}

/** A tiny cookie-keeping HTTP client for tests. */
export class Client {
  private cookie = '';
  constructor(
    readonly baseUrl: string,
    private readonly lang = 'zh-CN',
  ) {}

  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const h: Record<string, string> = { 'accept-language': this.lang, ...headers };
    if (this.cookie) h.cookie = this.cookie;
    let payload: BodyInit | undefined;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      h['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    const res = await fetch(this.baseUrl + path, { method, headers: h, body: payload, redirect: 'manual' });
    const set = res.headers.getSetCookie();
    for (const c of set) {
      const [pair] = c.split(';');
      if (pair.endsWith('=')) this.cookie = '';
      else this.cookie = pair;
    }
    const type = res.headers.get('content-type') ?? '';
    const data = type.includes('json') ? await res.json() : await res.arrayBuffer();
    return { status: res.status, headers: res.headers, data: data as any };
  }

  get = (path: string, headers?: Record<string, string>) => this.request('GET', path, undefined, headers);
  post = (path: string, body?: unknown, headers?: Record<string, string>) => this.request('POST', path, body, headers);
  delete = (path: string) => this.request('DELETE', path);

  async login(username: string, password = DEMO_PASSWORD) {
    const r = await this.post('/api/auth/login', { username, password });
    if (r.status !== 200) throw new Error(`login ${username} failed: ${r.status} ${JSON.stringify(r.data)}`);
    return r.data;
  }
}
