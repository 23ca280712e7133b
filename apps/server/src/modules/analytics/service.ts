/**
 * Analytics: its own aggregates of every marked answer (from the `submission.marked` event),
 * the exam/homework report for teachers and administrators (CTT item analysis, reliability,
 * distractors, knowledge points, students to follow up, k-anonymous comparison) with its .xlsx,
 * and IRT difficulty calibration of the item bank in the worker.
 */
import { and, asc, desc, eq, gt, sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { analyseDistractors, analyseItems, fitIrt, flagDistractors, type DistractorStat, type ItemFlag } from '@zhijiao/engine';
import type { Logger } from 'pino';
import type { AuditLog } from '../../platform/audit/index.js';
import type { Principal } from '../../platform/auth/principal.js';
import { queryRows, type Db, type Tx } from '../../platform/db/index.js';
import type { DomainEvent } from '../../platform/events/index.js';
import { AppError } from '../../platform/http/errors.js';
import type { JobQueue } from '../../platform/jobs/index.js';
import type { Graph } from '../curriculum/index.js';
import { FLAG_LABELS, loadCjkFonts, renderReportPdf, type PdfFonts } from './report-pdf.js';
import { calibrations, responseFacts } from './tables.js';
import { rollupSubmission } from './cockpit.js';
import { recordSheet } from './sheets.js';

export interface Audience {
  id: string;
  kind: string;
  title: string;
  subject: string;
  grade: number;
  authorId: string;
  maxScore: number;
  classIds: string[];
  items: { position: number; itemId: string; itemVersion: number; type: string; max: number; knowledgePoints: string[]; stem: string; options: string[] | null; key: string | string[] | null }[];
}

export interface AnalyticsDeps {
  assessment: { assignmentAudience(id: string): Promise<Audience | null> };
  curriculum: {
    graphOf(subject: string): Promise<Graph>;
    recordCalibration(itemId: string, irt: { model: 'rasch' | '2pl'; a: number; b: number; seA: number | null; seB: number | null; n: number }): Promise<unknown>;
  };
  directory: {
    classNames(classIds: string[]): Promise<Map<string, string>>;
    classSchools(classIds: string[]): Promise<Map<string, string>>;
    classMembers(classIds: string[]): Promise<{ id: string; name: string; studentNo: string; classId: string }[]>;
    regionTree(): Promise<{
      regions: { id: string; parentId: string | null; level: string; name: string; path: string }[];
      schools: { id: string; regionId: string; name: string; path: string }[];
    }>;
  };
  /** Calibration: an item needs at least this many students' answers (default 200); a request may lower it. */
  minResponses?: number;
  /** A CJK font file for the PDF report (config ZHIJIAO_PDF_FONT); unset: Noto Sans CJK in its usual places. */
  pdfFont?: string | null;
}

export const CALIBRATE_JOB = 'analytics.calibrate';
/** The automatic check calibrates a subject again once its answers have grown by this factor. */
export const AUTO_CALIBRATE_GROWTH = 1.25;
/** Comparison groups smaller than this are not shown (k-anonymity). */
export const MIN_GROUP = 5;
/** Students below this share of the full marks are followed up. */
const FOLLOW_UP_BELOW = 0.6;
/** Besides everyone below the threshold, the lowest few are always listed. */
const FOLLOW_UP_LOWEST = 3;

const TEACHING = ['teacher', 'head_teacher'];
const REGION_ADMINS = ['county_admin', 'city_admin', 'province_admin'];
const MODELLERS = ['researcher', 'province_admin', 'sysadmin'];

const r3 = (x: number) => Math.round(x * 1000) / 1000;
/** NaN / ±Infinity / null → null; otherwise rounded to 3 decimals. */
const num = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? null : r3(x));

const forbidden = (permission: string, resourceId?: string) =>
  new AppError(
    403,
    'authz.forbidden',
    { zh: '您没有权限访问此内容。', en: 'You do not have permission to access this.' },
    { details: { permission, ...(resourceId ? { resourceType: 'assignment', resourceId } : {}) } },
  );

/** One student's latest marked attempt of an assignment: [position, score, chosen option(s)] per question. */
interface Sheet {
  studentId: string;
  classId: string;
  schoolId: string | null;
  /** Marked attempts of this student (all, not only the latest). */
  submissions: number;
  answers: [number, number, string | string[] | null][];
}

