/**
 * Read-only records of the assessment module for analytics' student portrait and teaching
 * check-up: a student's homework and error notebook, and a teacher's assignments with their
 * submissions, marking times and AI-assisted marks. No caller here: analytics decides who may see.
 */
import { and, asc, eq, gte, inArray, lt, or, sql } from 'drizzle-orm';
import type { Db } from '../../platform/db/index.js';
import type { ItemSnapshot } from './marking.js';
import { assignmentClasses, assignmentItems, assignmentStudents, assignments, itemMarks, notebookEntries, submissions } from './tables.js';

/** Engines whose marks are suggestions of a model (a language model or a trained essay scorer). */
export const isAiEngine = (engine: string) => /(^|\+)(llm\/|essay\/ridge)/.test(engine);

export interface Period {
  from: Date;
  /** Exclusive. */
  to: Date;
}

export class AssessmentRecords {
  constructor(private readonly db: Db) {}

  /**
   * Homework open during the period (opened before its end, due after its start) for a student of
   * `classId` (respecting tiered audiences), each with the student's submissions; plus any homework
   * the student submitted from another class.
   */
  async homeworkOf(studentId: string, classId: string, period: Period) {
    const visible = or(
      sql`not exists (select 1 from ${assignmentStudents} s where s.assignment_id = ${assignments.id})`,
      sql`exists (select 1 from ${assignmentStudents} s where s.assignment_id = ${assignments.id} and s.student_id = ${studentId})`,
    );
    const assigned = and(
      sql`exists (select 1 from ${assignmentClasses} c where c.assignment_id = ${assignments.id} and c.class_id = ${classId})`,
      visible,
    );
    const submitted = sql`exists (select 1 from ${submissions} x where x.assignment_id = ${assignments.id} and x.student_id = ${studentId})`;
    const rows = await this.db
      .select({ id: assignments.id, title: assignments.title, subject: assignments.subject, dueAt: assignments.dueAt, maxScore: assignments.maxScore })
      .from(assignments)
      .where(and(eq(assignments.kind, 'homework'), gte(assignments.dueAt, period.from), lt(assignments.openAt, period.to), or(assigned, submitted)))
      .orderBy(asc(assignments.dueAt));
    const subs = rows.length
      ? await this.db
          .select({ assignmentId: submissions.assignmentId, submittedAt: submissions.submittedAt, late: submissions.late, status: submissions.status, score: submissions.score })
          .from(submissions)
          .where(and(eq(submissions.studentId, studentId), inArray(submissions.assignmentId, rows.map((r) => r.id))))
          .orderBy(asc(submissions.attempt))
      : [];
    return rows.map((r) => ({ ...r, submissions: subs.filter((s) => s.assignmentId === r.id) }));
  }

  /** The student's error-notebook entries (all, open and mastered), oldest first. */
  async notebookOf(studentId: string, subject?: string) {
    const rows = await this.db
      .select({
        id: notebookEntries.id,
        subject: notebookEntries.subject,
        knowledgePoints: notebookEntries.knowledgePoints,
        snapshot: notebookEntries.snapshot,
        status: notebookEntries.status,
        addedAt: notebookEntries.addedAt,
        masteredAt: notebookEntries.masteredAt,
      })
      .from(notebookEntries)
      .where(and(eq(notebookEntries.studentId, studentId), subject ? eq(notebookEntries.subject, subject) : undefined))
      .orderBy(asc(notebookEntries.addedAt));
    return rows.map(({ snapshot, ...r }) => ({ ...r, knowledgePoints: r.knowledgePoints as string[], stem: (snapshot as ItemSnapshot).body.stem.slice(0, 200) }));
  }

