/**
 * Assignments: building from the bank (by hand or by blueprint), assigning to classes, students'
 * drafts and idempotent submissions, and what teachers and students read back.
 * Marking, review and the error notebook are in marking-service.ts.
 */
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import type { AuditLog } from '../../platform/audit/index.js';
import type { Principal } from '../../platform/auth/principal.js';
import type { Db } from '../../platform/db/index.js';
import { AppError } from '../../platform/http/errors.js';
import type { JobQueue } from '../../platform/jobs/index.js';
import { findNearDuplicates, mulberry32 } from '@zhijiao/engine';
import type { CurriculumModule, Item } from '../curriculum/index.js';
import type { ItemSnapshot } from './marking.js';
import { denied, isStudent, requireStudent, requireTeacher, taughtClassIds } from './policies.js';
import type { AssignmentInput, Blueprint } from './schema.js';
import { assignmentClasses, assignmentItems, assignmentStudents, assignments, drafts, itemMarks, submissions } from './tables.js';
import { correctAnswer, responseProblem, studentBody } from './views.js';

export interface Directory {
  enrolment(studentId: string): Promise<{ classId: string; schoolId: string; name: string; studentNo: string } | null>;
  classMembers(classIds: string[]): Promise<{ id: string; name: string; studentNo: string; classId: string }[]>;
  classNames(classIds: string[]): Promise<Map<string, string>>;
  classSchools(classIds: string[]): Promise<Map<string, string>>;
}

type AssignmentRow = typeof assignments.$inferSelect;
type SubmissionRow = typeof submissions.$inferSelect;
type MarkRow = typeof itemMarks.$inferSelect;

export const MARK_JOB = 'assessment.mark';

const notFound = () => new AppError(404, 'assessment.not_found', { zh: '没有找到这份作业。', en: 'No such assignment.' });

const snapshotOf = (it: Item): ItemSnapshot => ({
  type: it.body.type,
  body: it.body,
  explanation: it.explanation,
  knowledgePoints: it.knowledgePoints,
  difficulty: it.difficulty,
  subject: it.subject,
  grade: it.grade,
});

