/**
 * Assessment: homework and exams built from the item bank, students' answers and idempotent
 * submissions, the marking pipeline in the worker, teachers' review, feedback and error notebooks.
 * Emits `submission.marked` for the learner model and analytics. The module's only public door.
 */
import type { AuditLog } from '../../platform/audit/index.js';
import type { Db } from '../../platform/db/index.js';
import type { App } from '../../platform/http/app.js';
import type { JobQueue } from '../../platform/jobs/index.js';
import type { Principal } from '../../platform/auth/principal.js';
import type { CurriculumModule, Item } from '../curriculum/index.js';
import type { LlmEndpoint } from './llm.js';
import { Marking } from './marking-service.js';
import { PaperScores } from './paper.js';
import { AssessmentRecords } from './records.js';
import { assessmentRoutes } from './routes.js';
import { Assignments, type Directory } from './service.js';
import { AssignmentInput } from './schema.js';
import { isWrong, markItem } from './marking.js';
import { correctAnswer, responseProblem, studentBody } from './views.js';
import { AppError } from '../../platform/http/errors.js';
import type { z } from 'zod';

export { SUBMISSION_MARKED } from './marking-service.js';
export type { AssignmentInput } from './schema.js';

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
  const records = new AssessmentRecords(d.db);
  return {
    routes: (app: App) => assessmentRoutes(app, assignments, marking, paper),
    /** For analytics' portrait: a student's homework due in a period, with their submissions. */
    homeworkOf: records.homeworkOf.bind(records),
    /** For analytics' portrait: a student's error-notebook entries, open and mastered. */
    notebookOf: records.notebookOf.bind(records),
    /** For analytics' check-up: a teacher's assignments in a period with submissions, marking times and AI-assisted marks. */
    teachingOf: records.teachingOf.bind(records),
    /** For analytics' AI regular-use rate: reviews of AI-suggested marks per teacher and week. */
    aiReviewUseSince: records.aiReviewUseSince.bind(records),
    /** A student's submission, as over HTTP (the demo activity answers for demo students). */
    submit: assignments.submit.bind(assignments),
    /** Create an assignment, optionally visible only to some students of its classes (tiered practice). */
    createAssignment: (p: Principal, input: z.input<typeof AssignmentInput>, audience?: string[]) => assignments.create(p, AssignmentInput.parse(input), audience),
    /** For analytics: an assignment's classes, author and questions (choice options and keys); null if none. */
    assignmentAudience: assignments.audience.bind(assignments),
    /** For early warning: per student, homework due in [since, now] of the classes (null: all) without a submission. */
    missingHomework: assignments.missingHomework.bind(assignments),
    /** Error-notebook entries of a student due for review now. */
    notebookDue: marking.dueEntries.bind(marking),
    /** A practice answer to an item in the open notebook counts as its spaced-review retry. */
    notebookPractised: marking.practisedNotebookItem.bind(marking),
    /** The item as a student may see it while answering (no answers or rubrics). */
    studentView: (item: Item) => studentBody(item.body),
    /** Marks a practice answer at once with the same engines as homework (no review queue, no language model). */
    markPractice: async (item: Item, answer: unknown) => {
      const problem = responseProblem(item.body, answer);
      if (problem)
        throw new AppError(422, 'assessment.answer_invalid', { zh: '答案格式不对。', en: `The answer is in the wrong form: ${problem}.` }, { details: { problems: [{ position: 1, problem }] } });
      const snap = { type: item.body.type, body: item.body, explanation: item.explanation, knowledgePoints: item.knowledgePoints, difficulty: item.difficulty, subject: item.subject, grade: item.grade };
      const m = await markItem(snap, answer, 1, {
        llm: null,
        threshold: 0,
        alwaysReview: false,
        names: [],
        essayModel: async () => null,
        essaySamples: async () => 0,
        itemId: item.id,
      });
      return {
        correct: !m.review && !isWrong(m.score, 1),
        score: m.score,
        max: 1,
        points: m.detail.points.map((pt) => ({ id: pt.id, label: pt.label, max: pt.max, score: pt.score })),
        correctAnswer: correctAnswer(item.body),
        explanation: item.explanation,
      };
    },
  };
}
