/**
 * The homework/exam report page's model: the report type (inferred from the server's zod schema),
 * what a click on a figure traces back to, and the pure helpers that turn the report into
 * chart series and table rows.
 */
import type { AssignmentReport } from '@zhijiao/server/api-types';

export type Report = AssignmentReport;
export type ReportItem = Report['items'][number];
export type RosterRow = Report['roster'][number];
export type Group = Report['comparison']['groups'][number];

/**
 * What the "data behind" drawer shows: a histogram bin, the students counted in a summary
 * figure, those under or over the pass line, a question, a knowledge point or a comparison group.
 */
export type Trace =
  | { kind: 'band'; index: number }
  | { kind: 'students' }
  | { kind: 'pass'; passed: boolean }
  | { kind: 'item'; position: number }
  | { kind: 'kp'; code: string }
  | { kind: 'group'; id: string; level: Group['level'] };

/** Tag colours of the item flags: red for what needs a look at the question, orange for hints. */
export const FLAG_COLORS: Record<string, string> = {
  negative_discrimination: 'red',
  distractor_attracts_upper: 'red',
  low_discrimination: 'orange',
  too_easy: 'gold',
  too_hard: 'volcano',
  distractor_unused: 'purple',
};

export const percent = (x: number | null | undefined, digits = 1) => (x === null || x === undefined ? '—' : `${(x * 100).toFixed(digits)}%`);
export const decimal = (x: number | null | undefined, digits = 2) => (x === null || x === undefined ? '—' : String(Math.round(x * 10 ** digits) / 10 ** digits));

/** "0–0.4": a bin's bounds, rounded for display. */
export const bandLabel = (b: { from: number; to: number }) => `${decimal(b.from, 1)}–${decimal(b.to, 1)}`;

/** Share of the students at or above the pass line (the follow-up threshold, 60 %). */
export function passRate(r: Report): number | null {
  return r.summary.students > 0 ? (r.summary.students - r.followUp.below) / r.summary.students : null;
}

/** The students behind a trace, best first; empty when the report carries no names. */
export function studentsOf(r: Report, trace: Trace): RosterRow[] {
  const byScore = [...r.roster].sort((a, b) => b.score - a.score || a.studentNo.localeCompare(b.studentNo));
  switch (trace.kind) {
    case 'band':
      return byScore.filter((s) => s.band === trace.index);
    case 'students':
      return byScore;
    case 'pass':
      return byScore.filter((s) => s.percent >= r.followUp.threshold === trace.passed);
    default:
      return [];
  }
}

/** How many students a trace counts, known even when names are not shown. */
export function countOf(r: Report, trace: Trace): number | null {
  switch (trace.kind) {
    case 'band':
      return r.summary.histogram[trace.index]?.count ?? null;
    case 'students':
      return r.summary.students;
    case 'pass':
      return trace.passed ? r.summary.students - r.followUp.below : r.followUp.below;
    case 'group':
      return r.comparison.groups.find((g) => g.id === trace.id && g.level === trace.level)?.n ?? null;
    default:
      return null;
  }
}

/** The questions that assess a knowledge point. */
export function itemsOfPoint(r: Report, code: string): ReportItem[] {
  return r.items.filter((it) => it.knowledgePoints.includes(code));
}

/** Choice questions have a distractor breakdown (from answers given online). */
export const hasOptions = (it: ReportItem) => !!it.options?.length;
