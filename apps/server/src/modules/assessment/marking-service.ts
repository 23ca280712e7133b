/**
 * Marking in the worker, the teachers' review queue with engine–human agreement, essay models
 * trained from reviewed answers, the `submission.marked` event, and the students' error notebook.
 */
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import { quadraticWeightedKappa, trainEssayModel, type EssayModel } from '@zhijiao/engine';
import type { AuditLog } from '../../platform/audit/index.js';
import type { Principal } from '../../platform/auth/principal.js';
import type { Db, Queryable } from '../../platform/db/index.js';
import { publish } from '../../platform/events/index.js';
import { AppError } from '../../platform/http/errors.js';
import type { JobQueue } from '../../platform/jobs/index.js';
import type { LlmEndpoint } from './llm.js';
import { isWrong, markItem, type ItemSnapshot, type MarkDetail, type PointMark } from './marking.js';
import { denied, requireStudent, requireTeacher } from './policies.js';
import { MARK_JOB, type Assignments, type Directory } from './service.js';
import { assignmentItems, assignments, essayModels, itemMarks, notebookEntries, submissions } from './tables.js';
import { correctAnswer, responseProblem, studentBody } from './views.js';

export const TRAIN_ESSAY_JOB = 'assessment.train_essay';
export const SUBMISSION_MARKED = 'submission.marked';

const round2 = (x: number) => Math.round(x * 100) / 100;
/** Spaced review of notebook items: after 1, 3, 7, 14 days of consecutive correct retries. */
const REVIEW_DAYS = [1, 3, 7, 14];

export class Marking {
  /** Class -> school, learnt outside transactions (PGlite runs one at a time) for the event's schoolId. */
  private readonly schoolOfClass = new Map<string, string>();

  constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
    private readonly jobs: JobQueue,
    private readonly assignmentsSvc: Assignments,
    private readonly directory: Directory,
    private readonly settings: { llm: LlmEndpoint | null; threshold: number },
  ) {}

  /**
   * Looks up the schools of these classes (a class never changes school, so they are kept).
   * Called before opening the transaction that finalises submissions of these classes.
   */
  async knowSchools(classIds: string[]): Promise<void> {
    const missing = [...new Set(classIds)].filter((c) => !this.schoolOfClass.has(c));
    if (!missing.length) return;
    for (const [c, school] of await this.directory.classSchools(missing)) this.schoolOfClass.set(c, school);
  }

  register(): void {
    this.jobs.register(MARK_JOB, (payload) => this.markSubmission(String(payload.submissionId)));
    this.jobs.register(TRAIN_ESSAY_JOB, (payload) => this.trainEssay(String(payload.itemId)));
  }

  private async essayModel(itemId: string): Promise<EssayModel | null> {
    const [r] = await this.db.select({ model: essayModels.model }).from(essayModels).where(eq(essayModels.itemId, itemId));
    return (r?.model as EssayModel) ?? null;
  }

  /**
   * Marks every item that has no mark yet, then finalises. Each mark is one row written once, so a
   * run interrupted by a crash resumes where it stopped and never scores an item twice.
   */
  async markSubmission(submissionId: string): Promise<void> {
    const [s] = await this.db.select().from(submissions).where(eq(submissions.id, submissionId));
    if (!s || s.status !== 'marking') return;
    const items = await this.assignmentsSvc.items(s.assignmentId);
    const done = new Set(
      (await this.db.select({ position: itemMarks.position }).from(itemMarks).where(eq(itemMarks.submissionId, submissionId))).map((r) => r.position),
    );
    const enrolment = await this.directory.enrolment(s.studentId);
    const classmates = enrolment ? (await this.directory.classMembers([enrolment.classId])).map((m) => m.name) : [];
    const answers = s.answers as Record<string, unknown>;
    for (const it of items) {
      if (done.has(it.position)) continue;
      const snap = it.snapshot as ItemSnapshot;
      const mark = await markItem(snap, answers[String(it.position)], it.score, {
        llm: this.settings.llm,
        threshold: this.settings.threshold,
        alwaysReview: it.alwaysReview,
        names: classmates,
        user: s.studentId,
        essayModel: (id) => this.essayModel(id),
        essaySamples: (id) => this.reviewedCount(id),
        itemId: it.itemId,
      });
      await this.db
        .insert(itemMarks)
        .values({
          submissionId,
          position: it.position,
          assignmentId: s.assignmentId,
          itemId: it.itemId,
          itemVersion: it.itemVersion,
          engine: mark.engine,
          engineScore: mark.score,
          maxScore: it.score,
          confidence: Math.round(mark.confidence * 1000) / 1000,
          detail: mark.detail,
          status: mark.review ? 'pending' : 'auto',
          reviewReason: mark.review,
          finalScore: mark.review ? null : mark.score,
        })
        .onConflictDoNothing();
    }
    await this.knowSchools([s.classId]);
    await this.db.transaction((tx) => this.finalise(tx, submissionId));
  }

  private async reviewedCount(itemId: string): Promise<number> {
    const [{ n }] = await this.db
      .select({ n: sql<number>`count(*)::int` })
      .from(itemMarks)
      .where(and(eq(itemMarks.itemId, itemId), eq(itemMarks.status, 'reviewed')));
    return n;
  }

  /**
   * When every item has a final mark: the submission's score (with the late penalty), the
   * `submission.marked` event and the error-notebook entries, all in the caller's transaction and
   * only once (the status guard makes a repeated call a no-op).
   */
  async finalise(tx: Queryable, submissionId: string): Promise<void> {
    const [s] = await tx.select().from(submissions).where(eq(submissions.id, submissionId)).for('update');
    if (!s || s.status === 'marked') return;
    const [a] = await tx.select().from(assignments).where(eq(assignments.id, s.assignmentId));
    const items = await tx.select().from(assignmentItems).where(eq(assignmentItems.assignmentId, s.assignmentId)).orderBy(asc(assignmentItems.position));
    const marks = await tx.select().from(itemMarks).where(eq(itemMarks.submissionId, submissionId));
    if (marks.length < items.length) return;
    if (marks.some((m) => m.status === 'pending')) {
      if (s.status !== 'review') await tx.update(submissions).set({ status: 'review' }).where(eq(submissions.id, submissionId));
      return;
    }
    let total = marks.reduce((sum, m) => sum + (m.finalScore ?? m.engineScore), 0);
    if (s.late && a!.latePolicy === 'penalty') total *= 1 - a!.latePenalty / 100;
    const markedAt = new Date();
    await tx.update(submissions).set({ status: 'marked', score: round2(total), markedAt }).where(eq(submissions.id, submissionId));
    const answers = s.answers as Record<string, unknown>;
    const perItem = items.map((it) => {
      const m = marks.find((x) => x.position === it.position)!;
      const snap = it.snapshot as ItemSnapshot;
      const score = m.finalScore ?? m.engineScore;
      const given = answers[String(it.position)];
      // Choice items: the option(s) chosen, for analytics' distractor analysis (null: no answer).
      let chosen: string | string[] | null | undefined;
      if (snap.type === 'single_choice') chosen = typeof given === 'string' ? given : null;
      else if (snap.type === 'multiple_choice') chosen = Array.isArray(given) ? given.filter((x): x is string => typeof x === 'string') : null;
      return {
        position: it.position,
        itemId: it.itemId,
        itemVersion: it.itemVersion,
        type: snap.type,
        knowledgePoints: snap.knowledgePoints,
        difficulty: snap.difficulty,
        score,
        max: it.score,
        correct: !isWrong(score, it.score),
        engine: m.status === 'reviewed' ? `teacher(${m.engine})` : m.engine,
        confidence: m.confidence,
        ...(chosen === undefined ? {} : { chosen }),
      };
    });
    await publish(tx, SUBMISSION_MARKED, submissionId, {
      submissionId,
      assignmentId: s.assignmentId,
      kind: a!.kind,
      subject: a!.subject,
      studentId: s.studentId,
      classId: s.classId,
      schoolId: this.schoolOfClass.get(s.classId) ?? null,
      attempt: s.attempt,
      source: s.source,
      score: round2(total),
      maxScore: s.maxScore,
      late: s.late,
      submittedAt: s.submittedAt.toISOString(),
      markedAt: markedAt.toISOString(),
      items: perItem,
    });
    for (const r of perItem) {
      if (r.correct || s.source === 'paper') continue;
      const it = items.find((x) => x.position === r.position)!;
      const snap = it.snapshot as ItemSnapshot;
      const lastAnswer = answers[String(r.position)] ?? null;
      await tx
        .insert(notebookEntries)
        .values({
          studentId: s.studentId,
          itemId: it.itemId,
          itemVersion: it.itemVersion,
          subject: snap.subject,
          snapshot: snap,
          knowledgePoints: snap.knowledgePoints,
          submissionId,
          position: it.position,
          lastAnswer,
        })
        // Wrong again: back into the open notebook with the newest version and answer.
        .onConflictDoUpdate({
          target: [notebookEntries.studentId, notebookEntries.itemId],
          set: {
            itemVersion: it.itemVersion,
            snapshot: snap,
            submissionId,
            position: it.position,
            lastAnswer,
            status: 'open',
            correctStreak: 0,
            masteredAt: null,
            dueAt: new Date(),
          },
        });
    }
  }

  // ───────────── review ─────────────

  /** Pending marks of assignments the caller teaches, oldest first. */
  async queue(p: Principal, assignmentId?: string) {
    const mine = [...requireTeacher(p)];
    if (assignmentId) await this.assignmentsSvc.forTeacher(p, assignmentId);
    const scope = sql`${itemMarks.assignmentId} in (select assignment_id from assignment_classes where class_id in (${sql.join(
      mine.map((c) => sql`${c}`),
      sql`, `,
    )}))`;
    const rows = await this.db
      .select({ m: itemMarks, s: submissions, title: assignments.title, snapshot: assignmentItems.snapshot })
      .from(itemMarks)
      .innerJoin(submissions, eq(submissions.id, itemMarks.submissionId))
      .innerJoin(assignments, eq(assignments.id, itemMarks.assignmentId))
      .innerJoin(assignmentItems, and(eq(assignmentItems.assignmentId, itemMarks.assignmentId), eq(assignmentItems.position, itemMarks.position)))
      .where(and(eq(itemMarks.status, 'pending'), scope, assignmentId ? eq(itemMarks.assignmentId, assignmentId) : undefined))
      .orderBy(asc(submissions.submittedAt), asc(itemMarks.position))
      .limit(500);
    const members = await this.directory.classMembers([...new Set(rows.map((r) => r.s.classId))]);
    const names = new Map(members.map((m) => [m.id, m.name]));
    return rows.map(({ m, s, title, snapshot }) => {
      const snap = snapshot as ItemSnapshot;
      const d = m.detail as MarkDetail;
      return {
        submissionId: m.submissionId,
        position: m.position,
        assignmentId: m.assignmentId,
        assignmentTitle: title,
        studentName: names.get(s.studentId) ?? '',
        type: snap.type,
        stem: snap.body.stem,
        answer: (s.answers as Record<string, unknown>)[String(m.position)] ?? null,
        engine: m.engine,
        engineScore: m.engineScore,
        max: m.maxScore,
        confidence: m.confidence,
        reason: m.reviewReason,
        scale: d.scale,
        points: d.points,
        info: d.info,
      };
    });
  }

  private async pendingMark(p: Principal, submissionId: string, position: number) {
    requireTeacher(p);
    const [m] = await this.db
      .select()
      .from(itemMarks)
      .where(and(eq(itemMarks.submissionId, submissionId), eq(itemMarks.position, position)));
    if (!m) throw new AppError(404, 'assessment.mark_not_found', { zh: '没有找到这道题的评分。', en: 'No such mark.' });
    await this.assignmentsSvc.forTeacher(p, m.assignmentId);
    if (m.status !== 'pending')
      throw new AppError(409, 'assessment.already_reviewed', { zh: '这道题已经复核过了。', en: 'This mark has already been reviewed.' });
    return m;
  }

  /** A teacher accepts the engine's points, or sets their own per point, with an optional comment. */
  async decide(p: Principal, submissionId: string, position: number, decision: { points?: { id: string; score: number }[]; comment?: string }) {
    const m = await this.pendingMark(p, submissionId, position);
    const d = m.detail as MarkDetail;
    let points: PointMark[] = d.points;
    if (decision.points) {
      const bad: string[] = [];
      points = d.points.map((pt) => {
        const given = decision.points!.find((x) => x.id === pt.id);
        if (!given) return pt;
        if (given.score > pt.max + 1e-9) bad.push(`${pt.id} (max ${pt.max})`);
        return { ...pt, score: given.score };
      });
      for (const g of decision.points) if (!d.points.some((pt) => pt.id === g.id)) bad.push(`${g.id} (unknown)`);
      if (bad.length)
        throw new AppError(
          422,
          'assessment.review_invalid',
          { zh: `评分点的分数不对：${bad.join('、')}。`, en: `Invalid point scores: ${bad.join(', ')}.` },
          { details: { points: bad } },
        );
    }
    const finalScore = round2(points.reduce((s, pt) => s + pt.score, 0) * d.scale);
    const [sub] = await this.db.select({ classId: submissions.classId }).from(submissions).where(eq(submissions.id, submissionId));
    await this.knowSchools(sub ? [sub.classId] : []);
    await this.db.transaction(async (tx) => {
      await tx
        .update(itemMarks)
        .set({
          status: 'reviewed',
          finalScore,
          reviewerId: p.userId,
          reviewedAt: new Date(),
          reviewPoints: decision.points ? points : null,
          comment: decision.comment?.trim() || null,
        })
        .where(and(eq(itemMarks.submissionId, submissionId), eq(itemMarks.position, position), eq(itemMarks.status, 'pending')));
      await this.audit.append(
        {
          actor: p,
          action: 'mark.review',
          resourceType: 'submission',
          resourceId: submissionId,
          outcome: 'success',
          detail: { position, engine: m.engine, engineScore: m.engineScore, finalScore, adjusted: !!decision.points },
          ip: p.ip,
        },
        tx,
      );
      if ((m.detail as MarkDetail).type === 'essay') await this.jobs.enqueue(tx, TRAIN_ESSAY_JOB, { itemId: m.itemId });
      await this.finalise(tx, submissionId);
    });
    this.jobs.poke();
    return { submissionId, position, finalScore };
  }

  /** Accepts every pending mark of an assignment (optionally one question) at or above a confidence. */
  async bulkAccept(p: Principal, f: { assignmentId: string; position?: number; minConfidence: number }) {
    await this.assignmentsSvc.forTeacher(p, f.assignmentId);
    const classes = await this.db.selectDistinct({ classId: submissions.classId }).from(submissions).where(eq(submissions.assignmentId, f.assignmentId));
    await this.knowSchools(classes.map((c) => c.classId));
    return this.db.transaction(async (tx) => {
      const rows = await tx
        .update(itemMarks)
        .set({ status: 'reviewed', finalScore: itemMarks.engineScore, reviewerId: p.userId, reviewedAt: new Date() })
        .where(
          and(
            eq(itemMarks.assignmentId, f.assignmentId),
            eq(itemMarks.status, 'pending'),
            sql`${itemMarks.confidence} >= ${f.minConfidence}`,
            f.position ? eq(itemMarks.position, f.position) : undefined,
          ),
        )
        .returning({ submissionId: itemMarks.submissionId });
      await this.audit.append(
        { actor: p, action: 'mark.bulk_accept', resourceType: 'assignment', resourceId: f.assignmentId, outcome: 'success', detail: { ...f, accepted: rows.length }, ip: p.ip },
        tx,
      );
      for (const sid of new Set(rows.map((r) => r.submissionId))) await this.finalise(tx, sid);
      return { accepted: rows.length };
    });
  }

  /** Per question: how often the engine decided alone, and its agreement with teachers (QWK) over all reviews of the item. */
  async agreement(p: Principal, assignmentId: string) {
    await this.assignmentsSvc.forTeacher(p, assignmentId);
    const items = await this.assignmentsSvc.items(assignmentId);
    const out = [];
    for (const it of items) {
      const counts = await this.db
        .select({ status: itemMarks.status, n: sql<number>`count(*)::int` })
        .from(itemMarks)
        .where(and(eq(itemMarks.assignmentId, assignmentId), eq(itemMarks.position, it.position)))
        .groupBy(itemMarks.status);
      const n = (st: string) => counts.find((c) => c.status === st)?.n ?? 0;
      const reviewed = await this.db
        .select({ e: itemMarks.engineScore, f: itemMarks.finalScore, max: itemMarks.maxScore })
        .from(itemMarks)
        .where(and(eq(itemMarks.itemId, it.itemId), eq(itemMarks.status, 'reviewed'), sql`${itemMarks.engine} <> 'essay/untrained'`));
      let qwk: number | null = null;
      let exact: number | null = null;
      if (reviewed.length >= 5) {
        const max = Math.max(1, Math.round(it.score));
        const grid = (x: number, m: number) => Math.round((x / m) * max);
        const a = reviewed.map((r) => grid(r.e, r.max));
        const b = reviewed.map((r) => grid(r.f ?? r.e, r.max));
        qwk = Math.round(quadraticWeightedKappa(a, b, 0, max) * 1000) / 1000;
        exact = Math.round((a.filter((x, i) => x === b[i]).length / a.length) * 1000) / 1000;
      }
      out.push({
        position: it.position,
        itemId: it.itemId,
        type: (it.snapshot as ItemSnapshot).type,
        reviewed: n('reviewed'),
        pending: n('pending'),
        auto: n('auto'),
        qwk,
        exactAgreement: exact,
      });
    }
    return { items: out };
  }

  /** Trains the essay model of an item from its teacher-reviewed answers (replacing the previous one). */
  async trainEssay(itemId: string): Promise<void> {
    const rows = await this.db
      .select({ detail: itemMarks.detail, reviewPoints: itemMarks.reviewPoints, answers: submissions.answers, position: itemMarks.position, snapshot: assignmentItems.snapshot })
      .from(itemMarks)
      .innerJoin(submissions, eq(submissions.id, itemMarks.submissionId))
      .innerJoin(assignmentItems, and(eq(assignmentItems.assignmentId, itemMarks.assignmentId), eq(assignmentItems.position, itemMarks.position)))
      .where(and(eq(itemMarks.itemId, itemId), eq(itemMarks.status, 'reviewed')));
    if (!rows.length) return;
    const snap = rows[rows.length - 1]!.snapshot as ItemSnapshot;
    if (snap.body.type !== 'essay') return;
    const dims = snap.body.dimensions.map((d) => ({ id: d.id, min: d.min, max: d.max }));
    const samples = rows
      .map((r) => {
        const text = (r.answers as Record<string, unknown>)[String(r.position)];
        const pts = (r.reviewPoints as PointMark[] | null) ?? (r.detail as MarkDetail).points;
        return typeof text === 'string' ? { text, scores: Object.fromEntries(pts.map((p) => [p.id, p.score])) } : null;
      })
      .filter((x): x is { text: string; scores: Record<string, number> } => !!x);
    const result = trainEssayModel(samples, dims, { prompt: snap.body.stem });
    if (!result.ok) return;
    await this.db
      .insert(essayModels)
      .values({ itemId, model: result.model, samples: result.samples, cvQwk: result.cvQwk, trainedAt: new Date() })
      .onConflictDoUpdate({ target: essayModels.itemId, set: { model: result.model, samples: result.samples, cvQwk: result.cvQwk, trainedAt: new Date() } });
  }

  // ───────────── error notebook ─────────────

  /** Open notebook entries of a student that are due for spaced review (for the learning companion). */
  async dueEntries(studentId: string, subject?: string) {
    return this.db
      .select({ id: notebookEntries.id, itemId: notebookEntries.itemId, knowledgePoints: notebookEntries.knowledgePoints, dueAt: notebookEntries.dueAt })
      .from(notebookEntries)
      .where(
        and(
          eq(notebookEntries.studentId, studentId),
          eq(notebookEntries.status, 'open'),
          sql`${notebookEntries.dueAt} <= now()`,
          subject ? eq(notebookEntries.subject, subject) : undefined,
        ),
      )
      .orderBy(asc(notebookEntries.dueAt))
      .then((rows) => rows.map((r) => ({ ...r, knowledgePoints: r.knowledgePoints as string[], dueAt: r.dueAt.toISOString() })));
  }

  private entryView(e: typeof notebookEntries.$inferSelect, titles: Map<string, string>, assignmentOf: Map<string, string>) {
    const snap = e.snapshot as ItemSnapshot;
    return {
      id: e.id,
      itemId: e.itemId,
      subject: e.subject,
      type: snap.type,
      body: studentBody(snap.body),
      knowledgePoints: e.knowledgePoints as string[],
      lastAnswer: e.lastAnswer ?? null,
      status: e.status,
      retries: e.retries,
      correctStreak: e.correctStreak,
      dueAt: e.dueAt.toISOString(),
      addedAt: e.addedAt.toISOString(),
      source: { assignmentTitle: titles.get(assignmentOf.get(e.submissionId) ?? '') ?? null, submissionId: e.submissionId },
    };
  }

  private async views(rows: (typeof notebookEntries.$inferSelect)[]) {
    const subs = rows.length
      ? await this.db
          .select({ id: submissions.id, a: submissions.assignmentId })
          .from(submissions)
          .where(inArray(submissions.id, [...new Set(rows.map((r) => r.submissionId))]))
      : [];
    const assignmentOf = new Map(subs.map((s) => [s.id, s.a]));
    const titles = await this.assignmentsSvc.assignmentTitles([...new Set(subs.map((s) => s.a))]);
    return rows.map((r) => this.entryView(r, titles, assignmentOf));
  }

  async notebook(p: Principal, f: { status?: 'open' | 'mastered'; subject?: string }) {
    requireStudent(p);
    const rows = await this.db
      .select()
      .from(notebookEntries)
      .where(
        and(
          eq(notebookEntries.studentId, p.userId),
          f.status ? eq(notebookEntries.status, f.status) : undefined,
          f.subject ? eq(notebookEntries.subject, f.subject) : undefined,
        ),
      )
      .orderBy(asc(notebookEntries.status), asc(notebookEntries.dueAt), desc(notebookEntries.addedAt));
    return this.views(rows);
  }

  private async ownEntry(p: Principal, id: string) {
    requireStudent(p);
    const [e] = await this.db.select().from(notebookEntries).where(eq(notebookEntries.id, id));
    if (!e) throw new AppError(404, 'assessment.notebook_entry_not_found', { zh: '错题本里没有这道题。', en: 'No such notebook entry.' });
    if (e.studentId !== p.userId) throw denied('assessment.notebook', { type: 'notebook_entry', id });
    return e;
  }

  /** Answer a notebook item again: marked on the spot (no review queue), with the answer and explanation. */
  async retry(p: Principal, id: string, answer: unknown) {
    const e = await this.ownEntry(p, id);
    const snap = e.snapshot as ItemSnapshot;
    // Practice must not reveal what the source assignment's feedback policy still hides.
    const [src] = await this.db
      .select({ policy: assignments.feedbackPolicy, dueAt: assignments.dueAt })
      .from(submissions)
      .innerJoin(assignments, eq(assignments.id, submissions.assignmentId))
      .where(eq(submissions.id, e.submissionId));
    if (src && src.policy === 'after_due' && new Date() < src.dueAt)
      throw new AppError(409, 'assessment.feedback_not_yet', { zh: '截止时间后才能订正这道题。', en: 'This item can be retried after the due time.' });
    const problem = responseProblem(snap.body, answer);
    if (problem)
      throw new AppError(422, 'assessment.answer_invalid', { zh: '答案格式不对。', en: `The answer is in the wrong form: ${problem}.` }, { details: { problems: [{ position: 1, problem }] } });
    const max = 10;
    const mark = await markItem(snap, answer, max, {
      llm: null,
      threshold: 0,
      alwaysReview: false,
      names: [],
      essayModel: (itemId) => this.essayModel(itemId),
      essaySamples: async () => 0,
      itemId: e.itemId,
    });
    const correct = !mark.review && !isWrong(mark.score, max);
    const updated = await this.scheduleNext(e, correct, answer);
    return {
      correct,
      score: round2(mark.score / max),
      max: 1,
      points: mark.detail.points.map((pt) => ({ ...pt, score: round2(pt.score) })),
      correctAnswer: correctAnswer(snap.body),
      explanation: snap.explanation,
      entry: (await this.views([updated!]))[0]!,
    };
  }

  /** Spaced review: a correct retry pushes the entry back 1, 3, 7, 14 days; a wrong one makes it due now. */
  private async scheduleNext(e: typeof notebookEntries.$inferSelect, correct: boolean, answer: unknown) {
    const streak = correct ? e.correctStreak + 1 : 0;
    const due = new Date(Date.now() + (correct ? REVIEW_DAYS[Math.min(streak - 1, REVIEW_DAYS.length - 1)]! : 0) * 86_400_000);
    const [updated] = await this.db
      .update(notebookEntries)
      .set({ retries: e.retries + 1, correctStreak: streak, lastAnswer: (answer ?? null) as never, dueAt: due })
      .where(eq(notebookEntries.id, e.id))
      .returning();
    return updated;
  }

  /** A practice answer elsewhere (the companion) to an item in the student's open notebook counts as a retry. */
  async practisedNotebookItem(studentId: string, itemId: string, correct: boolean, answer: unknown): Promise<void> {
    const [e] = await this.db
      .select()
      .from(notebookEntries)
      .where(and(eq(notebookEntries.studentId, studentId), eq(notebookEntries.itemId, itemId), eq(notebookEntries.status, 'open')));
    if (e) await this.scheduleNext(e, correct, answer);
  }

  async setStatus(p: Principal, id: string, status: 'open' | 'mastered') {
    await this.ownEntry(p, id);
    const [updated] = await this.db
      .update(notebookEntries)
      .set({ status, masteredAt: status === 'mastered' ? new Date() : null })
      .where(eq(notebookEntries.id, id))
      .returning();
    return (await this.views([updated!]))[0]!;
  }
}
