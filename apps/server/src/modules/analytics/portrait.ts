/**
 * The student portrait (成长档案): mastery by knowledge point now and over time, homework
 * completion by month, error-notebook progress and the comprehensive-quality records, for the
 * student, their guardians, their class's teachers and their school's admin. Every figure comes
 * with the rows behind it (the assignments, the notebook entries, the records).
 */
import type { AuditLog } from '../../platform/audit/index.js';
import type { Principal } from '../../platform/auth/principal.js';
import { AppError } from '../../platform/http/errors.js';
import type { Graph } from '../curriculum/index.js';
import { QUALITY_DOMAINS } from './portrait-schema.js';
import { studentViewer, type PortraitDeps, type QualityRecords } from './quality.js';

/** What the portrait needs besides the directory: the learner model, assessment records and names of points. */
export interface PortraitSources {
  learning: {
    masteryRecordOf(
      studentId: string,
      opts: { subject?: string; from: Date; to: Date },
    ): Promise<{
      now: { subject: string; code: string; pKnow: number; observations: number; correct: number; lastAt: Date | null }[];
      history: { subject: string; code: string; pKnow: number; at: Date }[];
    }>;
  };
  assessment: {
    homeworkOf(
      studentId: string,
      classId: string,
      period: { from: Date; to: Date },
    ): Promise<{ id: string; title: string; subject: string; dueAt: Date; maxScore: number; submissions: { submittedAt: Date; late: boolean; status: string; score: number | null }[] }[]>;
    notebookOf(
      studentId: string,
      subject?: string,
    ): Promise<{ id: string; subject: string; knowledgePoints: string[]; stem: string; status: 'open' | 'mastered'; addedAt: Date; masteredAt: Date | null }[]>;
  };
  curriculum: { graphOf(subject: string): Promise<Graph> };
}

const DAY = 86_400_000;
const CHINA = 8 * 3600_000;
const r3 = (x: number) => Math.round(x * 1000) / 1000;

/** The calendar month (China time) of an instant, YYYY-MM. */
export const monthOf = (t: Date) => new Date(t.getTime() + CHINA).toISOString().slice(0, 7);

