/** Assessment helpers shared by the teacher and student pages: types, labels, answer logic. */
import type { Assignment, AssignmentSummary, ReviewTask, Submission, SubmissionList } from '@zhijiao/server/api-types';
import type { Messages } from '../i18n';

export type { Agreement, Assignment, AssignmentSummary, NotebookEntry, RetryResult, ReviewTask, Submission, SubmissionList } from '@zhijiao/server/api-types';

export type AssignmentItem = Assignment['items'][number];
export type ItemFeedback = Submission['items'][number];
export type PointMark = ItemFeedback['points'][number];
export type SubmissionRow = SubmissionList['submissions'][number];
export type SubmissionStatus = Submission['status'];
export type ItemType = AssignmentItem['type'];
export type Answers = Record<string, unknown>;
export type Kind = AssignmentSummary['kind'];
export type LatePolicy = AssignmentSummary['latePolicy'];
export type FeedbackPolicy = AssignmentSummary['feedbackPolicy'];
export type ReviewReason = 'low_confidence' | 'always_review' | 'too_few_samples' | 'llm_malformed' | 'malformed_answer';
export type { ReviewTask as Task };

interface Option {
  key: string;
  text: string;
}

/**
 * An item body as a student sees it while answering (the server strips answers, rubrics and
 * reference texts). A teacher's full body has the same fields and more.
 */
export type StudentBody =
  | { type: 'single_choice' | 'multiple_choice'; stem: string; options: Option[] }
  | { type: 'true_false'; stem: string }
  | { type: 'fill_blank'; stem: string; blanks: { id: string; score?: number }[] }
  | { type: 'math'; stem: string; unit?: string | null }
  | { type: 'short_answer'; stem: string; keyPointCount?: number }
  | { type: 'essay'; stem: string; minWords?: number | null; dimensions?: { id: string; name: string; max: number }[] }
  | { type: 'composite'; stem: string; parts: { score: number; body: StudentBody }[] };

export const asBody = (b: unknown) => b as StudentBody;

export const STATUS_COLORS: Record<SubmissionStatus, string> = { marking: 'processing', review: 'warning', marked: 'success' };
export const KIND_COLORS: Record<Kind, string> = { homework: 'blue', exam: 'volcano', paper: 'default' };

/** Is an answer empty (a question the student has not answered yet)? */
export function isBlank(v: unknown): boolean {
  if (v === null || v === undefined) return true;
  if (typeof v === 'string') return v.trim() === '';
  if (Array.isArray(v)) return v.every(isBlank);
  if (typeof v === 'object') return Object.values(v as object).every(isBlank);
  return false;
}

/** Characters of Chinese text without whitespace, plus words of Latin text: the length of an essay. */
export function countWords(text: string): number {
  const cjk = text.match(/[\u3400-\u9fff\uf900-\ufaff]/g)?.length ?? 0;
  const latin = text.replace(/[\u3400-\u9fff\uf900-\ufaff]/g, ' ').match(/[A-Za-z0-9]+(?:['’-][A-Za-z0-9]+)*/g)?.length ?? 0;
  return cjk + latin;
}

export const round2 = (x: number) => Math.round(x * 100) / 100;

/** Words for why a mark waits for a teacher. */
export function reasonText(reason: string | null | undefined, t: Messages): string {
  if (!reason) return t.common.none;
  return t.assessment.reasons[reason] ?? reason;
}

/** A human name of the engine that produced a mark ("llm/qwen" → "大模型 qwen"). */
export function engineText(engine: string | null | undefined, t: Messages): string {
  if (!engine) return t.common.none;
  const e = t.assessment.engines;
  if (engine.startsWith('teacher(')) return e.teacher;
  if (engine.startsWith('llm/')) return `${e.llm} ${engine.slice(4)}`;
  if (engine === 'essay/untrained') return e.essayUntrained;
  if (engine.startsWith('essay/')) return e.essay;
  if (engine.startsWith('math/')) return e.math;
  if (engine.startsWith('rubric/')) return e.keypoints;
  if (engine.includes('+')) return engine.split('+').map((x) => engineText(x, t)).join(' + ');
  return e.objective;
}

/** The client id of the next submission of an assignment: made once per attempt, kept across reloads. */
export function clientIdFor(assignmentId: string): string {
  const key = `zhijiao.submit.${assignmentId}`;
  try {
    const saved = sessionStorage.getItem(key);
    if (saved) return saved;
  } catch {
    /* storage unavailable */
  }
  const id = crypto.randomUUID();
  try {
    sessionStorage.setItem(key, id);
  } catch {
    /* storage unavailable: the id still lives for this page */
  }
  return id;
}

/** The attempt was stored: the next one gets a new id. */
export function forgetClientId(assignmentId: string) {
  try {
    sessionStorage.removeItem(`zhijiao.submit.${assignmentId}`);
  } catch {
    /* storage unavailable */
  }
}

/** Classes a user teaches (the server lets teachers assign only to those). */
export const TEACHING_ROLES = ['teacher', 'head_teacher'] as const;

export function isPastDue(a: { dueAt: string }): boolean {
  return new Date(a.dueAt).getTime() < Date.now();
}

/** Where a student's row in the homework list leads. */
export function homeworkTarget(a: AssignmentSummary): string {
  return a.myAttempts ? `/homework/${a.id}/result` : `/homework/${a.id}`;
}

export function canAttempt(a: AssignmentSummary): boolean {
  if ((a.myAttempts ?? 0) >= a.attemptsAllowed) return false;
  return !(isPastDue(a) && a.latePolicy === 'reject');
}

/**
 * The label of a rubric point in the UI language. The server labels the points of objective,
 * fill-in and composite items in Chinese ("答案", "第1空", "第1小题"); key points and essay
 * dimensions carry the teacher's own words.
 */
export function pointLabel(p: { id: string; label: string }, type: ItemType, t: Messages): string {
  if (type === 'fill_blank') return t.items.blankN(p.id);
  if (type === 'composite' && /^\d+$/.test(p.id)) return t.items.partN(Number(p.id));
  if (p.id === 'answer' && type !== 'short_answer' && type !== 'essay') return t.items.answer;
  return p.label;
}

/** InputNumber formatter: 3 rather than 3.0 (the step's precision), but what the user types as typed. */
export const plainNumber = (v: number | string | undefined, info: { userTyping: boolean; input: string }) =>
  info.userTyping ? info.input : v === undefined || v === null || v === '' ? '' : String(Number(v));

export type { Messages };
