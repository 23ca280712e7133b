/**
 * Analytics: aggregates of marked answers (consumes `submission.marked`), homework and exam
 * reports with their .xlsx and PDF, IRT difficulty calibration written back to the item bank (on
 * request and automatically), portraits, the teaching check-up and the region cockpit.
 * The module's only public door.
 */
import type { Logger } from 'pino';
import type { AuditLog } from '../../platform/audit/index.js';
import type { Db } from '../../platform/db/index.js';
import { EventConsumer } from '../../platform/events/index.js';
import type { App } from '../../platform/http/app.js';
import type { JobQueue } from '../../platform/jobs/index.js';
import { analyticsRoutes } from './routes.js';
import { createPortraitServices, portraitRoutes, type PortraitModuleDeps } from './portrait-routes.js';
import { Analytics, CALIBRATE_JOB, type AnalyticsDeps } from './service.js';
import { AiUseSync, type AiUseDeps } from './ai-use.js';
import { Cockpit, rebuildRollups, rollupsMissing, type CockpitDeps } from './cockpit.js';
import { cockpitRoutes } from './cockpit-routes.js';
import { rebuildSheets, sheetsMissing } from './sheets.js';

const CALIBRATION_CHECK_MS = 10 * 60_000;

export function createAnalytics(d: { db: Db; audit: AuditLog; jobs: JobQueue; log: Logger } & AnalyticsDeps & PortraitModuleDeps & CockpitDeps & AiUseDeps) {
  const analytics = new Analytics(d.db, d.audit, d.jobs, d.log, d);
  const portrait = createPortraitServices(d.db, d.audit, d);
  const aiUse = new AiUseSync(d.db, d.log, d);
  const cockpit = new Cockpit(d.db, d, aiUse.setting);
  d.jobs.register(CALIBRATE_JOB, (payload) => analytics.runCalibration(String(payload.calibrationId)));
  let calibrationTimer: NodeJS.Timeout | null = null;
  const consumer = new EventConsumer(d.db, d.log, 'analytics', ['submission.marked'], async (tx, ev) => analytics.onSubmissionMarked(tx, ev));
  return {
    routes: (app: App) => {
      analyticsRoutes(app, analytics);
      portraitRoutes(app, portrait);
      cockpitRoutes(app, cockpit);
    },
    start: async () => {
      // Answers stored before the cockpit's rollups (and the report's sheets) existed are gathered once, before new ones arrive.
      if (await rollupsMissing(d.db)) await d.db.transaction((tx) => rebuildRollups(tx));
      if (await sheetsMissing(d.db)) await d.db.transaction((tx) => rebuildSheets(tx));
      consumer.start();
      aiUse.start();
      // Difficulty calibration once items have enough students (checked every 10 minutes).
      calibrationTimer ??= setInterval(() => void analytics.maybeCalibrate().catch((err) => d.log.error({ err }, 'automatic calibration check failed')), CALIBRATION_CHECK_MS);
    },
    stop: async () => {
      if (calibrationTimer) clearInterval(calibrationTimer);
      calibrationTimer = null;
      aiUse.stop();
      await consumer.stop();
    },
    /** Applies waiting events now. */
    drain: async () => {
      while ((await consumer.tick()) > 0);
    },
  };
}
