/**
 * The marking pipeline: one entry point, one step per item type. Each result says which engine
 * produced it, how confident it is, and its evidence as rubric points (the unit a reviewer adjusts).
 * Scores are reported in the assignment's points for the item: rubric units × `scale`.
 */
import {
  judgeMath,
  markFillBlank,
  markMultipleChoice,
  markSingleChoice,
  markTrueFalse,
  matchKeyPoints,
  scoreEssay,
  type EssayModel,
} from '@zhijiao/engine';
import type { ItemBody } from '../curriculum/index.js';
import { markWithLlm, type LlmEndpoint, type RubricPoint } from './llm.js';

export interface ItemSnapshot {
  type: ItemBody['type'];
  body: ItemBody;
  explanation: string;
  knowledgePoints: string[];
  difficulty: number;
  subject: string;
  grade: number;
}

export interface PointMark {
  id: string;
  label: string;
  max: number;
  score: number;
  evidence?: { start: number; end: number; text: string } | null;
  reason?: string;
  negated?: boolean;
}

export interface MarkDetail {
  type: ItemBody['type'];
  /** Rubric units → item points. */
  scale: number;
  points: PointMark[];
  /** Engine-specific facts: math verdict, blank matches, essay flags, LLM attempts … */
  info: Record<string, unknown>;
}

export type ReviewReason = 'low_confidence' | 'always_review' | 'too_few_samples' | 'llm_malformed' | 'malformed_answer';

export interface Mark {
  engine: string;
  score: number;
  max: number;
  confidence: number;
  detail: MarkDetail;
  /** Why a person must look at it; null when the mark stands. */
  review: ReviewReason | null;
}

export interface MarkingContext {
  llm: LlmEndpoint | null;
  threshold: number;
  alwaysReview: boolean;
  /** The student's and classmates' names: masked before any model call. */
  names: string[];
  /** The platform user the marking is done for (the student): AI use is attributed to them. */
  user?: string;
  essayModel: (itemId: string) => Promise<EssayModel | null>;
  essaySamples: (itemId: string) => Promise<number>;
  itemId: string;
}

const round2 = (x: number) => Math.round(x * 100) / 100;
const textOf = (response: unknown) => (typeof response === 'string' ? response : '');

/** Marks one item of a submission worth `points`. */
export async function markItem(snap: ItemSnapshot, response: unknown, points: number, ctx: MarkingContext): Promise<Mark> {
  const raw = await markBody(snap.body, snap.body.type === 'essay' ? snap.body.stem : '', response, points, ctx);
  let review = raw.review;
  if (!review && ctx.alwaysReview) review = 'always_review';
  if (!review && raw.confidence < ctx.threshold) review = 'low_confidence';
  return { ...raw, score: round2(raw.score), review };
}

