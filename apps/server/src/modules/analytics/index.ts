/**
 * Analytics: aggregates of marked answers (consumes `submission.marked`), homework and exam
 * reports with their .xlsx, and IRT difficulty calibration written back to the item bank.
 * The module's only public door.
 */
import type { Logger } from 'pino';
import type { AuditLog } from '../../platform/audit/index.js';
import type { Db } from '../../platform/db/index.js';
import { EventConsumer } from '../../platform/events/index.js';
import type { App } from '../../platform/http/app.js';
import type { JobQueue } from '../../platform/jobs/index.js';
import { analyticsRoutes } from './routes.js';
import { Analytics, CALIBRATE_JOB, type AnalyticsDeps } from './service.js';

export function createAnalytics(d: { db: Db; audit: AuditLog; jobs: JobQueue; log: Logger } & AnalyticsDeps) {
  const analytics = new Analytics(d.db, d.audit, d.jobs, d.log, d);
  d.jobs.register(CALIBRATE_JOB, (payload) => analytics.runCalibration(String(payload.calibrationId)));
  const consumer = new EventConsumer(d.db, d.log, 'analytics', ['submission.marked'], async (tx, ev) => analytics.onSubmissionMarked(tx, ev));
  return {
    routes: (app: App) => analyticsRoutes(app, analytics),
    start: () => consumer.start(),
    stop: () => consumer.stop(),
    /** Applies waiting events now. */
    drain: async () => {
      while ((await consumer.tick()) > 0);
    },
  };
}