  /**
   * A teacher's assignments opened in the period: items' knowledge points, classes, tiered
   * audiences, who submitted, marking turnaround (submission → final mark, AI suggestion → review,
   * in milliseconds) and every item mark's engine and review outcome.
   */
  async teachingOf(authorId: string, period: Period) {
    const list = await this.db
      .select()
      .from(assignments)
      .where(and(eq(assignments.authorId, authorId), gte(assignments.openAt, period.from), lt(assignments.openAt, period.to)))
      .orderBy(asc(assignments.openAt));
    const ids = list.map((a) => a.id);
    if (!ids.length) return [];
    const items = await this.db.select({ assignmentId: assignmentItems.assignmentId, snapshot: assignmentItems.snapshot }).from(assignmentItems).where(inArray(assignmentItems.assignmentId, ids));
    const classes = await this.db.select().from(assignmentClasses).where(inArray(assignmentClasses.assignmentId, ids));
    const audience = await this.db.select().from(assignmentStudents).where(inArray(assignmentStudents.assignmentId, ids));
    const subs = await this.db
      .select({ id: submissions.id, assignmentId: submissions.assignmentId, studentId: submissions.studentId, classId: submissions.classId, status: submissions.status, submittedAt: submissions.submittedAt, markedAt: submissions.markedAt })
      .from(submissions)
      .where(inArray(submissions.assignmentId, ids));
    const marks = await this.db
      .select({ assignmentId: itemMarks.assignmentId, engine: itemMarks.engine, status: itemMarks.status, engineScore: itemMarks.engineScore, finalScore: itemMarks.finalScore, createdAt: itemMarks.createdAt, reviewedAt: itemMarks.reviewedAt })
      .from(itemMarks)
      .where(inArray(itemMarks.assignmentId, ids));
    return list.map((a) => ({
      id: a.id,
      title: a.title,
      kind: a.kind,
      subject: a.subject,
      grade: a.grade,
      openAt: a.openAt,
      dueAt: a.dueAt,
      items: items.filter((i) => i.assignmentId === a.id).map((i) => ({ knowledgePoints: (i.snapshot as ItemSnapshot).knowledgePoints })),
      classIds: classes.filter((c) => c.assignmentId === a.id).map((c) => c.classId),
      /** Empty: the whole classes. */
      audience: audience.filter((s) => s.assignmentId === a.id).map((s) => s.studentId),
      submissions: subs
        .filter((s) => s.assignmentId === a.id)
        .map((s) => ({ studentId: s.studentId, classId: s.classId, status: s.status, markingMs: s.markedAt ? s.markedAt.getTime() - s.submittedAt.getTime() : null })),
      marks: marks
        .filter((m) => m.assignmentId === a.id)
        .map((m) => ({
          engine: m.engine,
          ai: isAiEngine(m.engine),
          status: m.status,
          changed: m.status === 'reviewed' && m.finalScore !== null && Math.abs(m.finalScore - m.engineScore) > 1e-9,
          reviewMs: m.reviewedAt ? m.reviewedAt.getTime() - m.createdAt.getTime() : null,
        })),
    }));
  }

  /**
   * Teachers' reviews of AI-suggested marks since `since`, per reviewer and week (Monday, China
   * time, YYYY-MM-DD): deciding on a model's suggestion is how a teacher uses AI-assisted marking.
   */
  async aiReviewUseSince(since: Date): Promise<{ userId: string; week: string; uses: number }[]> {
    const rows = await this.db
      .select({
        userId: itemMarks.reviewerId,
        week: sql<string>`to_char(date_trunc('week', (${itemMarks.reviewedAt} at time zone 'UTC') + interval '8 hours'), 'YYYY-MM-DD')`,
        engine: itemMarks.engine,
        uses: sql<number>`count(*)::int`,
      })
      .from(itemMarks)
      .where(and(eq(itemMarks.status, 'reviewed'), gte(itemMarks.reviewedAt, since)))
      .groupBy(sql`1`, sql`2`, itemMarks.engine);
    const byWeek = new Map<string, { userId: string; week: string; uses: number }>();
    for (const r of rows) {
      if (!r.userId || !isAiEngine(r.engine)) continue;
      const key = `${r.userId}|${r.week}`;
      const e = byWeek.get(key) ?? { userId: r.userId, week: r.week, uses: 0 };
      e.uses += Number(r.uses);
      byWeek.set(key, e);
    }
    return [...byWeek.values()];
  }
}