/** The ISO week (China time) of an instant, e.g. 2026-W49. */
export function weekOf(t: Date): string {
  const d = new Date(t.getTime() + CHINA);
  const day = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const dow = day.getUTCDay() || 7;
  day.setUTCDate(day.getUTCDate() + 4 - dow); // the Thursday of that week decides its year
  const year = day.getUTCFullYear();
  const week = Math.ceil(((day.getTime() - Date.UTC(year, 0, 1)) / DAY + 1) / 7);
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/**
 * A period of whole days in China time: `from` and `to` inclusive (YYYY-MM-DD), `to` defaulting to
 * today and `from` to `defaultDays` before it. Returns the instants [start, end) too.
 */
export function periodOf(q: { from?: string; to?: string }, defaultDays: number) {
  const today = new Date(Date.now() + CHINA).toISOString().slice(0, 10);
  const to = q.to ?? today;
  const start = (day: string) => new Date(`${day}T00:00:00+08:00`);
  const from = q.from ?? new Date(start(to).getTime() + CHINA - defaultDays * DAY).toISOString().slice(0, 10);
  const s = start(from);
  const e = new Date(start(to).getTime() + DAY);
  if (Number.isNaN(s.getTime()) || Number.isNaN(e.getTime()) || s.getTime() >= e.getTime())
    throw new AppError(400, 'portrait.bad_period', { zh: '时间段无效：开始日期须不晚于结束日期。', en: 'Invalid period: the start must not be after the end.' }, { details: { from, to } });
  return { from, to, start: s, end: e };
}

const scopeLabel = (p: Principal) => p.roles.map((r) => `${r.role}@${r.scopeType}${r.scopeId ? ':' + r.scopeId : ''}`).join(',');

export class Portraits {
  constructor(
    private readonly audit: AuditLog,
    private readonly d: PortraitDeps & PortraitSources,
    private readonly quality: QualityRecords,
  ) {}

  async portrait(p: Principal, studentId: string, q: { subject?: string; from?: string; to?: string }) {
    const { viewer, enrolment } = await studentViewer(this.d.directory, p, studentId, 'analytics.portrait');
    const period = periodOf(q, 365);
    const range = { from: period.start, to: period.end };
    const inPeriod = (t: Date | null) => !!t && t >= period.start && t < period.end;

    // Mastery: current values and the history in the period, with the points' names.
    const m = await this.d.learning.masteryRecordOf(studentId, { subject: q.subject, ...range });
    const subjects = [...new Set([...m.now.map((r) => r.subject), ...m.history.map((r) => r.subject)])].sort();
    const names = new Map<string, string>();
    for (const s of subjects) {
      const g = await this.d.curriculum.graphOf(s).catch(() => null);
      for (const pt of g?.points ?? []) names.set(`${s}|${pt.code}`, pt.name);
    }
    const mastery = {
      subjects,
      points: m.now.map((r) => ({
        subject: r.subject,
        code: r.code,
        name: names.get(`${r.subject}|${r.code}`) ?? r.code,
        pKnow: r3(r.pKnow),
        observations: r.observations,
        correct: r.correct,
        lastAt: r.lastAt?.toISOString() ?? null,
      })),
      history: m.history.map((r) => ({ subject: r.subject, code: r.code, at: r.at.toISOString(), pKnow: r3(r.pKnow) })),
    };

    // Homework: each assignment due in the period is on time, late, missing (past due) or pending.
    const now = new Date();
    const hw = (await this.d.assessment.homeworkOf(studentId, enrolment.classId, range)).filter((a) => !q.subject || a.subject === q.subject);
    const assignments = hw.map((a) => {
      const first = a.submissions[0];
      const last = a.submissions[a.submissions.length - 1];
      const status = first ? (first.late ? ('late' as const) : ('on_time' as const)) : a.dueAt < now ? ('missing' as const) : ('pending' as const);
      return { id: a.id, title: a.title, subject: a.subject, dueAt: a.dueAt.toISOString(), status, submittedAt: first?.submittedAt.toISOString() ?? null, score: last?.status === 'marked' ? last.score : null, maxScore: a.maxScore };
    });
    const count = (xs: typeof assignments, s: (typeof assignments)[number]['status']) => xs.filter((a) => a.status === s).length;
    const months = [...new Set(hw.map((a) => monthOf(a.dueAt)))].sort();
    const homework = {
      totals: {
        assigned: assignments.length,
        submitted: count(assignments, 'on_time') + count(assignments, 'late'),
        onTime: count(assignments, 'on_time'),
        late: count(assignments, 'late'),
        missing: count(assignments, 'missing'),
        pending: count(assignments, 'pending'),
      },
      byMonth: months.map((month) => {
        const xs = assignments.filter((a) => monthOf(new Date(a.dueAt)) === month);
        return { month, assigned: xs.length, onTime: count(xs, 'on_time'), late: count(xs, 'late'), missing: count(xs, 'missing'), pending: count(xs, 'pending') };
      }),
      assignments,
    };

    // Error notebook: entries added and mastered in the period, by month; open now.
    const nb = await this.d.assessment.notebookOf(studentId, q.subject);
    const touched = nb.filter((e) => inPeriod(e.addedAt) || inPeriod(e.masteredAt));
    const nbMonths = [...new Set(touched.flatMap((e) => [inPeriod(e.addedAt) ? monthOf(e.addedAt) : null, inPeriod(e.masteredAt) ? monthOf(e.masteredAt!) : null]).filter((x): x is string => !!x))].sort();
    const notebook = {
      totals: { added: nb.filter((e) => inPeriod(e.addedAt)).length, mastered: nb.filter((e) => inPeriod(e.masteredAt)).length, open: nb.filter((e) => e.status === 'open').length },
      byMonth: nbMonths.map((month) => ({
        month,
        added: nb.filter((e) => inPeriod(e.addedAt) && monthOf(e.addedAt) === month).length,
        mastered: nb.filter((e) => inPeriod(e.masteredAt) && monthOf(e.masteredAt!) === month).length,
      })),
      entries: touched.map((e) => ({ id: e.id, subject: e.subject, knowledgePoints: e.knowledgePoints, stem: e.stem, status: e.status, addedAt: e.addedAt.toISOString(), masteredAt: e.masteredAt?.toISOString() ?? null })),
    };

    const records = await this.quality.visible(p, studentId, viewer, { from: period.from, to: period.to });
    const quality = {
      byDomain: QUALITY_DOMAINS.map((domain) => ({ domain, count: records.filter((r) => r.domain === domain && !r.withdrawn).length })),
      records,
    };

    const className = (await this.d.directory.classNames([enrolment.classId])).get(enrolment.classId) ?? '';
    if (viewer === 'staff')
      await this.audit.append({
        actor: p,
        action: 'portrait.read',
        resourceType: 'student',
        resourceId: studentId,
        scope: scopeLabel(p),
        outcome: 'success',
        detail: { from: period.from, to: period.to, subject: q.subject ?? null },
        ip: p.ip,
      });
    return { student: { id: studentId, name: enrolment.name, className }, period: { from: period.from, to: period.to }, viewer, mastery, homework, notebook, quality };
  }
}