export class Assignments {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
    private readonly jobs: JobQueue,
    private readonly curriculum: Pick<CurriculumModule, 'getItem' | 'searchItems' | 'markItemAnswered'>,
    private readonly directory: Directory,
  ) {}

  /** Picks items for a blueprint from the banks the teacher can see; 422 names every row that is short. */
  async assemble(p: Principal, bp: Blueprint): Promise<{ row: number; item: Item; score: number }[]> {
    requireTeacher(p);
    const rnd = mulberry32(bp.seed);
    const used = new Set<string>();
    const picked: { row: number; item: Item; score: number }[] = [];
    const short: { row: number; wanted: number; found: number }[] = [];
    for (const [i, row] of bp.rows.entries()) {
      const pool = new Map<string, Item>();
      for (const kp of row.knowledgePoints) {
        const found = await this.curriculum.searchItems(p, {
          subject: bp.subject,
          grade: bp.grade,
          knowledgePoint: kp,
          type: row.type,
          difficultyMin: row.difficultyMin,
          difficultyMax: row.difficultyMax,
          page: 1,
          pageSize: 1000,
        });
        for (const it of found.items) if (!used.has(it.id)) pool.set(it.id, it);
      }
      // Seeded shuffle over a stable order: the same blueprint on the same bank gives the same paper.
      const candidates = [...pool.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
      for (let k = candidates.length - 1; k > 0; k--) {
        const j = Math.floor(rnd() * (k + 1));
        [candidates[k], candidates[j]] = [candidates[j]!, candidates[k]!];
      }
      const chosen = candidates.slice(0, row.count);
      if (chosen.length < row.count) short.push({ row: i + 1, wanted: row.count, found: chosen.length });
      for (const it of chosen) {
        used.add(it.id);
        picked.push({ row: i + 1, item: it, score: row.score });
      }
    }
    if (short.length)
      throw new AppError(
        422,
        'assessment.blueprint_short',
        {
          zh: `题库中没有足够的题目：${short.map((s) => `第${s.row}行需要 ${s.wanted} 道，只找到 ${s.found} 道`).join('；')}。`,
          en: `Not enough items in the bank: ${short.map((s) => `row ${s.row} needs ${s.wanted}, found ${s.found}`).join('; ')}.`,
        },
        { details: { rows: short } },
      );
    return picked;
  }

  /** `audience`: only these students of the classes see it (tiered practice); default the whole classes. */
  async create(p: Principal, input: AssignmentInput, audience?: string[]): Promise<string> {
    const mine = requireTeacher(p);
    if (audience) {
      const members = new Set((await this.directory.classMembers(input.classIds)).map((m) => m.id));
      const outside = audience.filter((s) => !members.has(s));
      if (outside.length)
        throw new AppError(422, 'assessment.audience_outside', { zh: '有学生不在所选班级中。', en: 'Some students are not in the chosen classes.' }, { details: { students: outside } });
    }
    const foreign = input.classIds.filter((c) => !mine.has(c));
    if (foreign.length) throw denied('assessment.assign', { type: 'class', id: foreign[0]! });
    let chosen: { item: Item; score: number; alwaysReview: boolean }[];
    if (input.blueprint) {
      chosen = (await this.assemble(p, input.blueprint)).map((x) => ({ item: x.item, score: x.score, alwaysReview: false }));
    } else {
      chosen = [];
      for (const pick of input.items!) {
        const item = await this.curriculum.getItem(p, pick.itemId).catch((e: unknown) => {
          if (e instanceof AppError && e.status === 404)
            throw new AppError(422, 'assessment.item_not_found', { zh: `题目 ${pick.itemId} 不存在。`, en: `Item ${pick.itemId} does not exist.` }, { details: { itemId: pick.itemId } });
          throw e;
        });
        chosen.push({ item, score: pick.score ?? item.score, alwaysReview: pick.alwaysReview });
      }
    }
    const first = chosen[0]!.item;
    const subject = input.blueprint?.subject ?? first.subject;
    const grade = input.blueprint?.grade ?? first.grade;
    const maxScore = Math.round(chosen.reduce((s, c) => s + c.score, 0) * 100) / 100;
    return this.db.transaction(async (tx) => {
      const [a] = await tx
        .insert(assignments)
        .values({
          kind: input.kind,
          title: input.title,
          subject,
          grade,
          authorId: p.userId,
          openAt: input.openAt,
          dueAt: input.dueAt,
          attemptsAllowed: input.attemptsAllowed,
          latePolicy: input.latePolicy,
          latePenalty: input.latePenalty,
          feedbackPolicy: input.feedbackPolicy,
          blueprint: input.blueprint ?? null,
          maxScore,
        })
        .returning({ id: assignments.id });
      await tx.insert(assignmentItems).values(
        chosen.map((c, i) => ({
          assignmentId: a.id,
          position: i + 1,
          itemId: c.item.id,
          itemVersion: c.item.version,
          snapshot: snapshotOf(c.item),
          score: c.score,
          alwaysReview: c.alwaysReview,
        })),
      );
      await tx.insert(assignmentClasses).values(input.classIds.map((classId) => ({ assignmentId: a.id, classId })));
      if (audience?.length) await tx.insert(assignmentStudents).values(audience.map((studentId) => ({ assignmentId: a.id, studentId })));
      await this.audit.append(
        { actor: p, action: 'assignment.create', resourceType: 'assignment', resourceId: a.id, outcome: 'success', detail: { classes: input.classIds, items: chosen.length, maxScore }, ip: p.ip },
        tx,
      );
      return a.id;
    });
  }

  /** The assignment row if the caller teaches one of its classes or wrote it; 403/404 otherwise. */
  async forTeacher(p: Principal, id: string): Promise<AssignmentRow> {
    const a = await this.row(id);
    if (a.authorId === p.userId) return a;
    const mine = taughtClassIds(p);
    const classes = await this.classIdsOf(id);
    if (!classes.some((c) => mine.has(c))) throw denied('assessment.teach', { type: 'assignment', id });
    return a;
  }

  /** The assignment row and the student's class if it is assigned to them. */
  async forStudent(p: Principal, id: string): Promise<{ a: AssignmentRow; classId: string; name: string }> {
    requireStudent(p);
    const a = await this.row(id);
    const e = await this.directory.enrolment(p.userId);
    if (!e || !(await this.classIdsOf(id)).includes(e.classId) || !(await this.inAudience(id, p.userId)))
      throw denied('assessment.answer', { type: 'assignment', id });
    return { a, classId: e.classId, name: e.name };
  }

  private async inAudience(id: string, studentId: string): Promise<boolean> {
    const rows = await this.db.select({ s: assignmentStudents.studentId }).from(assignmentStudents).where(eq(assignmentStudents.assignmentId, id));
    return rows.length === 0 || rows.some((r) => r.s === studentId);
  }

  private async row(id: string): Promise<AssignmentRow> {
    const [a] = await this.db.select().from(assignments).where(eq(assignments.id, id));
    if (!a) throw notFound();
    return a;
  }

  private async classIdsOf(id: string): Promise<string[]> {
    return (await this.db.select({ c: assignmentClasses.classId }).from(assignmentClasses).where(eq(assignmentClasses.assignmentId, id))).map((r) => r.c);
  }

  async items(id: string) {
    return this.db.select().from(assignmentItems).where(eq(assignmentItems.assignmentId, id)).orderBy(asc(assignmentItems.position));
  }

  /** Teacher: assignments of their classes. Student: assignments of their class that are open or past. */
  async list(p: Principal) {
    let rows: AssignmentRow[];
    let studentId: string | null = null;
    if (isStudent(p)) {
      const e = await this.directory.enrolment(p.userId);
      if (!e) return [];
      studentId = p.userId;
      rows = await this.db
        .select()
        .from(assignments)
        .where(
          and(
            sql`${assignments.id} in (select assignment_id from assignment_classes where class_id = ${e.classId})`,
            sql`${assignments.openAt} <= now()`,
            sql`(not exists (select 1 from assignment_students s where s.assignment_id = ${assignments.id})
                 or exists (select 1 from assignment_students s where s.assignment_id = ${assignments.id} and s.student_id = ${p.userId}))`,
          ),
        )
        .orderBy(desc(assignments.dueAt));
    } else {
      const mine = [...requireTeacher(p)];
      rows = await this.db
        .select()
        .from(assignments)
        .where(
          sql`(${assignments.authorId} = ${p.userId} or ${assignments.id} in (select assignment_id from assignment_classes where class_id in (${sql.join(
            mine.map((c) => sql`${c}`),
            sql`, `,
          )})))`,
        )
        .orderBy(desc(assignments.createdAt));
    }
    return Promise.all(rows.map((a) => this.summary(a, studentId)));
  }

  async summary(a: AssignmentRow, studentId: string | null) {
    const classIds = await this.classIdsOf(a.id);
    const names = await this.directory.classNames(classIds);
    const [{ n }] = await this.db
      .select({ n: sql<number>`count(distinct ${submissions.studentId})::int` })
      .from(submissions)
      .where(eq(submissions.assignmentId, a.id));
    const [{ pending }] = await this.db
      .select({ pending: sql<number>`count(*)::int` })
      .from(itemMarks)
      .where(and(eq(itemMarks.assignmentId, a.id), eq(itemMarks.status, 'pending')));
    const [{ items }] = await this.db
      .select({ items: sql<number>`count(*)::int` })
      .from(assignmentItems)
      .where(eq(assignmentItems.assignmentId, a.id));
    let mine: SubmissionRow[] = [];
    if (studentId)
      mine = await this.db
        .select()
        .from(submissions)
        .where(and(eq(submissions.assignmentId, a.id), eq(submissions.studentId, studentId)))
        .orderBy(desc(submissions.attempt));
    return {
      id: a.id,
      kind: a.kind,
      title: a.title,
      subject: a.subject,
      grade: a.grade,
      openAt: a.openAt.toISOString(),
      dueAt: a.dueAt.toISOString(),
      attemptsAllowed: a.attemptsAllowed,
      latePolicy: a.latePolicy,
      latePenalty: a.latePenalty,
      feedbackPolicy: a.feedbackPolicy,
      maxScore: a.maxScore,
      itemCount: items,
      classes: classIds.map((id) => ({ id, name: names.get(id) ?? '' })),
      submitted: studentId ? 0 : n,
      pendingReview: studentId ? 0 : pending,
      myAttempts: studentId ? mine.length : null,
      myStatus: studentId ? (mine[0]?.status ?? null) : null,
      createdAt: a.createdAt.toISOString(),
    };
  }

  async get(p: Principal, id: string) {
    const student = isStudent(p);
    const { a } = student ? await this.forStudent(p, id) : { a: await this.forTeacher(p, id) };
    if (student && a.openAt > new Date())
      throw new AppError(409, 'assessment.not_open', { zh: '这份作业还没有开放。', en: 'This assignment is not open yet.' });
    const items = await this.items(id);
    return {
      ...(await this.summary(a, student ? p.userId : null)),
      blueprint: student ? null : (a.blueprint ?? null),
      items: items.map((it) => {
        const s = it.snapshot as ItemSnapshot;
        return {
          position: it.position,
          itemId: it.itemId,
          itemVersion: it.itemVersion,
          type: s.type,
          score: it.score,
          alwaysReview: it.alwaysReview,
          knowledgePoints: s.knowledgePoints,
          difficulty: s.difficulty,
          body: student ? studentBody(s.body) : s.body,
          explanation: student ? null : s.explanation,
        };
      }),
    };
  }

  async getDraft(p: Principal, id: string) {
    await this.forStudent(p, id);
    const [d] = await this.db.select().from(drafts).where(and(eq(drafts.assignmentId, id), eq(drafts.studentId, p.userId)));
    return { answers: (d?.answers as Record<string, unknown>) ?? {}, updatedAt: d?.updatedAt.toISOString() ?? null };
  }

  async saveDraft(p: Principal, id: string, answers: Record<string, unknown>) {
    await this.forStudent(p, id);
    await this.checkAnswers(id, answers);
    const now = new Date();
    await this.db
      .insert(drafts)
      .values({ assignmentId: id, studentId: p.userId, answers, updatedAt: now })
      .onConflictDoUpdate({ target: [drafts.assignmentId, drafts.studentId], set: { answers, updatedAt: now } });
    return { answers, updatedAt: now.toISOString() };
  }

  private async checkAnswers(id: string, answers: Record<string, unknown>) {
    const items = await this.items(id);
    const problems: { position: number; problem: string }[] = [];
    for (const key of Object.keys(answers)) {
      const it = items.find((i) => String(i.position) === key);
      if (!it) problems.push({ position: Number(key), problem: 'no such question' });
      else {
        const pr = responseProblem((it.snapshot as ItemSnapshot).body, answers[key]);
        if (pr) problems.push({ position: it.position, problem: pr });
      }
    }
    if (problems.length)
      throw new AppError(
        422,
        'assessment.answer_invalid',
        {
          zh: `以下题目的答案格式不对：${problems.map((x) => `第${x.position}题`).join('、')}。`,
          en: `Answers in the wrong form: ${problems.map((x) => `question ${x.position} (${x.problem})`).join('; ')}.`,
        },
        { details: { problems } },
      );
  }

  /**
   * Stores an attempt exactly once per client id, then queues its marking in the same transaction.
   * Returns { created: false } with the earlier submission when the id was seen before.
   */
  async submit(p: Principal, id: string, clientId: string, answers: Record<string, unknown>): Promise<{ id: string; created: boolean }> {
    const { a, classId } = await this.forStudent(p, id);
    const [seen] = await this.db
      .select({ id: submissions.id, assignmentId: submissions.assignmentId })
      .from(submissions)
      .where(and(eq(submissions.studentId, p.userId), eq(submissions.clientId, clientId)));
    if (seen) return this.replay(seen, id);
    const now = new Date();
    if (now < a.openAt) throw new AppError(409, 'assessment.not_open', { zh: '这份作业还没有开放。', en: 'This assignment is not open yet.' });
    const late = now > a.dueAt;
    if (late && a.latePolicy === 'reject')
      throw new AppError(409, 'assessment.closed', { zh: '已过截止时间，这份作业不再接受提交。', en: 'The due time has passed; this assignment no longer accepts submissions.' });
    await this.checkAnswers(id, answers);
    await this.freezeItems(id);
    const result = await this.db.transaction(async (tx) => {
      // One submitter at a time per student: the attempt count and the client-id check see each other.
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${p.userId}))`);
      const [again] = await tx
        .select({ id: submissions.id, assignmentId: submissions.assignmentId })
        .from(submissions)
        .where(and(eq(submissions.studentId, p.userId), eq(submissions.clientId, clientId)));
      if (again) return { again };
      const [{ n }] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(submissions)
        .where(and(eq(submissions.assignmentId, id), eq(submissions.studentId, p.userId)));
      if (n >= a.attemptsAllowed)
        throw new AppError(
          409,
          'assessment.no_attempts_left',
          { zh: `这份作业最多可提交 ${a.attemptsAllowed} 次，您已用完。`, en: `This assignment allows ${a.attemptsAllowed} attempt(s); none are left.` },
          { details: { attemptsAllowed: a.attemptsAllowed } },
        );
      const [s] = await tx
        .insert(submissions)
        .values({ assignmentId: id, studentId: p.userId, classId, clientId, attempt: n + 1, answers, late, maxScore: a.maxScore })
        .returning({ id: submissions.id });
      await tx.delete(drafts).where(and(eq(drafts.assignmentId, id), eq(drafts.studentId, p.userId)));
      await this.jobs.enqueue(tx, MARK_JOB, { submissionId: s.id });
      return { created: s.id };
    });
    if ('again' in result && result.again) return this.replay(result.again, id);
    this.jobs.poke();
    return { id: (result as { created: string }).created, created: true };
  }

  /** Freezes the assignment's item versions before any answer points at them (idempotent). */
  async freezeItems(id: string): Promise<void> {
    for (const it of await this.items(id)) await this.curriculum.markItemAnswered(it.itemId, it.itemVersion);
  }

  private replay(seen: { id: string; assignmentId: string }, id: string) {
    if (seen.assignmentId !== id)
      throw new AppError(409, 'assessment.client_id_reused', { zh: '提交编号已被另一份作业使用。', en: 'This client id was already used for another assignment.' });
    return { id: seen.id, created: false };
  }

  /** A submission with per-item feedback, for its student, their teachers (and later parents). */
  async submission(p: Principal, submissionId: string) {
    const [s] = await this.db.select().from(submissions).where(eq(submissions.id, submissionId));
    if (!s) throw new AppError(404, 'assessment.submission_not_found', { zh: '没有找到这份提交。', en: 'No such submission.' });
    const teacher = !isStudent(p);
    if (teacher) await this.forTeacher(p, s.assignmentId);
    else if (s.studentId !== p.userId) throw denied('assessment.answer', { type: 'submission', id: submissionId });
    const a = await this.row(s.assignmentId);
    const items = await this.items(s.assignmentId);
    const marks = await this.db.select().from(itemMarks).where(eq(itemMarks.submissionId, submissionId));
    const visible = teacher || a.feedbackPolicy === 'after_submit' || new Date() >= a.dueAt;
    const answers = s.answers as Record<string, unknown>;
    const name = teacher ? ((await this.directory.enrolment(s.studentId))?.name ?? null) : null;
    return {
      ...this.submissionRow(s, name),
      feedbackVisible: visible,
      items: items.map((it) => {
        const snap = it.snapshot as ItemSnapshot;
        const m = marks.find((x) => x.position === it.position);
        return this.feedback(it.position, snap, it.score, m, answers[String(it.position)], visible, teacher);
      }),
    };
  }

  submissionRow(s: SubmissionRow, name: string | null) {
    return {
      id: s.id,
      assignmentId: s.assignmentId,
      studentId: s.studentId,
      studentName: name,
      attempt: s.attempt,
      status: s.status,
      score: s.score,
      maxScore: s.maxScore,
      late: s.late,
      source: s.source,
      submittedAt: s.submittedAt.toISOString(),
      markedAt: s.markedAt?.toISOString() ?? null,
    };
  }

  private feedback(position: number, snap: ItemSnapshot, max: number, m: MarkRow | undefined, answer: unknown, visible: boolean, teacher: boolean) {
    // A student sees an item's score once it is final; a pending review shows as "being marked".
    const final = m && m.status !== 'pending';
    const detail = m?.detail as { points?: unknown[] } | undefined;
    const points = (final || teacher) && detail?.points ? ((m?.reviewPoints as unknown[] | null) ?? detail.points) : [];
    return {
      position,
      type: snap.type,
      score: final ? (m.finalScore ?? m.engineScore) : null,
      max,
      status: m?.status ?? null,
      engine: teacher ? (m?.engine ?? null) : null,
      points: points as never,
      comment: final ? (m.comment ?? null) : null,
      answer: answer ?? null,
      correctAnswer: visible ? correctAnswer(snap.body) : null,
      explanation: visible ? snap.explanation : null,
      knowledgePoints: snap.knowledgePoints,
    };
  }

  /** Every submission of an assignment, who is missing, and answers that look copied. */
  async listSubmissions(p: Principal, id: string) {
    await this.forTeacher(p, id);
    const classIds = await this.classIdsOf(id);
    const audience = new Set((await this.db.select({ s: assignmentStudents.studentId }).from(assignmentStudents).where(eq(assignmentStudents.assignmentId, id))).map((r) => r.s));
    const members = (await this.directory.classMembers(classIds)).filter((m) => audience.size === 0 || audience.has(m.id));
    const classNames = await this.directory.classNames(classIds);
    const byId = new Map(members.map((m) => [m.id, m]));
    const rows = await this.db.select().from(submissions).where(eq(submissions.assignmentId, id)).orderBy(asc(submissions.submittedAt));
    const items = await this.items(id);
    const latest = new Map<string, SubmissionRow>();
    for (const s of rows) if ((latest.get(s.studentId)?.attempt ?? 0) < s.attempt) latest.set(s.studentId, s);
    const similar: { position: number; a: string; b: string; aName: string; bName: string; similarity: number }[] = [];
    for (const it of items) {
      const t = (it.snapshot as ItemSnapshot).type;
      if (t !== 'short_answer' && t !== 'essay') continue;
      const docs = [...latest.values()]
        .map((s) => ({ id: s.studentId, text: (s.answers as Record<string, unknown>)[String(it.position)] }))
        .filter((d): d is { id: string; text: string } => typeof d.text === 'string');
      for (const d of findNearDuplicates(docs, { threshold: 0.6, minLength: 20 }))
        similar.push({
          position: it.position,
          a: d.a,
          b: d.b,
          aName: byId.get(d.a)?.name ?? '',
          bName: byId.get(d.b)?.name ?? '',
          similarity: Math.round(d.similarity * 1000) / 1000,
        });
    }
    return {
      submissions: rows.map((s) => {
        const m = byId.get(s.studentId);
        return { ...this.submissionRow(s, m?.name ?? null), studentNo: m?.studentNo ?? null, className: m ? (classNames.get(m.classId) ?? null) : null };
      }),
      missing: members
        .filter((m) => !latest.has(m.id))
        .map((m) => ({ id: m.id, name: m.name, studentNo: m.studentNo, className: classNames.get(m.classId) ?? '' })),
      similar,
    };
  }

  /** Ids of submissions a student made to one assignment, newest first. */
  async mySubmissions(p: Principal, id: string) {
    await this.forStudent(p, id);
    const rows = await this.db
      .select()
      .from(submissions)
      .where(and(eq(submissions.assignmentId, id), eq(submissions.studentId, p.userId)))
      .orderBy(desc(submissions.attempt));
    return rows.map((s) => this.submissionRow(s, null));
  }

  /**
   * For analytics (no caller: the analytics module decides who may see what): who the assignment
   * is for and its questions, with the options and key of choice items. Null when it does not exist.
   */
  async audience(id: string) {
    const [a] = await this.db.select().from(assignments).where(eq(assignments.id, id));
    if (!a) return null;
    const items = await this.items(id);
    return {
      id: a.id,
      kind: a.kind,
      title: a.title,
      subject: a.subject,
      grade: a.grade,
      authorId: a.authorId,
      maxScore: a.maxScore,
      classIds: await this.classIdsOf(id),
      items: items.map((it) => {
        const snap = it.snapshot as ItemSnapshot;
        const b = snap.body;
        const choice = b.type === 'single_choice' || b.type === 'multiple_choice';
        return {
          position: it.position,
          itemId: it.itemId,
          itemVersion: it.itemVersion,
          type: snap.type,
          max: it.score,
          knowledgePoints: snap.knowledgePoints,
          stem: b.stem,
          options: choice ? b.options.map((o) => o.key) : null,
          key: choice ? b.answer : null,
        };
      }),
    };
  }

  async assignmentTitles(ids: string[]): Promise<Map<string, string>> {
    if (!ids.length) return new Map();
    const rows = await this.db.select({ id: assignments.id, title: assignments.title }).from(assignments).where(inArray(assignments.id, ids));
    return new Map(rows.map((r) => [r.id, r.title]));
  }

  /**
   * Homework that fell due in [since, now] and that a student it was set for has not submitted, per
   * student (for the early-warning rules). `classIds` null: every class. Tiered assignments count
   * only for their audience.
   */
  async missingHomework(
    classIds: string[] | null,
    since: Date,
    now: Date,
  ): Promise<{ studentId: string; classId: string; assignments: { id: string; title: string; subject: string; dueAt: string; authorId: string }[] }[]> {
    if (classIds && classIds.length === 0) return [];
    const due = await this.db
      .select({ id: assignments.id, title: assignments.title, subject: assignments.subject, dueAt: assignments.dueAt, authorId: assignments.authorId, classId: assignmentClasses.classId })
      .from(assignments)
      .innerJoin(assignmentClasses, eq(assignmentClasses.assignmentId, assignments.id))
      .where(
        and(
          eq(assignments.kind, 'homework'),
          sql`${assignments.dueAt} >= ${since.toISOString()}`,
          sql`${assignments.dueAt} <= ${now.toISOString()}`,
          classIds ? inArray(assignmentClasses.classId, classIds) : undefined,
        ),
      )
      .orderBy(asc(assignments.dueAt));
    if (due.length === 0) return [];
    const ids = [...new Set(due.map((d) => d.id))];
    const audiences = await this.db.select().from(assignmentStudents).where(inArray(assignmentStudents.assignmentId, ids));
    const submitted = new Set(
      (await this.db.selectDistinct({ a: submissions.assignmentId, s: submissions.studentId }).from(submissions).where(inArray(submissions.assignmentId, ids))).map((r) => `${r.a}:${r.s}`),
    );
    const members = await this.directory.classMembers([...new Set(due.map((d) => d.classId))]);
    const out = new Map<string, { studentId: string; classId: string; assignments: { id: string; title: string; subject: string; dueAt: string; authorId: string }[] }>();
    for (const a of due) {
      const audience = new Set(audiences.filter((x) => x.assignmentId === a.id).map((x) => x.studentId));
      for (const m of members) {
        if (m.classId !== a.classId || (audience.size > 0 && !audience.has(m.id)) || submitted.has(`${a.id}:${m.id}`)) continue;
        const entry = out.get(m.id) ?? { studentId: m.id, classId: m.classId, assignments: [] };
        entry.assignments.push({ id: a.id, title: a.title, subject: a.subject, dueAt: a.dueAt.toISOString(), authorId: a.authorId });
        out.set(m.id, entry);
      }
    }
    return [...out.values()];
  }
}