export class Analytics {
  /** The PDF fonts, read once they are found (a font installed later is found on the next request). */
  private pdfFonts: PdfFonts | null = null;

  constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
    private readonly jobs: JobQueue,
    private readonly log: Logger,
    private readonly d: AnalyticsDeps,
  ) {}

  // ───────────── the aggregates ─────────────

  /** Consumer of `submission.marked`: one row per question, written once per (submission, position). */
  async onSubmissionMarked(tx: Tx, ev: DomainEvent): Promise<void> {
    const e = ev.payload as {
      submissionId: string;
      assignmentId: string;
      kind: string;
      subject: string;
      studentId: string;
      classId: string;
      schoolId?: string | null;
      attempt: number;
      source: string;
      markedAt: string;
      items: { position: number; itemId: string; itemVersion: number; type: string; knowledgePoints: string[]; score: number; max: number; correct: boolean; chosen?: string | string[] | null }[];
    };
    if (!e.items?.length) return;
    const stored = await tx
      .insert(responseFacts)
      .values(
        e.items.map((it) => ({
          assignmentId: e.assignmentId,
          submissionId: e.submissionId,
          studentId: e.studentId,
          classId: e.classId,
          schoolId: e.schoolId ?? null,
          subject: e.subject,
          kind: e.kind,
          attempt: e.attempt,
          source: e.source,
          itemId: it.itemId,
          itemVersion: it.itemVersion,
          position: it.position,
          type: it.type,
          knowledgePoints: it.knowledgePoints,
          score: it.score,
          max: it.max,
          correct: it.correct,
          chosen: it.chosen ?? null,
          markedAt: new Date(e.markedAt),
        })),
      )
      .onConflictDoNothing()
      .returning({ id: responseFacts.id });
    // A replayed event stored nothing: its sheet already counts it.
    if (stored.length) await recordSheet(tx, e, Math.min(...stored.map((r) => r.id)));
    await rollupSubmission(tx, e);
  }

  // ───────────── who may see a report ─────────────

  /**
   * Teachers of the assignment's classes see their classes with names; school admins of its
   * school and region admins above it (and the global sysadmin) see every class, without names.
   */
  private async access(p: Principal, a: Audience) {
    const taught = new Set(p.roles.filter((r) => TEACHING.includes(r.role) && r.scopeType === 'class' && r.scopeId).map((r) => r.scopeId!));
    const schoolOf = await this.d.directory.classSchools(a.classIds);
    const mine = a.classIds.filter((c) => taught.has(c));
    if (mine.length) return { viewer: 'teacher' as const, classIds: mine, names: true, schoolOf };
    const admin = p.roles.filter((r) => r.role === 'sysadmin' || r.role === 'school_admin' || REGION_ADMINS.includes(r.role));
    if (admin.length) {
      const tree = admin.some((r) => REGION_ADMINS.includes(r.role)) ? await this.d.directory.regionTree() : null;
      const regionPath = new Map(tree?.regions.map((r) => [r.id, r.path]) ?? []);
      const schoolPath = new Map(tree?.schools.map((s) => [s.id, s.path]) ?? []);
      const covers = (schoolId: string | undefined) =>
        !!schoolId &&
        admin.some(
          (r) =>
            (r.role === 'sysadmin' && r.scopeType === 'global') ||
            (r.role === 'school_admin' && r.scopeType === 'school' && r.scopeId === schoolId) ||
            (REGION_ADMINS.includes(r.role) && r.scopeType === 'region' && !!r.scopeId && (schoolPath.get(schoolId) ?? '').startsWith(regionPath.get(r.scopeId) ?? '\u0000')),
        );
      const classIds = a.classIds.filter((c) => covers(schoolOf.get(c)));
      if (classIds.length) return { viewer: 'admin' as const, classIds, names: false, schoolOf };
    }
    throw forbidden('analytics.report', a.id);
  }

  private async audienceOf(id: string): Promise<Audience> {
    const a = await this.d.assessment.assignmentAudience(id);
    if (!a) throw new AppError(404, 'analytics.assignment_not_found', { zh: '没有找到这份作业。', en: 'No such assignment.' });
    return a;
  }

  // ───────────── the report ─────────────

  /** Rows of the latest marked attempt of each student; and how many marked submissions there were. */
  /**
   * Each student's latest marked attempt of an assignment (the consumer keeps one row per student),
   * in the order their answers arrived. The list crosses from the database as a single JSON text,
   * cheaper in embedded PGlite than 100,000 rows.
   */
  private async sheets(assignmentId: string): Promise<Sheet[]> {
    const [row] = await queryRows<{ sheets: string | null }>(
      this.db,
      sql`select json_agg(json_build_array(student_id, class_id, school_id, submissions, answers) order by first_id)::text as sheets
          from analytics_sheets where assignment_id = ${assignmentId}`,
    );
    const list = JSON.parse(row?.sheets ?? '[]') as [string, string, string | null, number, Sheet['answers']][];
    return list.map(([studentId, classId, schoolId, submissions, answers]) => ({ studentId, classId, schoolId, submissions, answers }));
  }

  async report(p: Principal, assignmentId: string) {
    // Roles that never see a report are refused before the assignment is even looked up.
    if (!p.roles.some((r) => TEACHING.includes(r.role) || REGION_ADMINS.includes(r.role) || r.role === 'school_admin' || r.role === 'sysadmin'))
      throw forbidden('analytics.report', assignmentId);
    const a = await this.audienceOf(assignmentId);
    const acc = await this.access(p, a);
    const mine = new Set(acc.classIds);
    const sheets = await this.sheets(assignmentId);
    // Students of the viewer's classes, in the order their first answer arrived.
    const own = sheets.filter((r) => mine.has(r.classId));
    const items = [...a.items].sort((x, y) => x.position - y.position);
    const maxTotal = items.reduce((s, it) => s + it.max, 0);
    const posIndex = new Map(items.map((it, i) => [it.position, i]));

    const students = own.map((r) => ({ id: r.studentId, classId: r.classId }));
    const N = students.length;
    const k = items.length;
    const scores = new Float64Array(N * k).fill(NaN);
    const chosen: (string | string[] | null)[][] = items.map(() => new Array<string | string[] | null>(N).fill(null));
    for (const [s, r] of own.entries())
      for (const [position, score, choice] of r.answers) {
        const i = posIndex.get(position);
        if (i === undefined) continue;
        scores[s * k + i] = Math.min(Math.max(score, 0), items[i]!.max);
        chosen[i]![s] = choice ?? null;
      }

    const classNames = await this.d.directory.classNames(a.classIds);
    const graph = await this.d.curriculum.graphOf(a.subject).catch(() => null);
    const kpName = new Map(graph?.points.map((pt) => [pt.code, pt.name]) ?? []);

    let summary = { students: N, submissions: own.reduce((n, r) => n + r.submissions, 0), mean: null as number | null, sd: null as number | null, median: null as number | null, min: null as number | null, max: null as number | null, meanPercent: null as number | null, maxScore: maxTotal, histogram: [] as { from: number; to: number; count: number }[] };
    let reliability = { alpha: null as number | null, kr20: null as number | null, sem: null as number | null };
    const itemStats = [];
    const totals = new Float64Array(N);
    /** Lower edges of the histogram bins, unrounded, to place each student in the same bin as the engine did. */
    let binFrom: number[] = [];
    if (N > 0 && k > 0) {
      const an = analyseItems({ scores, students: N, items: k, maxPoints: items.map((it) => it.max) });
      totals.set(an.totals);
      const t = an.test;
      binFrom = t.histogram.map((h) => h.from);
      summary = {
        ...summary,
        mean: num(t.mean),
        sd: num(t.sd),
        median: num(t.median),
        min: num(t.min),
        max: num(t.max),
        meanPercent: maxTotal > 0 ? num(t.mean / maxTotal) : null,
        histogram: t.histogram.map((h) => ({ from: r3(h.from), to: r3(h.to), count: h.count })),
      };
      reliability = { alpha: num(t.alpha), kr20: num(t.kr20), sem: num(t.sem) };
      for (const [i, it] of items.entries()) {
        const st = an.items[i]!;
        let options: DistractorStat[] | null = null;
        const flags = [...st.flags];
        // Choices are known for answers given online; scores entered from paper have none.
        if (it.options && it.key !== null && chosen[i]!.some((c) => c !== null)) {
          const valid = new Set(it.options);
          const picks = chosen[i]!.map((c) => (typeof c === 'string' ? (valid.has(c) ? c : null) : Array.isArray(c) ? c.filter((x) => valid.has(x)) : null));
          options = analyseDistractors({ chosen: picks, options: it.options, key: it.key, scores: Array.from({ length: N }, (_, s) => scores[s * k + i]!) }, an.totals);
          for (const f of flagDistractors(options)) if (!flags.includes(f)) flags.push(f);
        }
        itemStats.push({
          position: it.position,
          itemId: it.itemId,
          type: it.type,
          stem: it.stem.slice(0, 200),
          max: it.max,
          knowledgePoints: it.knowledgePoints,
          n: st.n,
          mean: num(st.mean),
          p: num(st.p),
          pointBiserial: num(st.pointBiserial),
          discrimination: num(st.discrimination),
          alphaIfDeleted: num(st.alphaIfDeleted),
          flags,
          options:
            options?.map((o) => ({ option: o.option, isKey: o.isKey, count: o.count, proportion: r3(o.proportion), upper: num(o.upper), lower: num(o.lower), pointBiserial: num(o.pointBiserial) })) ?? null,
        });
      }
    }

    // Knowledge points: share of the points available on each point that the students earned.
    const kp = new Map<string, { earned: number; possible: number; positions: Set<number> }>();
    for (const r of own)
      for (const [position, score] of r.answers) {
        const it = items[posIndex.get(position) ?? -1];
        if (!it) continue;
        for (const code of it.knowledgePoints) {
          const e = kp.get(code) ?? { earned: 0, possible: 0, positions: new Set<number>() };
          e.earned += score;
          e.possible += it.max;
          e.positions.add(position);
          kp.set(code, e);
        }
      }
    const knowledgePoints = [...kp]
      .map(([code, e]) => ({ code, name: kpName.get(code) ?? code, earned: r3(e.earned), possible: r3(e.possible), share: e.possible > 0 ? r3(e.earned / e.possible) : null, positions: [...e.positions].sort((x, y) => x - y) }))
      .sort((x, y) => (x.share ?? 0) - (y.share ?? 0) || x.code.localeCompare(y.code));

    // Students to follow up: everyone below 60 %, and always the lowest few; names for their teachers only.
    const ranked = students.map((s, i) => ({ ...s, total: totals[i]!, percent: maxTotal > 0 ? totals[i]! / maxTotal : 0 })).sort((x, y) => x.total - y.total);
    const follow = ranked.filter((s, i) => s.percent < FOLLOW_UP_BELOW || i < FOLLOW_UP_LOWEST);
    const members = acc.names ? new Map((await this.d.directory.classMembers(acc.classIds)).map((m) => [m.id, m])) : new Map();
    const followUp = {
      threshold: FOLLOW_UP_BELOW,
      below: ranked.filter((s) => s.percent < FOLLOW_UP_BELOW).length,
      namesShown: acc.names,
      students: acc.names
        ? follow.map((s) => ({
            id: s.id,
            name: members.get(s.id)?.name ?? '',
            studentNo: members.get(s.id)?.studentNo ?? '',
            className: classNames.get(s.classId) ?? '',
            score: r3(s.total),
            percent: r3(s.percent),
            reason: s.percent < FOLLOW_UP_BELOW ? ('below_threshold' as const) : ('lowest' as const),
          }))
        : [],
    };

    // Every student behind the histogram, for their teachers only: each figure can show who it counts.
    const roster = acc.names
      ? students.map((s, i) => ({
          id: s.id,
          name: members.get(s.id)?.name ?? '',
          studentNo: members.get(s.id)?.studentNo ?? '',
          className: classNames.get(s.classId) ?? '',
          score: r3(totals[i]!),
          percent: maxTotal > 0 ? r3(totals[i]! / maxTotal) : 0,
          band: Math.max(0, binFrom.filter((from) => totals[i]! >= from).length - 1),
        }))
      : [];

    const comparison = await this.comparison(a, sheets, mine, acc.viewer === 'teacher', acc.schoolOf, maxTotal);
    await this.audit.append({
      actor: p,
      action: 'analytics.report',
      resourceType: 'assignment',
      resourceId: a.id,
      outcome: 'success',
      detail: { classes: acc.classIds, students: N, names: acc.names },
      ip: p.ip,
    });
    return {
      assignment: { id: a.id, title: a.title, kind: a.kind, subject: a.subject, subjectName: graph?.subject.name ?? a.subject, grade: a.grade, maxScore: maxTotal, itemCount: k },
      scope: { viewer: acc.viewer, classes: acc.classIds.map((id) => ({ id, name: classNames.get(id) ?? '' })), namesShown: acc.names },
      summary,
      reliability,
      items: itemStats,
      knowledgePoints,
      followUp,
      roster,
      comparison,
    };
  }

  /**
   * The same assignment in every class, the school and the county: aggregates only (mean % and n).
   * A group with fewer than MIN_GROUP students is suppressed, and so is one whose students outside
   * the viewer's own classes number 1 to MIN_GROUP − 1 (its mean minus theirs would reveal them).
   */
  private async comparison(a: Audience, sheets: Sheet[], mine: Set<string>, teacher: boolean, schoolOf: Map<string, string>, maxTotal: number) {
    const list = sheets.map((r) => ({
      classId: r.classId,
      schoolId: r.schoolId ?? schoolOf.get(r.classId) ?? null,
      total: r.answers.reduce((t, [, score]) => t + score, 0),
    }));
    const tree = await this.d.directory.regionTree();
    const regionById = new Map(tree.regions.map((r) => [r.id, r]));
    const schoolById = new Map(tree.schools.map((s) => [s.id, s]));
    const countyOf = (schoolId: string | null) => {
      let r = schoolId ? regionById.get(schoolById.get(schoolId)?.regionId ?? '') : undefined;
      while (r && r.level !== 'county') r = r.parentId ? regionById.get(r.parentId) : undefined;
      return r ?? null;
    };
    const group = (level: 'class' | 'school' | 'county', id: string, name: string, members: typeof list, ownClass: boolean) => {
      const n = members.length;
      const others = members.filter((m) => !mine.has(m.classId)).length;
      const suppressed = (!(ownClass && teacher) && n > 0 && n < MIN_GROUP) || (others > 0 && others < MIN_GROUP && !(ownClass && teacher));
      const mean = n && maxTotal > 0 ? members.reduce((s, m) => s + m.total, 0) / n / maxTotal : null;
      return { level, id, name, own: ownClass, n: suppressed ? null : n, meanPercent: suppressed ? null : num(mean), suppressed };
    };
    // Members by class, school and county in one pass (a county exam has thousands of classes).
    const byClass = new Map<string, typeof list>();
    const bySchool = new Map<string | null, typeof list>();
    const add = <K,>(map: Map<K, typeof list>, key: K, m: (typeof list)[number]) => {
      const members = map.get(key);
      if (members) members.push(m);
      else map.set(key, [m]);
    };
    for (const m of list) {
      add(byClass, m.classId, m);
      add(bySchool, m.schoolId, m);
    }
    const names = await this.d.directory.classNames(a.classIds);
    const groups = a.classIds.map((c) => group('class', c, names.get(c) ?? '', byClass.get(c) ?? [], mine.has(c)));
    const schools = [...new Set(a.classIds.map((c) => schoolOf.get(c)).filter((s): s is string => !!s))];
    for (const s of schools) groups.push(group('school', s, schoolById.get(s)?.name ?? '', bySchool.get(s) ?? [], false));
    const examCounties = new Map<string, { id: string; name: string }>();
    for (const s of schools) {
      const c = countyOf(s);
      if (c) examCounties.set(c.id, c);
    }
    const byCounty = new Map<string, typeof list>();
    for (const [s, members] of bySchool) {
      const c = countyOf(s);
      if (c && examCounties.has(c.id)) for (const m of members) add(byCounty, c.id, m);
    }
    for (const c of examCounties.values()) groups.push(group('county', c.id, c.name, byCounty.get(c.id) ?? [], false));
    const hidden = groups.filter((g) => g.suppressed).length;
    return {
      minGroupSize: MIN_GROUP,
      groups,
      note: hidden
        ? { 'zh-CN': `${hidden} 个组人数少于 ${MIN_GROUP} 人（或与本班相减可推出他人成绩），为保护隐私未显示。`, en: `${hidden} group(s) with fewer than ${MIN_GROUP} students (or that would reveal others by difference) are hidden to protect privacy.` }
        : null,
    };
  }

  /** The report as a workbook: 概况, 小题分析, 知识点, 需关注学生. */
  async reportXlsx(p: Principal, assignmentId: string): Promise<Buffer> {
    const r = await this.report(p, assignmentId);
    const wb = new ExcelJS.Workbook();
    const bold = (ws: ExcelJS.Worksheet) => {
      ws.getRow(1).font = { bold: true };
      ws.views = [{ state: 'frozen', ySplit: 1 }];
    };
    const pct = (x: number | null) => (x === null ? '' : Math.round(x * 1000) / 10);
    const ov = wb.addWorksheet('概况');
    ov.addRow(['项目', '数值']);
    ov.addRows([
      ['作业', r.assignment.title],
      ['班级', r.scope.classes.map((c) => c.name).join('、')],
      ['人数', r.summary.students],
      ['满分', r.summary.maxScore],
      ['平均分', r.summary.mean ?? ''],
      ['得分率(%)', pct(r.summary.meanPercent)],
      ['标准差', r.summary.sd ?? ''],
      ['中位数', r.summary.median ?? ''],
      ['最低分', r.summary.min ?? ''],
      ['最高分', r.summary.max ?? ''],
      ['信度 α', r.reliability.alpha ?? ''],
      ['KR-20', r.reliability.kr20 ?? ''],
      ['测量标准误 SEM', r.reliability.sem ?? ''],
    ]);
    ov.addRow([]);
    ov.addRow(['分数段', '人数']);
    for (const h of r.summary.histogram) ov.addRow([`${h.from}–${h.to}`, h.count]);
    ov.addRow([]);
    ov.addRow(['对比组', '人数', '得分率(%)', '说明']);
    const levelName = { class: '班级', school: '学校', county: '区县' } as const;
    for (const g of r.comparison.groups) ov.addRow([`${levelName[g.level]}：${g.name}`, g.n ?? '', pct(g.meanPercent), g.suppressed ? `少于 ${MIN_GROUP} 人，不显示` : '']);
    bold(ov);
    ov.getColumn(1).width = 28;

    const it = wb.addWorksheet('小题分析');
    it.addRow(['题号', '题型', '满分', '作答人数', '平均分', '难度 p', '区分度（校正点二列）', '区分度（高低组）', '删除该题后 α', '选项分布', '提示']);
    for (const x of r.items)
      it.addRow([
        x.position,
        x.type,
        x.max,
        x.n,
        x.mean ?? '',
        x.p ?? '',
        x.pointBiserial ?? '',
        x.discrimination ?? '',
        x.alphaIfDeleted ?? '',
        x.options?.map((o) => `${o.option}${o.isKey ? '*' : ''}:${o.count}`).join(' ') ?? '',
        x.flags.map((f) => FLAG_LABELS[f as ItemFlag] ?? f).join('、'),
      ]);
    bold(it);

    const kp = wb.addWorksheet('知识点');
    kp.addRow(['知识点编码', '知识点', '得分', '总分', '得分率(%)', '题号']);
    for (const x of r.knowledgePoints) kp.addRow([x.code, x.name, x.earned, x.possible, pct(x.share), x.positions.join('、')]);
    bold(kp);

    const fu = wb.addWorksheet('需关注学生');
    if (r.followUp.namesShown) {
      fu.addRow(['学号', '姓名', '班级', '得分', '得分率(%)', '原因']);
      for (const s of r.followUp.students)
        fu.addRow([s.studentNo, s.name, s.className, s.score, pct(s.percent), s.reason === 'below_threshold' ? `低于 ${FOLLOW_UP_BELOW * 100}%` : '得分最低']);
      fu.getColumn(1).numFmt = '@';
    } else {
      fu.addRow(['说明']);
      fu.addRow([`学生姓名仅对任课教师显示。低于 ${FOLLOW_UP_BELOW * 100}% 的学生：${r.followUp.below} 人。`]);
    }
    bold(fu);
    return Buffer.from(await wb.xlsx.writeBuffer());
  }

  /** The report as an A4 PDF with an embedded CJK font; 503 when no CJK font is installed. */
  async reportPdf(p: Principal, assignmentId: string): Promise<Buffer> {
    this.pdfFonts ??= loadCjkFonts(this.d.pdfFont ?? null);
    if (!this.pdfFonts)
      throw new AppError(503, 'analytics.pdf_font_missing', {
        zh: '服务器未安装中文字体，无法生成 PDF。请安装 fonts-noto-cjk 或设置 ZHIJIAO_PDF_FONT。',
        en: 'No Chinese font is installed on the server, so the PDF cannot be made. Install fonts-noto-cjk or set ZHIJIAO_PDF_FONT.',
      });
    const r = await this.report(p, assignmentId);
    return renderReportPdf(r, { fonts: this.pdfFonts, generatedAt: new Date() });
  }

  // ───────────── difficulty calibration ─────────────

  private requireModeller(p: Principal) {
    if (!p.roles.some((r) => MODELLERS.includes(r.role))) throw forbidden('analytics.calibrate');
  }

  private async subjectAnswers(subject?: string): Promise<{ subject: string; answers: number }[]> {
    return queryRows<{ subject: string; answers: number }>(
      this.db,
      sql`select subject, count(*)::int as answers from analytics_responses ${subject === undefined ? sql`` : sql`where subject = ${subject}`} group by subject`,
    );
  }

  async requestCalibration(p: Principal, req: { subject: string; model: 'rasch' | '2pl'; minResponses?: number }) {
    this.requireModeller(p);
    await this.d.curriculum.graphOf(req.subject);
    const minResponses = req.minResponses ?? this.d.minResponses ?? 200;
    const subjectAnswers = (await this.subjectAnswers(req.subject))[0]?.answers ?? 0;
    const id = await this.db.transaction(async (tx) => {
      const [row] = await tx.insert(calibrations).values({ subject: req.subject, model: req.model, minResponses, requestedBy: p.userId, subjectAnswers }).returning({ id: calibrations.id });
      await this.jobs.enqueue(tx, CALIBRATE_JOB, { calibrationId: row.id });
      await this.audit.append(
        { actor: p, action: 'analytics.calibrate', resourceType: 'subject', resourceId: req.subject, outcome: 'success', detail: { model: req.model, minResponses, calibration: row.id }, ip: p.ip },
        tx,
      );
      return row.id;
    });
    this.jobs.poke();
    return this.calibrationStatus(id);
  }

  /**
   * The automatic check (every few minutes): a subject is calibrated (Rasch) once some item has
   * answers from at least `minResponses` students and the subject was never calibrated, or its
   * answers have grown by a quarter since the last calibration was asked for; never while one is
   * queued or running. One count per subject unless a calibration may be due. Returns the ids queued.
   */
  async maybeCalibrate(): Promise<string[]> {
    const min = this.d.minResponses ?? 200;
    const queued: string[] = [];
    for (const { subject, answers } of await this.subjectAnswers()) {
      const [last] = await this.db.select().from(calibrations).where(eq(calibrations.subject, subject)).orderBy(desc(calibrations.createdAt)).limit(1);
      if (last && (last.status === 'queued' || last.status === 'running')) continue;
      if (last && answers < (last.subjectAnswers ?? 0) * AUTO_CALIBRATE_GROWTH) continue;
      const [{ ready }] = await queryRows<{ ready: number }>(
        this.db,
        sql`select count(*)::int as ready from (select item_id from analytics_responses where subject = ${subject}
            group by item_id having count(distinct student_id) >= ${min}) enough`,
      );
      if (!ready) continue;
      const id = await this.db.transaction(async (tx) => {
        const [row] = await tx.insert(calibrations).values({ subject, model: 'rasch', minResponses: min, requestedBy: null, subjectAnswers: answers }).returning({ id: calibrations.id });
        await this.jobs.enqueue(tx, CALIBRATE_JOB, { calibrationId: row.id });
        await this.audit.append(
          { actor: null, action: 'analytics.calibrate', resourceType: 'subject', resourceId: subject, outcome: 'success', detail: { model: 'rasch', minResponses: min, calibration: row.id, automatic: true, answers, itemsReady: Number(ready) } },
          tx,
        );
        return row.id;
      });
      queued.push(id);
    }
    if (queued.length) this.jobs.poke();
    return queued;
  }

  async calibrationFor(p: Principal, id: string) {
    this.requireModeller(p);
    return this.calibrationStatus(id);
  }

  private async calibrationStatus(id: string) {
    const [c] = await this.db.select().from(calibrations).where(eq(calibrations.id, id));
    if (!c) throw new AppError(404, 'analytics.calibration_not_found', { zh: '没有找到这次难度标定。', en: 'No such calibration.' });
    const result = (c.result as CalibrationResult | null) ?? null;
    return {
      id: c.id,
      subject: c.subject,
      model: c.model,
      minResponses: c.minResponses,
      status: c.status,
      progress: r3(c.progress),
      responses: result?.responses ?? null,
      students: result?.students ?? null,
      calibrated: result?.calibrated ?? [],
      skipped: result?.skipped ?? [],
      converged: result?.converged ?? null,
      error: c.error,
      createdAt: c.createdAt.toISOString(),
      startedAt: c.startedAt?.toISOString() ?? null,
      finishedAt: c.finishedAt?.toISOString() ?? null,
    };
  }

  /**
   * The calibration job: every answer of the subject scored 1 when full marks, else 0; items with
   * at least `minResponses` students are fitted together (MML-EM) and written back to the bank.
   * A student's first answer to an item counts (later attempts come after feedback).
   */
  async runCalibration(id: string): Promise<void> {
    const [job] = await this.db.select().from(calibrations).where(eq(calibrations.id, id));
    if (!job || job.status === 'done') return;
    await this.db.update(calibrations).set({ status: 'running', startedAt: new Date(), progress: 0 }).where(eq(calibrations.id, id));
    try {
      const responses: { person: string; item: string; correct: 0 | 1 }[] = [];
      const firstSeen = new Set<string>();
      const studentsOf = new Map<string, number>();
      let after = 0;
      for (;;) {
        const page = await this.db
          .select({ id: responseFacts.id, s: responseFacts.studentId, i: responseFacts.itemId, score: responseFacts.score, max: responseFacts.max })
          .from(responseFacts)
          .where(and(eq(responseFacts.subject, job.subject), gt(responseFacts.id, after)))
          .orderBy(asc(responseFacts.id))
          .limit(5000);
        if (!page.length) break;
        for (const r of page) {
          const key = `${r.s}|${r.i}`;
          if (firstSeen.has(key)) continue;
          firstSeen.add(key);
          studentsOf.set(r.i, (studentsOf.get(r.i) ?? 0) + 1);
          responses.push({ person: r.s, item: r.i, correct: r.score >= r.max - 1e-9 ? 1 : 0 });
        }
        after = page[page.length - 1]!.id;
      }
      const eligible = new Set([...studentsOf].filter(([, n]) => n >= job.minResponses).map(([i]) => i));
      const skipped: CalibrationResult['skipped'] = [...studentsOf]
        .filter(([i]) => !eligible.has(i))
        .map(([itemId, n]) => ({ itemId, n, reason: 'too_few_responses' as const }));
      const used = responses.filter((r) => eligible.has(r.item));
      await this.db.update(calibrations).set({ progress: 0.2 }).where(eq(calibrations.id, id));
      const fit = used.length ? fitIrt(used, { model: job.model }) : null;
      const calibrated: CalibrationResult['calibrated'] = [];
      let done = 0;
      for (const it of fit?.items ?? []) {
        const irt = {
          model: job.model,
          a: job.model === 'rasch' ? 1 : r3(it.a),
          b: r3(it.b),
          seA: job.model === 'rasch' ? null : num(it.seA),
          seB: num(it.seB),
          n: it.n,
        };
        try {
          await this.d.curriculum.recordCalibration(it.id, irt);
          calibrated.push({ itemId: it.id, ...irt, pValue: r3(it.pValue), infit: num(it.infit), outfit: num(it.outfit) });
        } catch (err) {
          if (!(err instanceof AppError && err.status === 404)) throw err;
          skipped.push({ itemId: it.id, n: it.n, reason: 'item_not_found' });
        }
        done++;
        if (done % 20 === 0) await this.db.update(calibrations).set({ progress: 0.2 + (0.8 * done) / fit!.items.length }).where(eq(calibrations.id, id));
      }
      const result: CalibrationResult = { responses: used.length, students: new Set(used.map((r) => r.person)).size, calibrated, skipped, converged: fit?.converged ?? null };
      await this.db.update(calibrations).set({ status: 'done', progress: 1, result, finishedAt: new Date() }).where(eq(calibrations.id, id));
    } catch (err) {
      await this.db
        .update(calibrations)
        .set({ status: 'failed', error: String((err as Error).message ?? err).slice(0, 500), finishedAt: new Date() })
        .where(eq(calibrations.id, id));
      this.log.error({ err, calibrationId: id }, 'calibration failed');
    }
  }
}

interface CalibrationResult {
  responses: number;
  students: number;
  calibrated: { itemId: string; model: 'rasch' | '2pl'; a: number; b: number; seA: number | null; seB: number | null; n: number; pValue: number; infit: number | null; outfit: number | null }[];
  skipped: { itemId: string; n: number; reason: 'too_few_responses' | 'item_not_found' }[];
  converged: boolean | null;
}
