/**
 * Learning: the learner model (mastery per student and knowledge point, online BKT updates,
 * periodic refits), the students' companion (plan, path, practice) and teachers' class view and
 * tiered practice. Consumes `submission.marked`. The module's only public door.
 */
import type { Logger } from 'pino';
import type { AuditLog } from '../../platform/audit/index.js';
import type { Db } from '../../platform/db/index.js';
import { EventConsumer } from '../../platform/events/index.js';
import type { App } from '../../platform/http/app.js';
import type { JobQueue } from '../../platform/jobs/index.js';
import { learningRoutes } from './routes.js';
import { Learning, REFIT_JOB, type LearningDeps } from './service.js';

export function createLearning(d: { db: Db; audit: AuditLog; jobs: JobQueue; log: Logger } & LearningDeps) {
  const learning = new Learning(d.db, d.audit, d.jobs, d.log, d);
  d.jobs.register(REFIT_JOB, (payload) => learning.runRefit(String(payload.refitId)));
  const consumer = new EventConsumer(d.db, d.log, 'learning', ['submission.marked'], async (tx, ev) => learning.onSubmissionMarked(tx, ev));
  let timer: NodeJS.Timeout | null = null;
  return {
    routes: (app: App) => learningRoutes(app, learning),
    start: () => {
      consumer.start();
      // Refits are periodic: checked every minute, queued once enough new answers came in.
      timer = setInterval(() => void learning.maybeRefit().catch((err: unknown) => d.log.error({ err }, 'refit check failed')), 60_000);
    },
    stop: async () => {
      if (timer) clearInterval(timer);
      await consumer.stop();
    },
    /** Applies waiting events now, then queues a refit where enough new answers came in. */
    drain: async () => {
      while ((await consumer.tick()) > 0);
      await learning.maybeRefit();
    },
  };
}
