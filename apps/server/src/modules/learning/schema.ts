/** API shapes of the learning module (learner model, companion, tiered practice). */
import { z } from 'zod';

const Bilingual = z.object({ 'zh-CN': z.string(), en: z.string() });
const MasteryState = z.enum(['not_enough_evidence', 'learning', 'mastered']);

export const PointMastery = z.object({
  code: z.string(),
  name: z.string(),
  grade: z.number().int(),
  /** Probability the student knows the point (BKT posterior). */
  pKnow: z.number(),
  observations: z.number().int(),
  correct: z.number().int(),
  /** 0 (sure) … 1 (no evidence): shown as "not enough evidence yet" when high. */
  uncertainty: z.number(),
  state: MasteryState,
  lastAt: z.string().nullable(),
});

/** A question as a student sees it (no answers), with why it was chosen. */
export const PracticeItem = z.object({
  itemId: z.string(),
  type: z.string(),
  body: z.unknown(),
  knowledgePoints: z.array(z.string()),
  difficulty: z.number().int(),
  /** Predicted chance of answering correctly now. */
  predicted: z.number(),
});

export const PlanStep = z.object({
  code: z.string(),
  name: z.string(),
  kind: z.enum(['learn', 'review']),
  reason: Bilingual,
  mastery: PointMastery,
  items: z.array(PracticeItem),
});

export const Plan = z.object({
  subject: z.string(),
  generatedAt: z.string(),
  summary: z.object({ mastered: z.number().int(), learning: z.number().int(), notStarted: z.number().int(), total: z.number().int() }),
  steps: z.array(PlanStep),
  /** Error-notebook entries due for spaced review. */
  reviewDue: z.array(z.object({ id: z.string(), itemId: z.string(), knowledgePoints: z.array(z.string()), dueAt: z.string() })),
});

export const PathResult = z.object({
  subject: z.string(),
  goal: z.string(),
  /** In learning order, ending with the goal; mastered prerequisites are kept with their state so progress shows. */
  steps: z.array(PointMastery),
  progress: z.object({ mastered: z.number().int(), total: z.number().int() }),
});

export const PracticeAnswer = z.object({ itemId: z.string().uuid(), answer: z.unknown() });
export const PracticeResult = z.object({
  correct: z.boolean(),
  score: z.number(),
  max: z.number(),
  points: z.array(z.object({ id: z.string(), label: z.string(), max: z.number(), score: z.number() })),
  correctAnswer: z.unknown(),
  explanation: z.string(),
  mastery: z.array(z.object({ code: z.string(), name: z.string(), before: z.number(), after: z.number(), state: MasteryState })),
});

export const MasteryHistory = z.object({
  points: z.array(z.object({ code: z.string(), name: z.string(), series: z.array(z.object({ at: z.string(), pKnow: z.number() })) })),
});

export const ClassMastery = z.object({
  classId: z.string(),
  subject: z.string(),
  points: z.array(z.object({ code: z.string(), name: z.string(), grade: z.number().int(), meanPKnow: z.number().nullable(), masteredShare: z.number(), observed: z.number().int() })),
  students: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      studentNo: z.string(),
      /** code -> pKnow (null: no evidence) */
      mastery: z.record(z.string(), z.number().nullable()),
      meanPKnow: z.number().nullable(),
      /** Why the teacher should look at this student, if they should. */
      attention: Bilingual.nullable(),
    }),
  ),
  weakest: z.array(z.string()),
});

export const TierRequest = z.object({
  classId: z.string().uuid(),
  subject: z.string().min(1).max(32),
  knowledgePoints: z.array(z.string().min(1).max(64)).min(1).max(20),
  tiers: z.number().int().min(2).max(4).default(3),
  itemsPerTier: z.number().int().min(1).max(20).default(5),
});
export const TierPlan = z.object({
  tiers: z.array(
    z.object({
      tier: z.number().int(),
      label: Bilingual,
      /** Difficulty range the tier's items come from (teacher estimate 1–5). */
      difficulty: z.tuple([z.number().int(), z.number().int()]),
      students: z.array(z.object({ id: z.string(), name: z.string(), meanPKnow: z.number().nullable() })),
      items: z.array(PracticeItem),
    }),
  ),
});
export const TierAssign = z.object({
  classId: z.string().uuid(),
  title: z.string().trim().min(1).max(100),
  openAt: z.coerce.date(),
  dueAt: z.coerce.date(),
  tiers: z
    .array(z.object({ label: z.string().min(1).max(40), studentIds: z.array(z.string().uuid()).min(1), itemIds: z.array(z.string().uuid()).min(1).max(50) }))
    .min(1)
    .max(4),
});
export const TierAssignResult = z.object({ assignments: z.array(z.object({ id: z.string(), label: z.string(), students: z.number().int() })) });

export const RefitStatus = z.object({
  id: z.string(),
  subject: z.string(),
  status: z.enum(['queued', 'running', 'done', 'failed']),
  progress: z.number(),
  points: z.number().int().nullable(),
  observations: z.number().int().nullable(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  error: z.string().nullable(),
});
