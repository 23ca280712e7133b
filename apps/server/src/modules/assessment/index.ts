/**
 * Assessment: homework and exams built from the item bank, students' answers and idempotent
 * submissions, the marking pipeline in the worker, teachers' review, feedback and error notebooks.
 * Emits `submission.marked` for the learner model and analytics. The module's only public door.
 */
import type { AuditLog } from '../../platform/audit/index.js';
import type { Db } from '../../platform/db/index.js';
import type { App } from '../../platform/http/app.js';
import type { JobQueue } from '../../platform/jobs/index.js';
import type { CurriculumModule } from '../curriculum/index.js';
import type { LlmEndpoint } from './llm.js';
import { Marking } from './marking-service.js';
import { PaperScores } from './paper.js';
import { assessmentRoutes } from './routes.js';
import { Assignments, type Directory } from './service.js';

export { SUBMISSION_MARKED } from './marking-service.js';

export function createAssessment(d: {
  db: Db;
  audit: AuditLog;
  jobs: JobQueue;
  curriculum: Pick<CurriculumModule, 'getItem' | 'searchItems' | 'markItemAnswered'>;
  directory: Directory;
  settings: { llm: LlmEndpoint | null; threshold: number };
}) {
  const assignments = new Assignments(d.db, d.audit, d.jobs, d.curriculum, d.directory);
  const marking = new Marking(d.db, d.audit, d.jobs, assignments, d.directory, d.settings);
  marking.register();
  const paper = new PaperScores(d.db, d.audit, assignments, marking, d.directory);
  return { routes: (app: App) => assessmentRoutes(app, assignments, marking, paper) };
}
