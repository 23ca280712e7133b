/**
 * The learner model in the product: mastery per student and knowledge point, updated online (BKT)
 * from every marked answer — homework through the `submission.marked` event, practice directly —
 * and what the companion and teachers read from it: the next practice, a path to a goal, the class
 * heatmap and tiered practice. Parameters are refitted in the worker from the response log.
 */
import { and, asc, eq, gt, inArray, sql } from 'drizzle-orm';
import { BKT_DEFAULTS, bktPredict, bktUpdate, classifyMastery, fitBkt, mulberry32, type BktParams } from '@zhijiao/engine';
import type { Logger } from 'pino';
import type { AuditLog } from '../../platform/audit/index.js';
import type { Principal } from '../../platform/auth/principal.js';
import { queryRows, type Db, type Queryable, type Tx } from '../../platform/db/index.js';
import type { DomainEvent } from '../../platform/events/index.js';
import { AppError } from '../../platform/http/errors.js';
import type { JobQueue } from '../../platform/jobs/index.js';
import type { Graph, Item } from '../curriculum/index.js';
import { ktParams, mastery, masteryHistory, refits, responses } from './tables.js';

export interface LearningDeps {
  curriculum: {
    graphOf(subject: string): Promise<Graph>;
    itemsOnPoints(subject: string, codes: string[], schoolIds: string[], types?: string[]): Promise<Item[]>;
    loadItem(id: string): Promise<Item>;
    learningPath(subject: string, goal: string): Promise<string[]>;
  };
  assessment: {
    createAssignment(p: Principal, input: Record<string, unknown>, audience?: string[]): Promise<string>;
    notebookDue(studentId: string, subject?: string): Promise<{ id: string; itemId: string; knowledgePoints: string[]; dueAt: string }[]>;
    studentView(item: Item): unknown;
    notebookPractised(studentId: string, itemId: string, correct: boolean, answer: unknown): Promise<void>;
    markPractice(item: Item, answer: unknown): Promise<{ correct: boolean; score: number; max: number; points: { id: string; label: string; max: number; score: number }[]; correctAnswer: unknown; explanation: string }>;
  };
  directory: {
    enrolment(studentId: string): Promise<{ classId: string; schoolId: string; name: string; studentNo: string; gradeLevel: number } | null>;
    classMembers(classIds: string[]): Promise<{ id: string; name: string; studentNo: string; classId: string }[]>;
  };
}

export const REFIT_JOB = 'learning.refit';
/** Items the companion can mark on the spot. */
const PRACTICE_TYPES = ['single_choice', 'multiple_choice', 'true_false', 'fill_blank', 'math'];
/** Practice aims at questions the student gets right about three times in four (desirable difficulty). */
const TARGET_SUCCESS = 0.75;
/** A refit is queued once this many new answers have come in since the last one. */
const REFIT_EVERY = 500;

type MasteryRow = typeof mastery.$inferSelect;
const logit = (p: number) => Math.log(p / (1 - p));
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const clamp = (p: number) => Math.min(0.999, Math.max(0.001, p));
const r3 = (x: number) => Math.round(x * 1000) / 1000;

const forbidden = (permission: string) =>
  new AppError(403, 'authz.forbidden', { zh: '您没有权限访问此内容。', en: 'You do not have permission to access this.' }, { details: { permission } });

export class Learning {
  private params = new Map<string, Map<string, BktParams>>();

  constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
    private readonly jobs: JobQueue,
    private readonly log: Logger,
    private readonly d: LearningDeps,
  ) {}

  // ───────────── the model ─────────────

  private async paramsOf(q: Queryable, subject: string): Promise<Map<string, BktParams>> {
    let m = this.params.get(subject);
    if (!m) {
      const rows = await q.select().from(ktParams).where(eq(ktParams.subject, subject));
      m = new Map(rows.map((r) => [r.code, r.params as BktParams]));
      this.params.set(subject, m);
    }
    return m;
  }

  private async paramFor(q: Queryable, subject: string, code: string): Promise<BktParams> {
    return (await this.paramsOf(q, subject)).get(code) ?? BKT_DEFAULTS;
  }

  /** One answer: log it and move the mastery of each of its points (in the caller's transaction). */
  private async observe(
    tx: Queryable,
    r: { studentId: string; subject: string; itemId: string; knowledgePoints: string[]; correct: boolean; source: 'assignment' | 'practice'; sourceKey: string | null; at: Date },
  ): Promise<{ code: string; before: number; after: number; observations: number }[]> {
    await tx.insert(responses).values({ ...r, answeredAt: r.at });
    const out = [];
    for (const code of new Set(r.knowledgePoints)) {
      const p = await this.paramFor(tx, r.subject, code);
      const [cur] = await tx
        .select()
        .from(mastery)
        .where(and(eq(mastery.studentId, r.studentId), eq(mastery.subject, r.subject), eq(mastery.code, code)));
      const before = cur?.pKnow ?? p.pInit;
      const after = bktUpdate(p, before, r.correct);
      const observations = (cur?.observations ?? 0) + 1;
      const values = { pKnow: after, observations, correct: (cur?.correct ?? 0) + (r.correct ? 1 : 0), lastAt: r.at };
      await tx
        .insert(mastery)
        .values({ studentId: r.studentId, subject: r.subject, code, ...values })
        .onConflictDoUpdate({ target: [mastery.studentId, mastery.subject, mastery.code], set: values });
      await tx.insert(masteryHistory).values({ studentId: r.studentId, subject: r.subject, code, pKnow: after, at: r.at });
      out.push({ code, before, after, observations });
    }
    return out;
  }

  /** Consumer of `submission.marked`: every question of the submission is one observation. */
  async onSubmissionMarked(tx: Tx, ev: DomainEvent): Promise<void> {
    const e = ev.payload as {
      submissionId: string;
      subject: string;
      studentId: string;
      markedAt: string;
      items: { position: number; itemId: string; knowledgePoints: string[]; correct: boolean }[];
    };
    for (const it of e.items)
      await this.observe(tx, {
        studentId: e.studentId,
        subject: e.subject,
        itemId: it.itemId,
        knowledgePoints: it.knowledgePoints,
        correct: it.correct,
        source: 'assignment',
        sourceKey: `${e.submissionId}:${it.position}`,
        at: new Date(e.markedAt),
      });
  }

  /** After a batch of events: queue a refit for a subject that has gathered enough new answers. */
  async maybeRefit(): Promise<void> {
    const rows = await queryRows<{ subject: string; n: number; fitted: number | null }>(
      this.db,
      sql`select r.subject, count(*)::int as n,
            (select max(observations) from learning_refits f where f.subject = r.subject and f.status in ('done','queued','running'))::int as fitted
          from learning_responses r group by r.subject`,
    );
    for (const r of rows) if (r.n - (r.fitted ?? 0) >= REFIT_EVERY) await this.queueRefit(r.subject, r.n);
  }

  private async queueRefit(subject: string, observations: number | null): Promise<string> {
    return this.db.transaction(async (tx) => {
      const [row] = await tx.insert(refits).values({ subject, observations }).returning({ id: refits.id });
      await this.jobs.enqueue(tx, REFIT_JOB, { refitId: row.id });
      return row.id;
    });
  }

  private requireModeller(p: Principal) {
    if (!p.roles.some((r) => ['researcher', 'province_admin', 'sysadmin'].includes(r.role))) throw forbidden('learning.refit');
  }

  async refitStatusFor(p: Principal, id: string) {
    this.requireModeller(p);
    return this.refitStatus(id);
  }

  async requestRefit(p: Principal, subject: string) {
    this.requireModeller(p);
    await this.d.curriculum.graphOf(subject);
    const id = await this.queueRefit(subject, null);
    this.jobs.poke();
    await this.audit.append({ actor: p, action: 'learning.refit', resourceType: 'subject', resourceId: subject, outcome: 'success', ip: p.ip });
    return this.refitStatus(id);
  }

  async refitStatus(id: string) {
    const [r] = await this.db.select().from(refits).where(eq(refits.id, id));
    if (!r) throw new AppError(404, 'learning.refit_not_found', { zh: '没有找到这次重新拟合。', en: 'No such refit.' });
    return {
      id: r.id,
      subject: r.subject,
      status: r.status,
      progress: r3(r.progress),
      points: r.points,
      observations: r.observations,
      startedAt: r.startedAt?.toISOString() ?? null,
      finishedAt: r.finishedAt?.toISOString() ?? null,
      error: r.error,
    };
  }

  /** The refit job: BKT per knowledge point by EM over the subject's response log, with progress. */
  async runRefit(refitId: string): Promise<void> {
    const [job] = await this.db.select().from(refits).where(eq(refits.id, refitId));
    if (!job || job.status === 'done') return;
    await this.db.update(refits).set({ status: 'running', startedAt: new Date(), progress: 0 }).where(eq(refits.id, refitId));
    try {
      // student → code → answers in time order, read in pages so memory stays flat.
      const seqs = new Map<string, Map<string, number[]>>();
      let after = 0;
      let total = 0;
      for (;;) {
        const page = await this.db
          .select({ id: responses.id, s: responses.studentId, kps: responses.knowledgePoints, c: responses.correct })
          .from(responses)
          .where(and(eq(responses.subject, job.subject), gt(responses.id, after)))
          .orderBy(asc(responses.id))
          .limit(5000);
        if (!page.length) break;
        for (const r of page) {
          for (const code of r.kps as string[]) {
            let bySeq = seqs.get(code);
            if (!bySeq) seqs.set(code, (bySeq = new Map()));
            let s = bySeq.get(r.s);
            if (!s) bySeq.set(r.s, (s = []));
            s.push(r.c ? 1 : 0);
          }
        }
        total += page.length;
        after = page[page.length - 1]!.id;
      }
      const codes = [...seqs.keys()];
      let done = 0;
      for (const code of codes) {
        const sequences = [...seqs.get(code)!.values()];
        const n = sequences.reduce((a, s) => a + s.length, 0);
        // Too little data to identify four parameters: keep the defaults (the fit would be noise).
        if (n >= 30 && sequences.length >= 5) {
          const fit = fitBkt(sequences);
          const params: BktParams = { pInit: fit.pInit, pLearn: fit.pLearn, pGuess: fit.pGuess, pSlip: fit.pSlip };
          await this.db
            .insert(ktParams)
            .values({ subject: job.subject, code, params, observations: n, fittedAt: new Date() })
            .onConflictDoUpdate({ target: [ktParams.subject, ktParams.code], set: { params, observations: n, fittedAt: new Date() } });
        }
        done++;
        if (done % 10 === 0 || done === codes.length)
          await this.db.update(refits).set({ progress: done / codes.length }).where(eq(refits.id, refitId));
      }
      this.params.delete(job.subject);
      await this.db
        .update(refits)
        .set({ status: 'done', progress: 1, points: codes.length, observations: total, finishedAt: new Date() })
        .where(eq(refits.id, refitId));
    } catch (err) {
      await this.db.update(refits).set({ status: 'failed', error: String((err as Error).message ?? err).slice(0, 500), finishedAt: new Date() }).where(eq(refits.id, refitId));
      this.log.error({ err, refitId }, 'refit failed');
    }
  }

  // ───────────── reading mastery ─────────────

  private view(code: string, name: string, grade: number, row: MasteryRow | undefined, p: BktParams) {
    const pKnow = row?.pKnow ?? p.pInit;
    const n = row?.observations ?? 0;
    const c = classifyMastery(pKnow, n);
    return { code, name, grade, pKnow: r3(pKnow), observations: n, correct: row?.correct ?? 0, uncertainty: r3(c.uncertainty), state: c.state, lastAt: row?.lastAt?.toISOString() ?? null };
  }

  private async student(p: Principal) {
    if (!p.roles.some((r) => r.role === 'student')) throw forbidden('learning.companion');
    const e = await this.d.directory.enrolment(p.userId);
    if (!e) throw forbidden('learning.companion');
    return e;
  }

  private async rowsOf(studentIds: string[], subject: string) {
    if (!studentIds.length) return [];
    return this.db.select().from(mastery).where(and(inArray(mastery.studentId, studentIds), eq(mastery.subject, subject)));
  }

  /** Mastery of every point of the subject up to the student's grade. */
  async myMastery(p: Principal, subject: string) {
    const e = await this.student(p);
    const graph = await this.d.curriculum.graphOf(subject);
    const rows = new Map((await this.rowsOf([p.userId], subject)).map((r) => [r.code, r]));
    const params = await this.paramsOf(this.db, subject);
    return graph.points
      .filter((pt) => pt.grade <= e.gradeLevel || rows.has(pt.code))
      .map((pt) => this.view(pt.code, pt.name, pt.grade, rows.get(pt.code), params.get(pt.code) ?? BKT_DEFAULTS));
  }

  async history(p: Principal, subject: string) {
    await this.student(p);
    const graph = await this.d.curriculum.graphOf(subject);
    const names = new Map(graph.points.map((pt) => [pt.code, pt.name]));
    const rows = await this.db
      .select()
      .from(masteryHistory)
      .where(and(eq(masteryHistory.studentId, p.userId), eq(masteryHistory.subject, subject)))
      .orderBy(asc(masteryHistory.at), asc(masteryHistory.id))
      .limit(5000);
    const by = new Map<string, { at: string; pKnow: number }[]>();
    for (const r of rows) {
      if (!by.has(r.code)) by.set(r.code, []);
      by.get(r.code)!.push({ at: r.at.toISOString(), pKnow: r3(r.pKnow) });
    }
    return { points: [...by].map(([code, series]) => ({ code, name: names.get(code) ?? code, series })) };
  }

  /** Predicted success on an item: the point's BKT prediction, shifted by the item's difficulty (1–5). */
  private predict(pCorrectKp: number, difficulty: number) {
    return sigmoid(logit(clamp(pCorrectKp)) + (3 - difficulty) * 0.6);
  }

  private async practiceItemsFor(subject: string, codes: string[], schoolId: string, pKnowOf: (code: string) => number, paramsOf: (code: string) => BktParams, count: number, recent: Set<string>) {
    const items = await this.d.curriculum.itemsOnPoints(subject, codes, [schoolId], PRACTICE_TYPES);
    const scored = items.map((it) => {
      const kps = it.knowledgePoints.filter((k) => codes.includes(k));
      const pk = kps.reduce((s, k) => s + bktPredict(paramsOf(k), pKnowOf(k)), 0) / Math.max(1, kps.length);
      return { it, predicted: this.predict(pk, it.difficulty), recent: recent.has(it.id) };
    });
    // Closest to the target success first; items answered today only when nothing fresh is left.
    scored.sort(
      (a, b) =>
        Number(a.recent) - Number(b.recent) ||
        Math.abs(a.predicted - TARGET_SUCCESS) - Math.abs(b.predicted - TARGET_SUCCESS) ||
        (a.it.id < b.it.id ? -1 : 1),
    );
    return scored.slice(0, count).map(({ it, predicted }) => ({
      itemId: it.id,
      type: it.body.type,
      body: this.d.assessment.studentView(it),
      knowledgePoints: it.knowledgePoints,
      difficulty: it.difficulty,
      predicted: r3(predicted),
    }));
  }

  /** Today's plan: the next points to learn (prerequisites mastered, point not yet) with items near 75 % success. */
  async plan(p: Principal, subject: string) {
    const e = await this.student(p);
    const graph = await this.d.curriculum.graphOf(subject);
    const params = await this.paramsOf(this.db, subject);
    const paramOf = (c: string) => params.get(c) ?? BKT_DEFAULTS;
    const rows = new Map((await this.rowsOf([p.userId], subject)).map((r) => [r.code, r]));
    const byCode = new Map(graph.points.map((pt) => [pt.code, pt]));
    const view = (code: string) => this.view(code, byCode.get(code)!.name, byCode.get(code)!.grade, rows.get(code), paramOf(code));
    const mastered = (code: string) => view(code).state === 'mastered';
    const inReach = graph.points.filter((pt) => pt.grade <= e.gradeLevel);
    const order = new Map(graph.points.map((pt, i) => [pt.code, i]));
    const candidates = inReach
      .filter((pt) => !mastered(pt.code) && pt.prerequisites.every((q) => mastered(q) || !byCode.has(q) || byCode.get(q)!.grade > e.gradeLevel))
      // Points already being practised first (finish what was started), then lower grades, then curriculum order.
      .sort((a, b) => {
        const oa = rows.get(a.code)?.observations ?? 0;
        const ob = rows.get(b.code)?.observations ?? 0;
        return (ob > 0 ? 1 : 0) - (oa > 0 ? 1 : 0) || a.grade - b.grade || order.get(a.code)! - order.get(b.code)!;
      });
    const recent = new Set(
      (
        await this.db
          .select({ itemId: responses.itemId })
          .from(responses)
          .where(and(eq(responses.studentId, p.userId), eq(responses.subject, subject), sql`${responses.answeredAt} > now() - interval '1 day'`))
      ).map((r) => r.itemId),
    );
    const steps = [];
    for (const pt of candidates) {
      if (steps.length >= 3) break;
      const items = await this.practiceItemsFor(subject, [pt.code], e.schoolId, (c) => rows.get(c)?.pKnow ?? paramOf(c).pInit, paramOf, 2, recent);
      if (!items.length) continue;
      steps.push({ code: pt.code, name: pt.name, kind: 'learn' as 'learn' | 'review', reason: this.reason(pt, byCode, rows), mastery: view(pt.code), items });
    }
    // Spaced review mixed in: the first error-notebook item that is due, as its own step.
    const due = await this.d.assessment.notebookDue(p.userId, subject);
    for (const entry of due) {
      const item = await this.d.curriculum.loadItem(entry.itemId).catch(() => null);
      const code = entry.knowledgePoints.find((c) => byCode.has(c));
      if (!item || !code || !PRACTICE_TYPES.includes(item.body.type)) continue;
      const pk = bktPredict(paramOf(code), rows.get(code)?.pKnow ?? paramOf(code).pInit);
      steps.push({
        code,
        name: byCode.get(code)!.name,
        kind: 'review' as const,
        reason: {
          'zh-CN': `这道「${byCode.get(code)!.name}」的题你之前做错了，按复习计划今天再做一次。`,
          en: `You got this "${byCode.get(code)!.name}" question wrong before; it is due for review today.`,
        },
        mastery: view(code),
        items: [{ itemId: item.id, type: item.body.type, body: this.d.assessment.studentView(item), knowledgePoints: item.knowledgePoints, difficulty: item.difficulty, predicted: r3(this.predict(pk, item.difficulty)) }],
      });
      break;
    }
    const counts = inReach.map((pt) => view(pt.code));
    return {
      subject,
      generatedAt: new Date().toISOString(),
      summary: {
        mastered: counts.filter((c) => c.state === 'mastered').length,
        learning: counts.filter((c) => c.state !== 'mastered' && c.observations > 0).length,
        notStarted: counts.filter((c) => c.observations === 0).length,
        total: counts.length,
      },
      steps,
      reviewDue: due,
    };
  }

  /** Why this point now, in words a student understands. */
  private reason(pt: Graph['points'][number], byCode: Map<string, Graph['points'][number]>, rows: Map<string, MasteryRow>) {
    const r = rows.get(pt.code);
    const pre = pt.prerequisites.filter((q) => byCode.has(q)).map((q) => byCode.get(q)!.name);
    if (r && r.observations > 0) {
      const rate = Math.round((r.correct / r.observations) * 100);
      return {
        'zh-CN': `你已经练习了「${pt.name}」${r.observations} 次，正确率 ${rate}%，再练几道就能掌握。`,
        en: `You have practised "${pt.name}" ${r.observations} time(s) with ${rate}% correct; a few more and you will have it.`,
      };
    }
    if (pre.length)
      return {
        'zh-CN': `因为你已经掌握了「${pre.slice(0, 3).join('」「')}」，下一步练习「${pt.name}」。`,
        en: `You have mastered ${pre.slice(0, 3).map((n) => `"${n}"`).join(', ')}, so the next step is "${pt.name}".`,
      };
    return { 'zh-CN': `「${pt.name}」是这一部分的起点，从这里开始。`, en: `"${pt.name}" is where this part starts.` };
  }

  /** The ordered points to learn before a goal, with their mastery (mastered ones kept, to show progress). */
  async path(p: Principal, subject: string, goal: string) {
    await this.student(p);
    const graph = await this.d.curriculum.graphOf(subject);
    const byCode = new Map(graph.points.map((pt) => [pt.code, pt]));
    if (!byCode.has(goal))
      throw new AppError(404, 'learning.point_not_found', { zh: `知识点 ${goal} 不存在。`, en: `No knowledge point ${goal}.` });
    const params = await this.paramsOf(this.db, subject);
    const rows = new Map((await this.rowsOf([p.userId], subject)).map((r) => [r.code, r]));
    // Every prerequisite in learning order, then the goal (mastered ones stay, so progress shows).
    const list = (await this.d.curriculum.learningPath(subject, goal)).map((c) => {
      const pt = byCode.get(c)!;
      return this.view(c, pt.name, pt.grade, rows.get(c), params.get(c) ?? BKT_DEFAULTS);
    });
    return { subject, goal, steps: list, progress: { mastered: list.filter((s) => s.state === 'mastered').length, total: list.length } };
  }

  /** A practice answer: marked at once, mastery moved, the answer shown. */
  async practise(p: Principal, itemId: string, answer: unknown) {
    const e = await this.student(p);
    const item = await this.d.curriculum.loadItem(itemId).catch(() => null);
    if (!item || !(item.owner.type === 'region' || (item.owner.type === 'school' && item.owner.id === e.schoolId)))
      throw new AppError(404, 'learning.item_not_found', { zh: '没有找到这道练习题。', en: 'No such practice item.' });
    const marked = await this.d.assessment.markPractice(item, answer);
    const graph = await this.d.curriculum.graphOf(item.subject);
    const names = new Map(graph.points.map((pt) => [pt.code, pt.name]));
    const moved = await this.db.transaction((tx) =>
      this.observe(tx, {
        studentId: p.userId,
        subject: item.subject,
        itemId: item.id,
        knowledgePoints: item.knowledgePoints,
        correct: marked.correct,
        source: 'practice',
        sourceKey: null,
        at: new Date(),
      }),
    );
    await this.d.assessment.notebookPractised(p.userId, item.id, marked.correct, answer);
    return {
      ...marked,
      mastery: moved.map((m) => ({ code: m.code, name: names.get(m.code) ?? m.code, before: r3(m.before), after: r3(m.after), state: classifyMastery(m.after, m.observations).state })),
    };
  }

  // ───────────── teachers ─────────────

  private requireTeacherOf(p: Principal, classId: string) {
    if (!p.roles.some((r) => ['teacher', 'head_teacher'].includes(r.role) && r.scopeType === 'class' && r.scopeId === classId))
      throw new AppError(
        403,
        'authz.forbidden',
        { zh: '您没有权限访问此内容。', en: 'You do not have permission to access this.' },
        { details: { permission: 'learning.class', resourceType: 'class', resourceId: classId } },
      );
  }

  async classMastery(p: Principal, classId: string, subject: string) {
    this.requireTeacherOf(p, classId);
    const graph = await this.d.curriculum.graphOf(subject);
    const members = await this.d.directory.classMembers([classId]);
    const rows = await this.rowsOf(
      members.map((m) => m.id),
      subject,
    );
    const observed = new Set(rows.map((r) => r.code));
    const points = graph.points.filter((pt) => observed.has(pt.code));
    const cell = new Map(rows.map((r) => [`${r.studentId}|${r.code}`, r]));
    const pointStats = points.map((pt) => {
      const rs = rows.filter((r) => r.code === pt.code);
      const mean = rs.length ? rs.reduce((s, r) => s + r.pKnow, 0) / rs.length : null;
      return {
        code: pt.code,
        name: pt.name,
        grade: pt.grade,
        meanPKnow: mean === null ? null : r3(mean),
        masteredShare: r3(rs.filter((r) => classifyMastery(r.pKnow, r.observations).state === 'mastered').length / Math.max(1, members.length)),
        observed: rs.length,
      };
    });
    const students = members.map((m) => {
      const mine = rows.filter((r) => r.studentId === m.id);
      const mean = mine.length ? mine.reduce((s, r) => s + r.pKnow, 0) / mine.length : null;
      const evidence = mine.reduce((s, r) => s + r.observations, 0);
      const weak = mine.filter((r) => r.observations >= 3 && r.pKnow < 0.4).map((r) => graph.points.find((pt) => pt.code === r.code)?.name ?? r.code);
      const attention =
        weak.length >= 2 || (mean !== null && mean < 0.35 && evidence >= 5)
          ? {
              'zh-CN': weak.length ? `多个知识点掌握偏弱：${weak.slice(0, 3).join('、')}` : '整体掌握度偏低',
              en: weak.length ? `Weak on several points: ${weak.slice(0, 3).join(', ')}` : 'Low mastery overall',
            }
          : null;
      return {
        id: m.id,
        name: m.name,
        studentNo: m.studentNo,
        mastery: Object.fromEntries(points.map((pt) => [pt.code, cell.get(`${m.id}|${pt.code}`)?.pKnow ?? null])),
        meanPKnow: mean === null ? null : r3(mean),
        attention,
      };
    });
    const weakest = pointStats
      .filter((s) => s.meanPKnow !== null && s.observed >= 1)
      .sort((a, b) => a.meanPKnow! - b.meanPKnow!)
      .slice(0, 5)
      .map((s) => s.code);
    return { classId, subject, points: pointStats, students, weakest };
  }

  /** Splits the class into tiers by mastery of the chosen points and drafts a practice set per tier. */
  async tiers(p: Principal, req: { classId: string; subject: string; knowledgePoints: string[]; tiers: number; itemsPerTier: number }) {
    this.requireTeacherOf(p, req.classId);
    const graph = await this.d.curriculum.graphOf(req.subject);
    const unknown = req.knowledgePoints.filter((c) => !graph.points.some((pt) => pt.code === c));
    if (unknown.length)
      throw new AppError(422, 'learning.point_not_found', { zh: `知识点不存在：${unknown.join('、')}`, en: `Unknown knowledge points: ${unknown.join(', ')}` }, { details: { codes: unknown } });
    const members = await this.d.directory.classMembers([req.classId]);
    const params = await this.paramsOf(this.db, req.subject);
    const rows = await this.rowsOf(
      members.map((m) => m.id),
      req.subject,
    );
    const score = (id: string) => {
      const mine = rows.filter((r) => r.studentId === id && req.knowledgePoints.includes(r.code));
      return mine.length ? mine.reduce((s, r) => s + r.pKnow, 0) / mine.length : null;
    };
    const prior = req.knowledgePoints.reduce((s, c) => s + (params.get(c) ?? BKT_DEFAULTS).pInit, 0) / req.knowledgePoints.length;
    // Weakest first; a student without evidence is placed by the prior (the middle, typically).
    const ranked = members.map((m) => ({ m, s: score(m.id) })).sort((a, b) => (a.s ?? prior) - (b.s ?? prior) || (a.m.studentNo < b.m.studentNo ? -1 : 1));
    const size = Math.ceil(ranked.length / req.tiers);
    const LABELS = [
      { 'zh-CN': '基础巩固', en: 'Consolidate basics' },
      { 'zh-CN': '能力提升', en: 'Build up' },
      { 'zh-CN': '拓展挑战', en: 'Stretch' },
      { 'zh-CN': '综合探究', en: 'Explore' },
    ];
    const RANGES: [number, number][][] = [
      [],
      [],
      [
        [1, 3],
        [3, 5],
      ],
      [
        [1, 2],
        [2, 4],
        [4, 5],
      ],
      [
        [1, 2],
        [2, 3],
        [3, 4],
        [4, 5],
      ],
    ];
    const pool = await this.d.curriculum.itemsOnPoints(req.subject, req.knowledgePoints, [await this.schoolOfClass(members)], PRACTICE_TYPES.concat(['short_answer']));
    const out = [];
    const used = new Set<string>();
    for (let t = 0; t < req.tiers; t++) {
      const group = ranked.slice(t * size, (t + 1) * size);
      const [lo, hi] = RANGES[req.tiers]![t]!;
      const rnd = mulberry32(1000 + t);
      // Items in the tier's difficulty range first; when the bank has too few, the nearest difficulties.
      const distance = (d: number) => (d < lo ? lo - d : d > hi ? d - hi : 0);
      // A question goes to one tier only, while others are left.
      const items = pool
        .map((i) => ({ i, k: distance(i.difficulty) + rnd() + (used.has(i.id) ? 10 : 0) }))
        .sort((a, b) => a.k - b.k)
        .slice(0, req.itemsPerTier)
        .map(({ i }) => ({ itemId: i.id, type: i.body.type, body: this.d.assessment.studentView(i), knowledgePoints: i.knowledgePoints, difficulty: i.difficulty, predicted: r3(this.predict(prior, i.difficulty)) }));
      for (const it of items) used.add(it.itemId);
      const ds = items.map((i) => i.difficulty);
      out.push({
        tier: t + 1,
        label: req.tiers === 2 ? [LABELS[0]!, LABELS[2]!][t]! : LABELS[t]!,
        // What the chosen questions actually span (the bank may not have the tier's ideal range).
        difficulty: (ds.length ? [Math.min(...ds), Math.max(...ds)] : [lo, hi]) as [number, number],
        students: group.map(({ m, s }) => ({ id: m.id, name: m.name, meanPKnow: s === null ? null : r3(s) })),
        items,
      });
    }
    return { tiers: out };
  }

  private async schoolOfClass(members: { id: string }[]): Promise<string> {
    const e = members[0] ? await this.d.directory.enrolment(members[0].id) : null;
    return e?.schoolId ?? '';
  }

  /** One assignment per tier, each visible only to that tier's students. */
  async assignTiers(p: Principal, req: { classId: string; title: string; openAt: Date; dueAt: Date; tiers: { label: string; studentIds: string[]; itemIds: string[] }[] }) {
    this.requireTeacherOf(p, req.classId);
    const all = req.tiers.flatMap((t) => t.studentIds);
    if (new Set(all).size !== all.length)
      throw new AppError(422, 'learning.tier_overlap', { zh: '同一名学生不能出现在两个层级中。', en: 'A student may be in one tier only.' });
    const out = [];
    for (const t of req.tiers) {
      const id = await this.d.assessment.createAssignment(
        p,
        { kind: 'homework', title: `${req.title}（${t.label}）`, classIds: [req.classId], openAt: req.openAt, dueAt: req.dueAt, items: t.itemIds.map((itemId) => ({ itemId })) },
        t.studentIds,
      );
      out.push({ id, label: t.label, students: t.studentIds.length });
    }
    return { assignments: out };
  }

  /**
   * Mastery series of every student and knowledge point updated since `since` (for the early-warning
   * mastery-drop rule): the updates in the window, preceded by the last value before it (the baseline).
   */
  async masteryHistorySince(since: Date): Promise<{ studentId: string; subject: string; code: string; series: { at: Date; pKnow: number }[] }[]> {
    const rows = await queryRows<{ student_id: string; subject: string; code: string; p_know: number; at: Date | string }>(
      this.db,
      sql`with recent as (
            select distinct student_id, subject, code from learning_mastery_history where at >= ${since.toISOString()})
          select h.student_id, h.subject, h.code, h.p_know, h.at from learning_mastery_history h
            join recent r using (student_id, subject, code) where h.at >= ${since.toISOString()}
          union all
          select * from (
            select distinct on (h.student_id, h.subject, h.code) h.student_id, h.subject, h.code, h.p_know, h.at
            from learning_mastery_history h join recent r using (student_id, subject, code)
            where h.at < ${since.toISOString()} order by h.student_id, h.subject, h.code, h.at desc) baseline
          order by 1, 2, 3, 5`,
    );
    const by = new Map<string, { studentId: string; subject: string; code: string; series: { at: Date; pKnow: number }[] }>();
    for (const r of rows) {
      const key = `${r.student_id}|${r.subject}|${r.code}`;
      const entry = by.get(key) ?? { studentId: r.student_id, subject: r.subject, code: r.code, series: [] };
      entry.series.push({ at: new Date(r.at), pKnow: Number(r.p_know) });
      by.set(key, entry);
    }
    return [...by.values()];
  }
}
