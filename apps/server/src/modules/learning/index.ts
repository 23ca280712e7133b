/**
 * Learning: the learner model (mastery per student and knowledge point, online BKT updates,
 * periodic refits), the students' companion (plan, path, practice) and teachers' class view and
 * tiered practice. Consumes `submission.marked`. The module's only public door.
 */
import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { AuditLog } from '../../platform/audit/index.js';
import { queryRows, type Db } from '../../platform/db/index.js';
import { EventConsumer } from '../../platform/events/index.js';
import type { App } from '../../platform/http/app.js';
import type { JobQueue } from '../../platform/jobs/index.js';
import { masteryRecordOf } from './records.js';
import { learningRoutes } from './routes.js';
import { Learning, REFIT_JOB, type LearningDeps } from './service.js';

export function createLearning(d: { db: Db; audit: AuditLog; jobs: JobQueue; log: Logger } & LearningDeps) {
  const learning = new Learning(d.db, d.audit, d.jobs, d.log, d);
  d.jobs.register(REFIT_JOB, (payload) => learning.runRefit(String(payload.refitId)));
  const consumer = new EventConsumer(d.db, d.log, 'learning', ['submission.marked'], async (tx, ev) => learning.onSubmissionMarked(tx, ev));
  let timer: NodeJS.Timeout | null = null;
  return {
    routes: (app: App) => learningRoutes(app, learning),
    /** For analytics' portrait: a student's current mastery per point and its history in a period. */
    masteryRecordOf: (studentId: string, opts: { subject?: string; from: Date; to: Date }) => masteryRecordOf(d.db, studentId, opts),
    start: () => {
      consumer.start();
      // Refits are periodic: checked every minute, queued once enough new answers came in.
      timer = setInterval(() => void learning.maybeRefit().catch((err: unknown) => d.log.error({ err }, 'refit check failed')), 60_000);
    },
    stop: async () => {
      if (timer) clearInterval(timer);
      await consumer.stop();
    },
    /**
     * Personalised practice answered in the companion since `since`, per student and week (Monday,
     * China time, YYYY-MM-DD): an AI feature that makes no model call, counted in AI-use statistics.
     */
    practiceUseSince: (since: Date) =>
      queryRows<{ userId: string; week: string; uses: number }>(
        d.db,
        sql`select student_id as "userId", to_char(date_trunc('week', (answered_at at time zone 'UTC') + interval '8 hours'), 'YYYY-MM-DD') as week, count(*)::int as uses
            from learning_responses where source = 'practice' and answered_at >= ${since.toISOString()}::timestamptz group by 1, 2`,
      ),
    /** For early warning: per student and knowledge point, mastery updates since a time with the value before it. */
    masteryHistorySince: learning.masteryHistorySince.bind(learning),
    /** Applies waiting events now, then queues a refit where enough new answers came in. */
    drain: async () => {
      while ((await consumer.tick()) > 0);
      await learning.maybeRefit();
    },
  };
}
