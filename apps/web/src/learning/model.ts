/** Learner-model helpers shared by the companion (students) and the class mastery pages (teachers). */
import type { ClassSummary, Me, Subject } from '@zhijiao/server/api-types';
import type { Messages } from '../i18n';
import { TEACHING_ROLES } from '../assessment/model';

export type {
  ClassMastery,
  MasteryHistory,
  PathResult,
  Plan,
  PointMastery,
  PracticeItem,
  PracticeResult,
  TierAssign,
  TierAssignResult,
  TierPlan,
  TierRequest,
} from '@zhijiao/server/api-types';
import type { PointMastery, Plan } from '@zhijiao/server/api-types';

export type MasteryState = PointMastery['state'];
export type PlanStep = Plan['steps'][number];

/** Mastered green, learning amber, not started / not enough evidence grey. */
export const STATE_COLORS: Record<MasteryState, string> = {
  mastered: '#52c41a',
  learning: '#faad14',
  not_enough_evidence: '#bfbfbf',
};
export const STATE_TAG_COLORS: Record<MasteryState, string> = {
  mastered: 'success',
  learning: 'warning',
  not_enough_evidence: 'default',
};

export const pct = (x: number | null | undefined) => (x === null || x === undefined ? 0 : Math.round(x * 100));

/** The words of a mastery state: a point never practised is "not started", not "not enough evidence". */
export function stateLabel(m: Pick<PointMastery, 'state' | 'observations'>, t: Messages): string {
  if (m.state === 'not_enough_evidence' && m.observations === 0) return t.learning.notStarted;
  return t.learning.states[m.state] ?? m.state;
}

/** Red (0) → amber (0.5) → green (1): the heatmap's and the charts' scale. */
export const PKNOW_COLORS = ['#ff4d4f', '#ffa940', '#fadb14', '#95de64', '#389e0d'];
export const NO_EVIDENCE_COLOR = '#f0f0f0';

/** Subjects with a published graph (the learner model needs one). */
export const published = (subjects: Subject[] | undefined) => (subjects ?? []).filter((s) => s.publishedVersion !== null);

/** The subject a user most likely means: one they teach (by code or name), else maths, else the first. */
export function defaultSubject(subjects: Subject[] | undefined, taught: string[] = []): string | undefined {
  const list = published(subjects);
  return (
    list.find((s) => taught.includes(s.code) || taught.includes(s.name))?.code ??
    list.find((s) => s.code === 'math')?.code ??
    list[0]?.code
  );
}

/** The classes a user teaches (teacher or head teacher of). */
export function taughtClasses(classes: ClassSummary[] | undefined): ClassSummary[] {
  return (classes ?? []).filter((c) => c.myRoles.some((r) => (TEACHING_ROLES as readonly string[]).includes(r)));
}

export function taughtSubjects(me: Me | null | undefined, classes: ClassSummary[]): string[] {
  return [
    ...classes.flatMap((c) => c.subjects),
    ...(me?.roles ?? []).filter((r) => (TEACHING_ROLES as readonly string[]).includes(r.role)).map((r) => r.subject ?? ''),
  ].filter(Boolean);
}
