/**
 * Composition root: config -> database -> modules -> HTTP + worker. Started by `npm start`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import pino from 'pino';
import { z } from 'zod';
import { AuditLog } from './platform/audit/index.js';
import { auditRoutes } from './platform/audit/routes.js';
import { ConfigError, loadConfig, type Config } from './platform/config.js';
import { DataCipher } from './platform/crypto/index.js';
import { openDatabase } from './platform/db/index.js';
import { buildApp } from './platform/http/app.js';
import { JobQueue } from './platform/jobs/index.js';
import { createAssessment } from './modules/assessment/index.js';
import { createCurriculum } from './modules/curriculum/index.js';
import { createIdentity } from './modules/identity/index.js';
import { createLearning } from './modules/learning/index.js';
import { createAnalytics } from './modules/analytics/index.js';
import { createHub } from './modules/hub/index.js';
import { createWarning, type Clock, type WarningSettings } from './modules/warning/index.js';
import { seedDemoActivity } from './demo-activity.js';

/**
 * `options.now` is the early-warning clock (escalation deadlines, rule windows): the real clock
 * unless a test passes a controllable one.
 */
export async function startPlatform(config: Config, options: { now?: Clock; warning?: Partial<WarningSettings> } = {}) {
  const logger = pino({ level: config.logLevel, base: { service: 'zhijiao' } });
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  logger.info({ engine: database.engine, dataDir: config.databaseUrl ? undefined : config.dataDir }, 'database ready, migrations applied');
  const { db } = database;
  const audit = new AuditLog(db);
  const cipher = DataCipher.fromConfig(config.dataKey, config.dataDir);
  const jobs = new JobQueue(db, logger.child({ part: 'jobs' }));
  const identity = createIdentity({
    db,
    audit,
    cipher,
    jobs,
    settings: { sessionHours: config.sessionHours, lockout: config.lockout },
  });

  const curriculum = createCurriculum({ db, audit, workplaces: identity });
  // Filled in once the gateway listens: marking calls the hub's /v1 with the module's own key.
  const assessmentSettings: { llm: { url: string; model: string; key: string | undefined } | null; threshold: number } = { llm: null, threshold: config.reviewThreshold };
  const assessment = createAssessment({
    db,
    audit,
    jobs,
    curriculum,
    directory: identity,
    settings: assessmentSettings,
  });
  const learning = createLearning({ db, audit, jobs, log: logger.child({ part: 'learning' }), curriculum, assessment, directory: identity });
  const analytics = createAnalytics({ db, audit, jobs, log: logger.child({ part: 'analytics' }), assessment, curriculum, learning, directory: identity, pdfFont: config.pdfFont,
    // The hub is created below; the AI-use sync first calls it once the server has started.
    hub: { aiUseSince: (since: Date) => hub.aiUseSince(since) }, aiRegular: config.aiRegular });
  const warning = createWarning({
    db,
    audit,
    cipher,
    log: logger.child({ part: 'warning' }),
    now: options.now ?? (() => new Date()),
    settings: options.warning,
    directory: identity,
    assessment,
    learning,
    curriculum,
  });
  const hub = await createHub({ db, audit, cipher, log: logger.child({ part: 'hub' }), directory: identity });

  const app = await buildApp({
    logger,
    authenticate: identity.authenticate,
    onDenied: (req, err) =>
      audit.append({
        actor: req.principal ? req.principal : null,
        action: 'authz.denied',
        resourceType: (err.details?.resourceType as string) ?? null,
        resourceId: (err.details?.resourceId as string) ?? null,
        outcome: 'denied',
        detail: { method: req.method, route: req.routeOptions.url ?? req.url, permission: err.details?.permission ?? null },
        ip: req.ip,
      }),
    maxUploadBytes: 20 * 1024 * 1024,
  });
  app.get(
    '/api/health',
    { schema: { tags: ['system'], summary: 'Liveness: ok once migrations have run', response: { 200: z.object({ status: z.literal('ok') }) } } },
    async () => ({ status: 'ok' as const }),
  );
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  identity.routes(app);
  curriculum.routes(app);
  assessment.routes(app);
  learning.routes(app);
  analytics.routes(app);
  hub.routes(app);
  warning.routes(app);
  auditRoutes(app, audit);

  if (existsSync(join(config.webDist, 'index.html'))) {
    await app.register(fastifyStatic, { root: config.webDist, wildcard: false });
    // Client-side routes (/classes, /students/…) get the app shell; unknown /api paths and missing
    // files (an asset of another build) stay 404 problems rather than HTML the browser cannot run.
    app.get('/*', { schema: { hide: true } }, async (req, reply) => {
      const path = req.url.split('?')[0];
      if (path.startsWith('/api/') || /\.[a-z0-9]+$/i.test(path)) return reply.callNotFound();
      return reply.type('text/html; charset=utf-8').sendFile('index.html');
    });
  } else {
    logger.warn({ webDist: config.webDist }, 'web app not built: run `npm run build` (npm start does this)');
  }

  if (config.seedDemo) {
    const demo = await identity.seedDemoIfEmpty(config.demoPassword);
    if (demo) printDemoLogins(demo.usernames, demo.password, demo.generated);
    const region = await identity.rootRegionId();
    if (region) {
      const seeded = await curriculum.seedDemoIfEmpty(region);
      if (seeded.subjects || seeded.items) logger.info(seeded, 'demo knowledge-point graphs and items seeded');
      await hub.reload(); // the region tree may have just been seeded
      if (await hub.seedDemoIfEmpty(region)) logger.info('demo AI hub seeded: models, main node, approvals, lexicon');
      if (demo && config.demoActivity) await seedDemoActivity({ identity, curriculum, assessment }, logger.child({ part: 'demo' }));
    }
  }
  // Embedded PGlite allows one process only, so a job marked running was left by a crash.
  if (database.engine === 'pglite') {
    const reclaimed = await jobs.reclaimAbandoned();
    if (reclaimed) logger.warn({ reclaimed }, 'resuming jobs interrupted by a crash');
  }
  await hub.reload(); // the region tree may have just been seeded
  jobs.start();
  learning.start();
  await analytics.start();
  hub.start();
  warning.start();
  await app.listen({ port: config.port, host: config.host });
  if (config.markingModel) {
    const addr = app.server.address();
    const port = typeof addr === 'object' && addr ? addr.port : config.port;
    assessmentSettings.llm = { url: `http://127.0.0.1:${port}/v1`, model: config.markingModel, key: await hub.issueModuleKey('assessment') };
    logger.info({ model: config.markingModel }, 'language-model marking goes through the hub gateway');
  }

  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      logger.info('shutting down');
      await app.close();
      await hub.stop();
      await learning.stop();
      await analytics.stop();
      await warning.stop();
      await jobs.stop();
      await database.close();
    })());
  return { app, close, engine: database.engine, hub, warning };
}

function printDemoLogins(usernames: string[], password: string, generated: boolean) {
  const shown = usernames.filter((u) => !/^student([2-9]|\d{2,})$/.test(u));
  const lines = [
    '',
    '──────── 智教 Zhijiao demo region seeded 演示数据已生成 ────────',
    `Accounts 账号: ${shown.join(', ')}, student2 … student${usernames.filter((u) => u.startsWith('student')).length}`,
    generated
      ? `Password 密码 (generated, shown only this once 仅显示一次): ${password}`
      : 'Password 密码: the value of ZHIJIAO_DEMO_PASSWORD',
    '─────────────────────────────────────────────────────────────',
    '',
  ];
  process.stdout.write(lines.join('\n'));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  let config: Config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const platform = await startPlatform(config);
  process.stdout.write(`Zhijiao is running on http://localhost:${platform.app.server.address() && typeof platform.app.server.address() === 'object' ? (platform.app.server.address() as { port: number }).port : config.port}\n`);
  for (const sig of ['SIGINT', 'SIGTERM'] as const)
    process.once(sig, () => {
      platform.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
}
