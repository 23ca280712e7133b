/**
 * The item model: every item type as one zod schema (validation, OpenAPI, the web's types).
 * Rich text is a string with LaTeX between $…$ (inline) or $$…$$ (display) and images as
 * Markdown `![alt](url)`; fill-in-the-blank stems mark blanks as {{1}}, {{2}} ….
 */
import { z } from 'zod';

const noNul = (s: string) => !s.includes('\u0000');
export const RichText = z.string().max(20_000).refine(noNul, 'must not contain NUL characters');
const short = (max: number) => z.string().trim().min(1).max(max).refine(noNul, 'must not contain NUL characters');

export const ITEM_TYPES = [
  'single_choice',
  'multiple_choice',
  'true_false',
  'fill_blank',
  'math',
  'short_answer',
  'essay',
  'composite',
] as const;
export const ItemType = z.enum(ITEM_TYPES);
export type ItemType = z.infer<typeof ItemType>;

const Option = z.object({ key: z.string().regex(/^[A-Z]$/), text: RichText });

export const SingleChoice = z.object({
  type: z.literal('single_choice'),
  stem: RichText,
  options: z.array(Option).min(2).max(10),
  answer: z.string().regex(/^[A-Z]$/),
});
export const MultipleChoice = z.object({
  type: z.literal('multiple_choice'),
  stem: RichText,
  options: z.array(Option).min(2).max(10),
  answer: z.array(z.string().regex(/^[A-Z]$/)).min(1),
  /** none: all or nothing; proportional: share of correct keys chosen, zero if any wrong key; lenient: half score for a correct subset. */
  partialCredit: z.enum(['none', 'proportional', 'lenient']).default('lenient'),
});
export const TrueFalse = z.object({ type: z.literal('true_false'), stem: RichText, answer: z.boolean() });
export const Blank = z.object({
  id: z.string().regex(/^\d{1,2}$/),
  accepted: z.array(short(200)).min(1).max(20),
  ignoreWidth: z.boolean().default(true),
  ignoreSpaces: z.boolean().default(true),
  ignoreCase: z.boolean().default(false),
  score: z.number().positive().max(100).default(1),
});
export const FillBlank = z.object({ type: z.literal('fill_blank'), stem: RichText, blanks: z.array(Blank).min(1).max(20) });
export const MathAnswer = z.object({
  type: z.literal('math'),
  stem: RichText,
  /** The answer in LaTeX; equivalent forms are accepted by the marking engine. */
  answer: short(500),
  /** Absolute numeric tolerance for numeric answers. */
  tolerance: z.number().min(0).max(1e6).default(0),
  unit: z.string().max(20).nullable().default(null),
});
export const KeyPoint = z.object({
  id: z.string().min(1).max(20),
  meaning: short(300),
  variants: z.array(short(100)).max(30).default([]),
  score: z.number().positive().max(100),
});
export const ShortAnswer = z.object({
  type: z.literal('short_answer'),
  stem: RichText,
  referenceAnswer: RichText,
  keyPoints: z.array(KeyPoint).min(1).max(20),
});
export const EssayDimension = z.object({
  id: z.string().min(1).max(20),
  name: short(60),
  min: z.number().min(0),
  max: z.number().positive().max(100),
  levels: z.array(z.object({ score: z.number().min(0), descriptor: short(500) })).min(1).max(10),
});
export const Essay = z.object({
  type: z.literal('essay'),
  stem: RichText,
  minWords: z.number().int().min(0).max(10_000).nullable().default(null),
  dimensions: z.array(EssayDimension).min(1).max(10),
});
const Part = z.discriminatedUnion('type', [SingleChoice, MultipleChoice, TrueFalse, FillBlank, MathAnswer, ShortAnswer, Essay]);
export const Composite = z.object({
  type: z.literal('composite'),
  stem: RichText,
  parts: z.array(z.object({ body: Part, score: z.number().positive().max(100) })).min(1).max(20),
});

type AnyBody = z.infer<typeof Part> | z.infer<typeof Composite>;

/** Consistency that the shapes alone cannot say: answers among the options, blanks matching the stem. */
function checkBody(b: AnyBody, ctx: z.RefinementCtx, path: (string | number)[] = []) {
  const issue = (message: string, at: (string | number)[]) => ctx.addIssue({ code: 'custom', message, path: [...path, ...at] });
  if (b.type === 'single_choice' || b.type === 'multiple_choice') {
    const keys = b.options.map((o) => o.key);
    if (new Set(keys).size !== keys.length) issue('option keys must be unique', ['options']);
    const answers = b.type === 'single_choice' ? [b.answer] : b.answer;
    for (const a of answers) if (!keys.includes(a)) issue(`answer ${a} is not one of the options`, ['answer']);
    if (b.type === 'multiple_choice' && new Set(answers).size !== answers.length) issue('answer keys must be unique', ['answer']);
  }
  if (b.type === 'fill_blank') {
    const marked = [...b.stem.matchAll(/\{\{(\d{1,2})\}\}/g)].map((m) => m[1]).sort();
    const ids = b.blanks.map((x) => x.id).sort();
    if (marked.join(',') !== ids.join(',')) issue('the blanks must match the {{n}} markers in the stem', ['blanks']);
  }
  if (b.type === 'essay') b.dimensions.forEach((d, i) => d.min > d.max && issue('min must not exceed max', ['dimensions', i]));
  if (b.type === 'composite') b.parts.forEach((p, i) => checkBody(p.body, ctx, [...path, 'parts', i, 'body']));
}

export const ItemBody = z
  .discriminatedUnion('type', [SingleChoice, MultipleChoice, TrueFalse, FillBlank, MathAnswer, ShortAnswer, Essay, Composite])
  .superRefine((b, ctx) => checkBody(b, ctx));
export type ItemBody = z.infer<typeof ItemBody>;

export const Irt = z.object({
  model: z.enum(['rasch', '2pl']),
  a: z.number(),
  b: z.number(),
  seA: z.number().nullable(),
  seB: z.number().nullable(),
  n: z.number().int(),
  /** b on the 1 (easy) … 5 (hard) scale; search and blueprint assembly use it instead of the author's estimate. */
  level: z.number().int().min(1).max(5).optional(),
  calibratedAt: z.string(),
});

export const Owner = z.object({ type: z.enum(['teacher', 'school', 'region']), id: z.string() });

export const ItemInput = z.object({
  subject: z.string().min(1).max(32),
  grade: z.number().int().min(1).max(12),
  body: ItemBody,
  explanation: RichText.default(''),
  knowledgePoints: z.array(z.string().min(1).max(64)).min(1).max(10),
  /** Teacher's estimate: 1 (easy) … 5 (hard). */
  difficulty: z.number().int().min(1).max(5),
  score: z.number().positive().max(100).default(1),
});
export type ItemInput = z.infer<typeof ItemInput>;

export const Item = ItemInput.extend({
  id: z.string(),
  version: z.number().int(),
  owner: Owner,
  authorId: z.string(),
  /** True once a student answered this version: editing then creates a new version. */
  locked: z.boolean(),
  irt: Irt.nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Item = z.infer<typeof Item>;
