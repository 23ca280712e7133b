/** API shapes of the analytics module (validation, OpenAPI, the web's types). */
import { z } from 'zod';

const n3 = z.number().nullable();
const Localized = z.object({ 'zh-CN': z.string(), en: z.string() });

export const AssignmentReport = z.object({
  assignment: z.object({ id: z.string(), title: z.string(), kind: z.string(), subject: z.string(), subjectName: z.string(), grade: z.number().int(), maxScore: z.number(), itemCount: z.number().int() }),
  scope: z.object({
    /** teacher: the caller's own classes, with names; admin: every class in the caller's school/region, aggregates only. */
    viewer: z.enum(['teacher', 'admin']),
    classes: z.array(z.object({ id: z.string(), name: z.string() })),
    namesShown: z.boolean(),
  }),
  summary: z.object({
    /** Students counted: each with their latest marked attempt. */
    students: z.number().int(),
    /** Marked submissions seen, earlier attempts included. */
    submissions: z.number().int(),
    mean: n3,
    sd: n3,
    median: n3,
    min: n3,
    max: n3,
    meanPercent: n3,
    maxScore: z.number(),
    histogram: z.array(z.object({ from: z.number(), to: z.number(), count: z.number() })),
  }),
  reliability: z.object({ alpha: n3, kr20: n3, sem: n3 }),
  items: z.array(
    z.object({
      position: z.number().int(),
      itemId: z.string(),
      type: z.string(),
      stem: z.string(),
      max: z.number(),
      knowledgePoints: z.array(z.string()),
      n: z.number(),
      mean: n3,
      /** Difficulty index: mean / max. */
      p: n3,
      /** Corrected item–rest point-biserial. */
      pointBiserial: n3,
      /** Upper–lower 27 % discrimination. */
      discrimination: n3,
      alphaIfDeleted: n3,
      flags: z.array(z.string()),
      options: z
        .array(z.object({ option: z.string(), isKey: z.boolean(), count: z.number(), proportion: z.number(), upper: n3, lower: n3, pointBiserial: n3 }))
        .nullable(),
    }),
  ),
  knowledgePoints: z.array(z.object({ code: z.string(), name: z.string(), earned: z.number(), possible: z.number(), share: n3, positions: z.array(z.number().int()) })),
  followUp: z.object({
    threshold: z.number(),
    below: z.number().int(),
    namesShown: z.boolean(),
    students: z.array(
      z.object({ id: z.string(), name: z.string(), studentNo: z.string(), className: z.string(), score: z.number(), percent: z.number(), reason: z.enum(['below_threshold', 'lowest']) }),
    ),
  }),
  /**
   * Every student counted, with their total and histogram bin (`band`, an index into
   * summary.histogram): the data behind each figure. Names are for their teachers only: empty otherwise.
   */
  roster: z.array(
    z.object({ id: z.string(), name: z.string(), studentNo: z.string(), className: z.string(), score: z.number(), percent: z.number(), band: z.number().int() }),
  ),
  comparison: z.object({
    minGroupSize: z.number().int(),
    groups: z.array(
      z.object({
        level: z.enum(['class', 'school', 'county']),
        id: z.string(),
        name: z.string(),
        own: z.boolean(),
        n: z.number().int().nullable(),
        meanPercent: n3,
        suppressed: z.boolean(),
      }),
    ),
    note: Localized.nullable(),
  }),
});

/** The report as the web app and the PDF renderer receive it. */
export type AssignmentReport = z.infer<typeof AssignmentReport>;

export const CalibrationRequest = z.object({
  subject: z.string().min(1).max(32),
  model: z.enum(['rasch', '2pl']).default('rasch'),
  /** Students an item needs to be calibrated (default: the server's setting, 200). */
  minResponses: z.number().int().min(5).max(1_000_000).optional(),
});

export const CalibrationStatus = z.object({
  id: z.string(),
  subject: z.string(),
  model: z.enum(['rasch', '2pl']),
  minResponses: z.number().int(),
  status: z.enum(['queued', 'running', 'done', 'failed']),
  progress: z.number(),
  responses: z.number().int().nullable(),
  students: z.number().int().nullable(),
  calibrated: z.array(
    z.object({
      itemId: z.string(),
      model: z.enum(['rasch', '2pl']),
      a: z.number(),
      b: z.number(),
      seA: n3,
      seB: n3,
      n: z.number().int(),
      pValue: z.number(),
      infit: n3,
      outfit: n3,
    }),
  ),
  skipped: z.array(z.object({ itemId: z.string(), n: z.number().int(), reason: z.enum(['too_few_responses', 'item_not_found']) })),
  converged: z.boolean().nullable(),
  error: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
