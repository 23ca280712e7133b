/**
 * The teaching check-up report (教学体检报告) of one teacher over a period: curriculum coverage
 * by their assignments, homework load and completion, marking turnaround, their classes' weekly
 * mastery trend and their use of AI marking. For the teacher themself and their school's admin;
 * each figure lists what it was computed from (assignments, points, classes).
 */
import { inArray } from 'drizzle-orm';
import type { AuditLog } from '../../platform/audit/index.js';
import type { Principal } from '../../platform/auth/principal.js';
import type { Db } from '../../platform/db/index.js';
import { AppError } from '../../platform/http/errors.js';
import type { Graph } from '../curriculum/index.js';
import { periodOf, weekOf } from './portrait.js';
import type { PortraitDeps } from './quality.js';
import { responseFacts } from './tables.js';

/** A teacher's assignments as the assessment module reports them (`teachingOf`). */
export interface TeachingRecord {
  id: string;
  title: string;
  kind: string;
  subject: string;
  grade: number;
  openAt: Date;
  dueAt: Date;
  items: { knowledgePoints: string[] }[];
  classIds: string[];
  audience: string[];
  submissions: { studentId: string; classId: string; status: string; markingMs: number | null }[];
  marks: { engine: string; ai: boolean; status: string; changed: boolean; reviewMs: number | null }[];
}

export interface CheckupSources {
  assessment: { teachingOf(authorId: string, period: { from: Date; to: Date }): Promise<TeachingRecord[]> };
  curriculum: { graphOf(subject: string): Promise<Graph> };
}

const HOUR = 3_600_000;
const r3 = (x: number) => Math.round(x * 1000) / 1000;

/** Quantile with linear interpolation between order statistics (Hyndman–Fan type 7, as in R and NumPy). */
export function quantile(sorted: number[], q: number): number | null {
  if (!sorted.length) return null;
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  return sorted[lo]! + (h - lo) * ((sorted[Math.min(lo + 1, sorted.length - 1)] ?? sorted[lo]!) - sorted[lo]!);
}

const hoursStat = (ms: number[]) => {
  const h = ms.map((x) => x / HOUR).sort((a, b) => a - b);
  const m = quantile(h, 0.5);
  const p = quantile(h, 0.9);
  return { n: h.length, median: m === null ? null : r3(m), p90: p === null ? null : r3(p) };
};

const forbidden = (teacherId: string) =>
  new AppError(
    403,
    'authz.forbidden',
    { zh: '您没有权限访问此内容。', en: 'You do not have permission to access this.' },
    { details: { permission: 'analytics.checkup', resourceType: 'teacher', resourceId: teacherId } },
  );

const TEACHING = ['teacher', 'head_teacher'];

