/** API shapes of the assessment module (validation, OpenAPI, the web's types). */
import { z } from 'zod';
import { ITEM_TYPES } from '../curriculum/index.js';

const noNul = (s: string) => !s.includes('\u0000');
const title = z.string().trim().min(1).max(120).refine(noNul, 'must not contain NUL characters');

export const BlueprintRow = z.object({
  /** Knowledge-point codes; an item matches if it is tagged with one of them or a descendant. */
  knowledgePoints: z.array(z.string().min(1).max(64)).min(1).max(20),
  type: z.enum(ITEM_TYPES),
  count: z.number().int().min(1).max(50),
  /** Difficulty range, 1 (easy) … 5 (hard): an item's calibrated level (from IRT) where it has one, else the author's estimate. */
  difficultyMin: z.number().int().min(1).max(5).default(1),
  difficultyMax: z.number().int().min(1).max(5).default(5),
  /** Points per item of this row. */
  score: z.number().positive().max(100),
});
export const Blueprint = z
  .object({
    subject: z.string().min(1).max(32),
    grade: z.number().int().min(1).max(12),
    rows: z.array(BlueprintRow).min(1).max(30),
    /** When given, the rows' points must add up to it. */
    totalScore: z.number().positive().max(1000).optional(),
    /** Same seed, same bank → same selection. */
    seed: z.number().int().min(0).max(2 ** 31).default(1),
  })
  .superRefine((b, ctx) => {
    b.rows.forEach((r, i) => {
      if (r.difficultyMin > r.difficultyMax)
        ctx.addIssue({ code: 'custom', path: ['rows', i, 'difficultyMin'], message: 'difficultyMin must not exceed difficultyMax' });
    });
    const sum = b.rows.reduce((s, r) => s + r.count * r.score, 0);
    if (b.totalScore !== undefined && Math.abs(sum - b.totalScore) > 1e-6)
      ctx.addIssue({ code: 'custom', path: ['totalScore'], message: `the rows add up to ${sum} points, not ${b.totalScore}` });
  });
export type Blueprint = z.infer<typeof Blueprint>;

export const PickedItem = z.object({
  itemId: z.string().uuid(),
  score: z.number().positive().max(100).optional(),
  alwaysReview: z.boolean().default(false),
});

export const AssignmentInput = z
  .object({
    kind: z.enum(['homework', 'exam']).default('homework'),
    title,
    classIds: z.array(z.string().uuid()).min(1).max(30),
    openAt: z.coerce.date(),
    dueAt: z.coerce.date(),
    attemptsAllowed: z.number().int().min(1).max(10).default(1),
    latePolicy: z.enum(['reject', 'accept', 'penalty']).default('accept'),
    latePenalty: z.number().int().min(0).max(100).default(0),
    feedbackPolicy: z.enum(['after_submit', 'after_due']).default('after_submit'),
    /** Either items picked by hand, or a blueprint to assemble from (not both). */
    items: z.array(PickedItem).min(1).max(100).optional(),
    blueprint: Blueprint.optional(),
  })
  .superRefine((a, ctx) => {
    if (!a.items === !a.blueprint) ctx.addIssue({ code: 'custom', path: ['items'], message: 'give either items or a blueprint' });
    if (a.dueAt <= a.openAt) ctx.addIssue({ code: 'custom', path: ['dueAt'], message: 'dueAt must be after openAt' });
    if (new Set(a.classIds).size !== a.classIds.length) ctx.addIssue({ code: 'custom', path: ['classIds'], message: 'classes must be unique' });
    if (a.items && new Set(a.items.map((i) => i.itemId)).size !== a.items.length)
      ctx.addIssue({ code: 'custom', path: ['items'], message: 'an item may appear only once' });
  });
export type AssignmentInput = z.infer<typeof AssignmentInput>;

const Json = z.unknown();

export const AssignmentItemView = z.object({
  position: z.number().int(),
  itemId: z.string(),
  itemVersion: z.number().int(),
  type: z.enum(ITEM_TYPES),
  score: z.number(),
  alwaysReview: z.boolean(),
  knowledgePoints: z.array(z.string()),
  difficulty: z.number().int(),
  /** The item body; for students without answers, rubrics or reference answers. */
  body: Json,
  explanation: z.string().nullable(),
});

export const AssignmentSummary = z.object({
  id: z.string(),
  kind: z.enum(['homework', 'exam', 'paper']),
  title: z.string(),
  subject: z.string(),
  grade: z.number().int(),
  openAt: z.string(),
  dueAt: z.string(),
  attemptsAllowed: z.number().int(),
  latePolicy: z.enum(['reject', 'accept', 'penalty']),
  latePenalty: z.number().int(),
  feedbackPolicy: z.enum(['after_submit', 'after_due']),
  maxScore: z.number(),
  itemCount: z.number().int(),
  classes: z.array(z.object({ id: z.string(), name: z.string() })),
  /** Teacher: submissions in; pending reviews. Student: own attempts used and best status. */
  submitted: z.number().int(),
  pendingReview: z.number().int(),
  myAttempts: z.number().int().nullable(),
  myStatus: z.enum(['marking', 'review', 'marked']).nullable(),
  createdAt: z.string(),
});
export const Assignment = AssignmentSummary.extend({ items: z.array(AssignmentItemView), blueprint: Json.nullable() });