async function markBody(body: ItemBody, _prompt: string, response: unknown, points: number, ctx: MarkingContext): Promise<Mark> {
  switch (body.type) {
    case 'single_choice':
    case 'multiple_choice':
    case 'true_false': {
      const r =
        body.type === 'single_choice'
          ? markSingleChoice(body, response, points)
          : body.type === 'multiple_choice'
            ? markMultipleChoice(body, response, points)
            : markTrueFalse(body, response, points);
      return {
        engine: r.engine,
        score: r.score,
        max: points,
        confidence: r.confidence,
        detail: { type: body.type, scale: 1, points: [{ id: 'answer', label: '答案', max: points, score: r.score }], info: { detail: r.detail } },
        review: null,
      };
    }
    case 'fill_blank': {
      const r = markFillBlank(body, response);
      const scale = r.max > 0 ? points / r.max : 0;
      const blanks = (r.detail as { blanks: { id: string; score: number; max: number; given: string; matched: string | null }[] }).blanks;
      return {
        engine: r.engine,
        score: r.score * scale,
        max: points,
        confidence: r.confidence,
        detail: {
          type: body.type,
          scale,
          points: blanks.map((b) => ({ id: b.id, label: `第${b.id}空`, max: b.max, score: b.score, reason: b.matched ? `= ${b.matched}` : undefined })),
          info: { blanks },
        },
        review: null,
      };
    }
    case 'math': {
      const answer = textOf(response);
      const j = judgeMath(body.answer, answer, { tolerance: body.tolerance, unit: body.unit });
      const score = j.correct ? points : 0;
      return {
        engine: 'math/compute-engine',
        score,
        max: points,
        confidence: j.confidence,
        detail: {
          type: body.type,
          scale: 1,
          points: [{ id: 'answer', label: '答案', max: points, score, reason: j.reason['zh-CN'] }],
          info: { verdict: j.verdict, simplified: j.simplified, reason: j.reason },
        },
        review: null,
      };
    }
    case 'short_answer': {
      const answer = textOf(response);
      const m = matchKeyPoints(answer, body.keyPoints, { context: body.stem });
      const scale = m.max > 0 ? points / m.max : 0;
      const matcherPoints: PointMark[] = m.points.map((p) => {
        const spec = body.keyPoints.find((k) => k.id === p.id)!;
        return { id: p.id, label: spec.meaning, max: p.max, score: p.score, evidence: p.evidence, negated: p.negated };
      });
      const base: Mark = {
        engine: 'rubric/keypoints',
        score: m.score * scale,
        max: points,
        confidence: m.confidence,
        detail: { type: body.type, scale, points: matcherPoints, info: {} },
        review: null,
      };
      if (!ctx.llm || !answer.trim()) return base;
      const rubric: RubricPoint[] = body.keyPoints.map((k) => ({
        id: k.id,
        description: [k.meaning, ...k.variants].join(' / '),
        max: k.score,
      }));
      const llm = await markWithLlm(ctx.llm, { stem: body.stem, reference: body.referenceAnswer, points: rubric, answer, names: ctx.names, user: ctx.user });
      if (!llm.ok)
        return { ...base, detail: { ...base.detail, info: { llm: { error: llm.error, attempts: llm.attempts } } }, review: llm.error === 'malformed' ? 'llm_malformed' : null };
      // Two independent engines: where they agree the mark is trusted; where they differ a person decides.
      const llmTotal = llm.points.reduce((s, p) => s + p.score, 0);
      const gap = m.max > 0 ? Math.abs(llmTotal - m.score) / m.max : 0;
      return {
        engine: `llm/${llm.model}`,
        score: llmTotal * scale,
        max: points,
        confidence: gap <= 0.2 ? Math.max(0.85, m.confidence) : 0.4,
        detail: {
          type: body.type,
          scale,
          points: matcherPoints.map((p) => {
            const l = llm.points.find((x) => x.id === p.id)!;
            return { ...p, score: l.score, reason: l.reason };
          }),
          info: { matcherScore: m.score, llmAttempts: llm.attempts, masked: llm.masked, agreementGap: round2(gap) },
        },
        review: null,
      };
    }
    case 'essay': {
      const answer = textOf(response);
      const rubricMax = body.dimensions.reduce((s, d) => s + d.max, 0);
      const scale = rubricMax > 0 ? points / rubricMax : 0;
      const dims = (scores: Record<string, number>, reasons: Record<string, string> = {}): PointMark[] =>
        body.dimensions.map((d) => ({ id: d.id, label: d.name, max: d.max, score: scores[d.id] ?? 0, reason: reasons[d.id] }));
      const words = [...answer.replace(/\s+/g, '')].length;
      const info: Record<string, unknown> = { length: words };
      if (ctx.llm && answer.trim()) {
        const rubric: RubricPoint[] = body.dimensions.map((d) => ({
          id: d.id,
          description: `${d.name}: ${d.levels.map((l) => `${l.score}分 ${l.descriptor}`).join('; ')}`,
          max: d.max,
        }));
        const llm = await markWithLlm(ctx.llm, { stem: body.stem, reference: '', points: rubric, answer, names: ctx.names, user: ctx.user });
        if (llm.ok) {
          const s = Object.fromEntries(llm.points.map((p) => [p.id, p.score]));
          const r = Object.fromEntries(llm.points.map((p) => [p.id, p.reason]));
          const total = llm.points.reduce((a, p) => a + p.score, 0);
          // Essays are high-stakes and a single model's judgement is not calibrated to this teacher:
          // trusted only when the teacher's own trained model agrees (below).
          const model = await ctx.essayModel(ctx.itemId);
          let confidence = 0.5;
          if (model) {
            const e = scoreEssay(model, answer);
            const gap = rubricMax > 0 ? Math.abs(e.total - total) / rubricMax : 1;
            confidence = gap <= 0.15 ? Math.min(0.9, e.confidence + 0.1) : 0.4;
            info.essayModelTotal = e.total;
          }
          return {
            engine: `llm/${llm.model}`,
            score: total * scale,
            max: points,
            confidence,
            detail: { type: body.type, scale, points: dims(s, r), info: { ...info, llmAttempts: llm.attempts, masked: llm.masked } },
            review: null,
          };
        }
        info.llm = { error: llm.error, attempts: llm.attempts };
      }
      const model = await ctx.essayModel(ctx.itemId);
      if (!model) {
        const samples = await ctx.essaySamples(ctx.itemId);
        return {
          engine: 'essay/untrained',
          score: 0,
          max: points,
          confidence: 0,
          detail: { type: body.type, scale, points: dims({}), info: { ...info, samples, reason: 'too_few_samples' } },
          review: 'too_few_samples',
        };
      }
      const e = scoreEssay(model, answer);
      return {
        engine: 'essay/ridge',
        score: e.total * scale,
        max: points,
        confidence: e.confidence,
        detail: {
          type: body.type,
          scale,
          points: dims(Object.fromEntries(e.dimensions.map((d) => [d.id, d.score]))),
          info: { ...info, flags: e.flags },
        },
        review: null,
      };
    }
    case 'composite': {
      const parts = Array.isArray(response) ? response : [];
      const partPoints = body.parts.reduce((s, p) => s + p.score, 0);
      const scale = partPoints > 0 ? points / partPoints : 0;
      const marks: Mark[] = [];
      for (const [i, part] of body.parts.entries()) marks.push(await markBody(part.body, '', parts[i], part.score, ctx));
      const review = marks.find((m) => m.review)?.review ?? null;
      return {
        engine: [...new Set(marks.map((m) => m.engine))].join('+'),
        score: marks.reduce((s, m) => s + m.score, 0) * scale,
        max: points,
        confidence: Math.min(...marks.map((m) => m.confidence)),
        detail: {
          type: body.type,
          scale,
          points: marks.map((m, i) => ({ id: String(i + 1), label: `第${i + 1}小题`, max: body.parts[i]!.score, score: round2(m.score), reason: m.engine })),
          info: { parts: marks.map((m) => ({ engine: m.engine, confidence: m.confidence, detail: m.detail })) },
        },
        review,
      };
    }
  }
}

/** Whether a mark counts as wrong for the error notebook: less than full credit. */
export const isWrong = (score: number, max: number) => max > 0 && score < max - 1e-9;