export class Checkups {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
    private readonly d: PortraitDeps & CheckupSources,
  ) {}

  /** The teacher themself, or a school admin of a school the teacher teaches in. */
  private async access(p: Principal, teacherId: string) {
    if (!p.roles.some((r) => TEACHING.includes(r.role) || r.role === 'school_admin')) throw forbidden(teacherId);
    const bindings = await this.d.directory.teachingBindings(teacherId);
    const self = p.userId === teacherId && p.roles.some((r) => TEACHING.includes(r.role));
    const admin = p.roles.some((r) => r.role === 'school_admin' && r.scopeType === 'school' && bindings.some((b) => b.schoolId === r.scopeId));
    if (!self && !admin) throw forbidden(teacherId);
    return bindings;
  }

  /** Teachers whose check-up the caller may open: themself, and every teacher of their schools for a school admin. */
  async teachers(p: Principal) {
    const out = new Map<string, string>();
    if (p.roles.some((r) => TEACHING.includes(r.role))) out.set(p.userId, p.displayName);
    for (const r of p.roles)
      if (r.role === 'school_admin' && r.scopeType === 'school' && r.scopeId) for (const t of await this.d.directory.teachersOfSchool(r.scopeId)) out.set(t.id, t.name);
    if (!out.size) throw forbidden(p.userId);
    return [...out].map(([id, name]) => ({ id, name }));
  }

  async checkup(p: Principal, teacherId: string, q: { from?: string; to?: string }) {
    const bindings = await this.access(p, teacherId);
    const period = periodOf(q, 56);
    const list = await this.d.assessment.teachingOf(teacherId, { from: period.start, to: period.end });

    // Coverage: points touched by the items of their assignments vs the graph's points of that grade.
    const groups = new Map<string, { subject: string; grade: number; touched: Map<string, Set<string>> }>();
    for (const a of list) {
      const key = `${a.subject}|${a.grade}`;
      const g = groups.get(key) ?? { subject: a.subject, grade: a.grade, touched: new Map<string, Set<string>>() };
      for (const it of a.items) for (const code of it.knowledgePoints) g.touched.set(code, (g.touched.get(code) ?? new Set()).add(a.id));
      groups.set(key, g);
    }
    const coverage = [];
    for (const g of groups.values()) {
      const graph = await this.d.curriculum.graphOf(g.subject).catch(() => null);
      const points = (graph?.points ?? []).filter((pt) => pt.grade === g.grade);
      const covered = points.filter((pt) => g.touched.has(pt.code));
      coverage.push({
        subject: g.subject,
        grade: g.grade,
        covered: covered.length,
        total: points.length,
        share: points.length ? r3(covered.length / points.length) : null,
        coveredPoints: covered.map((pt) => ({ code: pt.code, name: pt.name, assignmentIds: [...g.touched.get(pt.code)!] })),
        uncovered: points.filter((pt) => !g.touched.has(pt.code)).map((pt) => ({ code: pt.code, name: pt.name })),
      });
    }

    // Load and completion: who each assignment is for (its audience, or its classes' students) and who submitted.
    const classIds = [...new Set([...list.flatMap((a) => a.classIds), ...bindings.map((b) => b.classId)])];
    const members = await this.d.directory.classMembers(classIds);
    const classOf = new Map(members.map((m) => [m.id, m.classId]));
    const classNames = await this.d.directory.classNames(classIds);
    // Every class they teach appears, with zeros when they set it nothing in the period.
    const perClass = new Map(bindings.map((b) => [b.classId, { assignments: 0, expected: 0, submitted: 0 }]));
    const rows = list.map((a) => {
      const expected = a.audience.length
        ? a.audience.filter((s) => a.classIds.includes(classOf.get(s) ?? ''))
        : members.filter((m) => a.classIds.includes(m.classId)).map((m) => m.id);
      const expectedSet = new Set(expected);
      const submitted = new Set(a.submissions.map((s) => s.studentId).filter((s) => expectedSet.has(s)));
      for (const c of a.classIds) {
        const e = perClass.get(c) ?? { assignments: 0, expected: 0, submitted: 0 };
        e.assignments++;
        e.expected += expected.filter((s) => classOf.get(s) === c).length;
        e.submitted += [...submitted].filter((s) => classOf.get(s) === c).length;
        perClass.set(c, e);
      }
      return {
        id: a.id,
        title: a.title,
        kind: a.kind,
        subject: a.subject,
        grade: a.grade,
        openAt: a.openAt.toISOString(),
        dueAt: a.dueAt.toISOString(),
        items: a.items.length,
        classIds: a.classIds,
        expected: expected.length,
        submitted: submitted.size,
      };
    });
    const weeks: string[] = [];
    for (let t = period.start.getTime(); t < period.end.getTime(); t += 86_400_000) {
      const w = weekOf(new Date(t));
      if (weeks[weeks.length - 1] !== w) weeks.push(w);
    }
    const expected = rows.reduce((s, r) => s + r.expected, 0);
    const submitted = rows.reduce((s, r) => s + r.submitted, 0);
    const load = {
      assignments: rows.length,
      weeks: weeks.length,
      perWeek: weeks.length ? r3(rows.length / weeks.length) : null,
      itemsPerAssignment: rows.length ? r3(rows.reduce((s, r) => s + r.items, 0) / rows.length) : null,
      byWeek: weeks.map((week) => {
        const ids = list.filter((a) => weekOf(a.openAt) === week).map((a) => a.id);
        return { week, count: ids.length, assignmentIds: ids };
      }),
      byClass: [...perClass].map(([classId, e]) => ({ classId, className: classNames.get(classId) ?? '', ...e, completion: e.expected ? r3(e.submitted / e.expected) : null })),
      list: rows,
    };

    // Turnaround: submission → final mark; AI suggestion → the teacher's review.
    const turnaround = {
      marking: hoursStat(list.flatMap((a) => a.submissions.filter((s) => s.status === 'marked' && s.markingMs !== null).map((s) => s.markingMs!))),
      review: hoursStat(list.flatMap((a) => a.marks.filter((m) => m.ai && m.status === 'reviewed' && m.reviewMs !== null).map((m) => m.reviewMs!))),
    };

    // Mastery trend: weekly score rate of their classes on their assignments (latest attempt of each student).
    const ids = list.map((a) => a.id);
    const mine = new Set(bindings.map((b) => b.classId));
    const facts = ids.length
      ? await this.db
          .select({ assignmentId: responseFacts.assignmentId, studentId: responseFacts.studentId, classId: responseFacts.classId, attempt: responseFacts.attempt, score: responseFacts.score, max: responseFacts.max, markedAt: responseFacts.markedAt })
          .from(responseFacts)
          .where(inArray(responseFacts.assignmentId, ids))
      : [];
    const latest = new Map<string, number>();
    for (const f of facts) latest.set(`${f.assignmentId}|${f.studentId}`, Math.max(latest.get(`${f.assignmentId}|${f.studentId}`) ?? 0, f.attempt));
    const trend = new Map<string, { week: string; classId: string; score: number; max: number; responses: number }>();
    for (const f of facts) {
      if (!mine.has(f.classId) || latest.get(`${f.assignmentId}|${f.studentId}`) !== f.attempt) continue;
      const week = weekOf(f.markedAt);
      const key = `${week}|${f.classId}`;
      const t = trend.get(key) ?? { week, classId: f.classId, score: 0, max: 0, responses: 0 };
      t.score += f.score;
      t.max += f.max;
      t.responses++;
      trend.set(key, t);
    }
    const masteryTrend = [...trend.values()]
      .filter((t) => t.max > 0)
      .sort((x, y) => x.week.localeCompare(y.week) || x.classId.localeCompare(y.classId))
      .map((t) => ({ week: t.week, classId: t.classId, className: classNames.get(t.classId) ?? '', meanRate: r3(t.score / t.max), responses: t.responses }));

    // AI use: marks suggested by a model, and what the teacher did with the suggestions.
    const marks = list.flatMap((a) => a.marks);
    const ai = marks.filter((m) => m.ai);
    const engines = new Map<string, number>();
    for (const m of ai) engines.set(m.engine, (engines.get(m.engine) ?? 0) + 1);
    const aiUse = {
      aiMarks: ai.length,
      marks: marks.length,
      reviewed: ai.filter((m) => m.status === 'reviewed').length,
      accepted: ai.filter((m) => m.status === 'reviewed' && !m.changed).length,
      changed: ai.filter((m) => m.status === 'reviewed' && m.changed).length,
      pending: ai.filter((m) => m.status === 'pending').length,
      engines: [...engines].map(([engine, count]) => ({ engine, count })),
    };

    const name = (await this.d.directory.userNames([teacherId])).get(teacherId) ?? '';
    await this.audit.append({
      actor: p,
      action: 'analytics.checkup',
      resourceType: 'teacher',
      resourceId: teacherId,
      outcome: 'success',
      detail: { from: period.from, to: period.to, assignments: rows.length },
      ip: p.ip,
    });
    return {
      teacher: { id: teacherId, name },
      period: { from: period.from, to: period.to },
      coverage,
      load,
      completion: { expected, submitted, share: expected ? r3(submitted / expected) : null },
      turnaround,
      masteryTrend,
      aiUse,
    };
  }
}