export const Answers = z.record(z.string().regex(/^\d{1,3}$/), Json).refine((a) => JSON.stringify(a).length <= 200_000, 'answers too large');
export const DraftInput = z.object({ answers: Answers });
export const Draft = z.object({ answers: z.record(z.string(), Json), updatedAt: z.string().nullable() });
export const SubmitInput = z.object({ clientId: z.string().uuid(), answers: Answers });

export const PointMarkView = z.object({
  id: z.string(),
  label: z.string(),
  max: z.number(),
  score: z.number(),
  evidence: z.object({ start: z.number(), end: z.number(), text: z.string() }).nullable().optional(),
  reason: z.string().optional(),
  negated: z.boolean().optional(),
});

export const ItemFeedback = z.object({
  position: z.number().int(),
  type: z.enum(ITEM_TYPES),
  /** null while the item waits for marking or review. */
  score: z.number().nullable(),
  max: z.number(),
  status: z.enum(['auto', 'pending', 'reviewed']).nullable(),
  engine: z.string().nullable(),
  points: z.array(PointMarkView),
  comment: z.string().nullable(),
  answer: Json,
  /** Shown when the assignment's feedback policy allows. */
  correctAnswer: Json.nullable(),
  explanation: z.string().nullable(),
  knowledgePoints: z.array(z.string()),
});

export const Submission = z.object({
  id: z.string(),
  assignmentId: z.string(),
  studentId: z.string(),
  studentName: z.string().nullable(),
  attempt: z.number().int(),
  status: z.enum(['marking', 'review', 'marked']),
  score: z.number().nullable(),
  maxScore: z.number(),
  late: z.boolean(),
  source: z.enum(['online', 'paper']),
  submittedAt: z.string(),
  markedAt: z.string().nullable(),
  feedbackVisible: z.boolean(),
  items: z.array(ItemFeedback),
});

export const SubmissionRow = Submission.omit({ items: true, feedbackVisible: true }).extend({ studentNo: z.string().nullable(), className: z.string().nullable() });
export const SubmissionList = z.object({
  submissions: z.array(SubmissionRow),
  /** Students of the assigned classes who have not submitted. */
  missing: z.array(z.object({ id: z.string(), name: z.string(), studentNo: z.string(), className: z.string() })),
  /** Answers suspiciously similar to another student's: for the teacher to look at, never a penalty. */
  similar: z.array(z.object({ position: z.number().int(), a: z.string(), b: z.string(), aName: z.string(), bName: z.string(), similarity: z.number() })),
});

export const ReviewTask = z.object({
  submissionId: z.string(),
  position: z.number().int(),
  assignmentId: z.string(),
  assignmentTitle: z.string(),
  studentName: z.string(),
  type: z.enum(ITEM_TYPES),
  stem: z.string(),
  answer: Json,
  engine: z.string(),
  engineScore: z.number(),
  max: z.number(),
  confidence: z.number(),
  reason: z.string().nullable(),
  scale: z.number(),
  points: z.array(PointMarkView),
  info: Json,
});

export const ReviewDecision = z.object({
  /** Per-point (rubric-unit) scores; omitted = accept the engine's points. */
  points: z.array(z.object({ id: z.string().min(1).max(20), score: z.number().min(0) })).max(30).optional(),
  comment: z.string().max(2000).refine(noNul).optional(),
});
export const BulkAccept = z.object({
  assignmentId: z.string().uuid(),
  position: z.number().int().min(1).optional(),
  /** Accept every pending mark at or above this confidence. */
  minConfidence: z.number().min(0).max(1),
});

export const Agreement = z.object({
  items: z.array(
    z.object({
      position: z.number().int(),
      itemId: z.string(),
      type: z.enum(ITEM_TYPES),
      reviewed: z.number().int(),
      pending: z.number().int(),
      auto: z.number().int(),
      /** Quadratic weighted kappa between engine and reviewer scores; null below 5 reviewed answers. */
      qwk: z.number().nullable(),
      exactAgreement: z.number().nullable(),
    }),
  ),
});

export const NotebookEntry = z.object({
  id: z.string(),
  itemId: z.string(),
  subject: z.string(),
  type: z.enum(ITEM_TYPES),
  body: Json,
  knowledgePoints: z.array(z.string()),
  lastAnswer: Json,
  status: z.enum(['open', 'mastered']),
  retries: z.number().int(),
  correctStreak: z.number().int(),
  dueAt: z.string(),
  addedAt: z.string(),
  source: z.object({ assignmentTitle: z.string().nullable(), submissionId: z.string() }),
});
export const RetryInput = z.object({ answer: Json });
export const RetryResult = z.object({
  correct: z.boolean(),
  score: z.number(),
  max: z.number(),
  points: z.array(PointMarkView),
  correctAnswer: Json,
  explanation: z.string(),
  entry: NotebookEntry,
});
