/**
 * The region cockpit (区域驾驶舱) for county, city and province administrators and researchers:
 * schools' participation, mastery by subject and knowledge point across schools, and the AI
 * regular-use KPI against the pilot targets — aggregates only, within the viewer's region subtree,
 * with every figure traceable to the rows behind it.
 *
 * Speed at scale: the cockpit never reads the answers. `rollupSubmission` keeps two rollups in the
 * same transaction as the `submission.marked` consumer writes the answers (one row per submission;
 * sums per school × subject × knowledge point × assignment × week), and the AI-use sync keeps the
 * KPI per school (ai-use.ts). A county of 100 schools reads a few thousand rows.
 */
import { and, asc, between, eq, inArray, sql } from 'drizzle-orm';
import type { Principal } from '../../platform/auth/principal.js';
import { queryRows, type Db, type Queryable, type Tx } from '../../platform/db/index.js';
import { AppError } from '../../platform/http/errors.js';
import { addWeeks, kpiWeeks, weekOf, type AiRegularSetting } from './ai-use.js';
import type { CockpitTrace } from './cockpit-schema.js';
import { aiRegular, aiSchoolWeeks, kpRollup, submissionRollup } from './tables.js';

type TraceResult = CockpitTrace;

/** Participation counts students still enrolled (active) in the school they submitted in. */
const stillEnrolled = sql`exists (select 1 from analytics_enrolment e where e.student_id = ${submissionRollup.studentId} and e.school_id = ${submissionRollup.schoolId})`;

/** Seed 003 targets: regular-use rate of education models/agents in pilot schools and districts. */
export const AI_TARGETS = { school: 0.8, district: 0.9 } as const;
/** Groups smaller than this are not shown (as in the report's comparison). */
export const COCKPIT_MIN_GROUP = 5;
const DEFAULT_WEEKS = 12;
const REGION_ADMINS = ['county_admin', 'city_admin', 'province_admin'];

/** The part of a `submission.marked` payload the rollups use. */
export interface MarkedForRollup {
  submissionId: string;
  assignmentId: string;
  subject: string;
  studentId: string;
  classId: string;
  schoolId?: string | null;
  markedAt: string;
  items: { knowledgePoints: string[]; score: number; max: number }[];
}

/**
 * Adds one marked submission to the rollups, once (a replayed event finds its row and stops).
 * Runs inside the consumer's transaction, after the answers were written.
 */
export async function rollupSubmission(tx: Tx, e: MarkedForRollup): Promise<void> {
  if (!e.schoolId || !e.items?.length) return;
  const week = weekOf(new Date(e.markedAt));
  const [seen] = await queryRows<{ n: number }>(
    tx,
    sql`select count(*)::int as n from analytics_submissions where assignment_id = ${e.assignmentId} and student_id = ${e.studentId} and week = ${week}`,
  );
  const inserted = await tx
    .insert(submissionRollup)
    .values({ submissionId: e.submissionId, assignmentId: e.assignmentId, studentId: e.studentId, classId: e.classId, schoolId: e.schoolId, subject: e.subject, week })
    .onConflictDoNothing()
    .returning({ id: submissionRollup.submissionId });
  if (!inserted.length) return;
  const byKp = new Map<string, { earned: number; possible: number; responses: number }>();
  for (const it of e.items)
    for (const kp of it.knowledgePoints ?? []) {
      const c = byKp.get(kp) ?? { earned: 0, possible: 0, responses: 0 };
      c.earned += it.score;
      c.possible += it.max;
      c.responses++;
      byKp.set(kp, c);
    }
  if (!byKp.size) return;
  const newStudent = (seen?.n ?? 0) === 0 ? 1 : 0;
  await tx
    .insert(kpRollup)
    .values([...byKp].map(([kp, c]) => ({ schoolId: e.schoolId!, subject: e.subject, kp, assignmentId: e.assignmentId, week, ...c, students: newStudent })))
    .onConflictDoUpdate({
      target: [kpRollup.schoolId, kpRollup.subject, kpRollup.kp, kpRollup.assignmentId, kpRollup.week],
      set: {
        earned: sql`${kpRollup.earned} + excluded.earned`,
        possible: sql`${kpRollup.possible} + excluded.possible`,
        responses: sql`${kpRollup.responses} + excluded.responses`,
        students: sql`${kpRollup.students} + excluded.students`,
      },
    });
}

/** The week of a stored instant in SQL, as rollupSubmission computes it in JS. */
const WEEK_SQL = `date_trunc('week', (marked_at at time zone 'UTC') + interval '8 hours')::date`;

/**
 * Rebuilds both rollups from the stored answers in bulk (answers stored before the rollups
 * existed; bulk loads). Gives the same rows as feeding every submission to rollupSubmission.
 */
export async function rebuildRollups(q: Queryable): Promise<void> {
  await q.execute(sql`delete from analytics_kp_rollup`);
  await q.execute(sql`delete from analytics_submissions`);
  await q.execute(
    sql.raw(`insert into analytics_submissions (submission_id, assignment_id, student_id, class_id, school_id, subject, week)
      select distinct on (submission_id) submission_id, assignment_id, student_id, class_id, school_id, subject, ${WEEK_SQL}
      from analytics_responses where school_id is not null order by submission_id, id`),
  );
  await q.execute(
    sql.raw(`insert into analytics_kp_rollup (school_id, subject, kp, assignment_id, week, earned, possible, responses, students)
      select school_id, subject, kp, assignment_id, ${WEEK_SQL}, sum(score::float8), sum(max::float8), count(*)::int, count(distinct student_id)::int
      from analytics_responses, jsonb_array_elements_text(knowledge_points) as kp
      where school_id is not null group by school_id, subject, kp, assignment_id, ${WEEK_SQL}`),
  );
}

/** Answers stored but never rolled up (data from before the rollups): rebuild once at start. */
export async function rollupsMissing(q: Queryable): Promise<boolean> {
  const [r] = await queryRows<{ facts: boolean; rolled: boolean }>(
    q,
    sql`select exists(select 1 from analytics_responses where school_id is not null) as facts, exists(select 1 from analytics_submissions) as rolled`,
  );
  return !!r?.facts && !r.rolled;
}

export interface CockpitDeps {
  directory: {
    regionTree(): Promise<{
      regions: { id: string; parentId: string | null; level: string; name: string; path: string }[];
      schools: { id: string; regionId: string; name: string; path: string }[];
    }>;
    classNames(classIds: string[]): Promise<Map<string, string>>;
  };
  curriculum: { graphOf(subject: string): Promise<{ subject: { name: string }; points: { code: string; name: string }[] }> };
  assessment: { assignmentAudience(id: string): Promise<{ title: string } | null> };
}

const forbidden = (resourceId?: string) =>
  new AppError(
    403,
    'authz.forbidden',
    { zh: '您没有权限访问此内容。', en: 'You do not have permission to access this.' },
    { details: { permission: 'analytics.cockpit', ...(resourceId ? { resourceType: 'region', resourceId } : {}) } },
  );

const badQuery = (zh: string, en: string) => new AppError(422, 'analytics.cockpit_query_invalid', { zh, en });

const r3 = (x: number) => Math.round(x * 1000) / 1000;
const ratio = (a: number, b: number) => (b > 0 ? r3(a / b) : null);

type Tree = Awaited<ReturnType<CockpitDeps['directory']['regionTree']>>;
interface Query {
  region?: string;
  subject?: string;
  from?: string;
  to?: string;
}
interface AiRow {
  schoolId: string;
  role: 'teacher' | 'student';
  weeksUsed: number;
  people: number;
}

export class Cockpit {
  constructor(
    private readonly db: Db,
    private readonly d: CockpitDeps,
    private readonly ai: AiRegularSetting,
    private readonly now: () => number = Date.now,
  ) {}

  // ───────────── scope ─────────────

  /** The viewer's kind, the region asked for (within their subtree) and its schools. */
  private async scope(p: Principal, regionId: string | undefined) {
    const bindings = p.roles.filter((r) => (REGION_ADMINS.includes(r.role) || r.role === 'researcher') && r.scopeType === 'region' && r.scopeId);
    if (!bindings.length) throw forbidden();
    const tree = await this.d.directory.regionTree();
    const byId = new Map(tree.regions.map((r) => [r.id, r]));
    const tops = bindings.map((b) => byId.get(b.scopeId!)).filter((r): r is Tree['regions'][number] => !!r);
    const covers = (path: string) => tops.some((t) => path.startsWith(t.path));
    const region = regionId ? byId.get(regionId) : tops[0];
    if (!region || !covers(region.path)) throw forbidden(regionId);
    const admin = bindings.some((b) => REGION_ADMINS.includes(b.role) && region.path.startsWith(byId.get(b.scopeId!)?.path ?? '\u0000'));
    const schools = tree.schools.filter((s) => s.path.startsWith(region.path));
    const districtOf = (regionIdOfSchool: string) => {
      let r = byId.get(regionIdOfSchool);
      while (r && r.level !== 'county') r = r.parentId ? byId.get(r.parentId) : undefined;
      return r ?? null;
    };
    return {
      viewer: admin ? ('admin' as const) : ('researcher' as const),
      region,
      regions: tree.regions.filter((r) => covers(r.path)),
      schools,
      districtOf,
    };
  }

  private period(q: Query) {
    const today = new Date(this.now() + 8 * 3600_000).toISOString().slice(0, 10);
    const to = q.to ?? today;
    const from = q.from ?? addWeeks(weekOf(Date.parse(`${to}T12:00:00Z`) - 8 * 3600_000), -(DEFAULT_WEEKS - 1));
    if (Number.isNaN(Date.parse(from)) || Number.isNaN(Date.parse(to)) || from > to)
      throw badQuery('时间范围无效：开始日期须不晚于结束日期。', 'Invalid period: `from` must be a date on or before `to`.');
    const first = weekOf(Date.parse(`${from}T12:00:00Z`) - 8 * 3600_000);
    const last = weekOf(Date.parse(`${to}T12:00:00Z`) - 8 * 3600_000);
    return { from, to, first, last, weeks: Math.round((Date.parse(last) - Date.parse(first)) / (7 * 86_400_000)) + 1 };
  }

  private async aiRows(schoolIds: string[]) {
    if (!schoolIds.length) return { rows: [] as AiRow[], computedAt: null as string | null };
    const rows = await this.db.select().from(aiRegular).where(inArray(aiRegular.schoolId, schoolIds));
    const computedAt = rows.reduce<Date | null>((m, r) => (!m || r.computedAt > m ? r.computedAt : m), null);
    return { rows: rows as AiRow[], computedAt: computedAt?.toISOString() ?? null };
  }

  /** The KPI over a set of schools' people: regular = used AI in ≥ N of the M weeks. */
  private aiFigure(rows: AiRow[], target: number) {
    let teachers = 0;
    let students = 0;
    let regular = 0;
    for (const r of rows) {
      if (r.role === 'teacher') teachers += r.people;
      else students += r.people;
      if (r.weeksUsed >= this.ai.n) regular += r.people;
    }
    const active = teachers + students;
    const suppressed = active > 0 && active < COCKPIT_MIN_GROUP;
    const rate = suppressed ? null : ratio(regular, active);
    return { active, activeTeachers: teachers, activeStudents: students, regular: suppressed ? null : regular, rate, target, met: rate === null ? null : rate >= target, suppressed };
  }

  // ───────────── the dashboard ─────────────

  async overview(p: Principal, q: Query) {
    const sc = await this.scope(p, q.region);
    const per = this.period(q);
    const ids = sc.schools.map((s) => s.id);
    const inScope = ids.length ? inArray(submissionRollup.schoolId, ids) : sql`false`;

    const part = await this.db
      .select({ schoolId: submissionRollup.schoolId, n: sql<number>`count(distinct ${submissionRollup.studentId})::int` })
      .from(submissionRollup)
      .where(and(inScope, between(submissionRollup.week, per.first, per.last), stillEnrolled))
      .groupBy(submissionRollup.schoolId);
    const participating = new Map(part.map((r) => [r.schoolId, Number(r.n)]));

    const kpScope = and(ids.length ? inArray(kpRollup.schoolId, ids) : sql`false`, between(kpRollup.week, per.first, per.last));
    const bySubject = await this.db
      .select({ subject: kpRollup.subject, earned: sql<number>`sum(${kpRollup.earned})`, possible: sql<number>`sum(${kpRollup.possible})`, responses: sql<number>`sum(${kpRollup.responses})::int` })
      .from(kpRollup)
      .where(kpScope)
      .groupBy(kpRollup.subject)
      .orderBy(sql`sum(${kpRollup.responses}) desc`, asc(kpRollup.subject));
    const subject = q.subject ?? bySubject[0]?.subject ?? null;
    const graphs = new Map<string, Awaited<ReturnType<CockpitDeps['curriculum']['graphOf']>> | null>();
    const graphOf = async (s: string) => {
      if (!graphs.has(s)) graphs.set(s, await this.d.curriculum.graphOf(s).catch(() => null));
      return graphs.get(s) ?? null;
    };
    const subjects = [];
    for (const s of bySubject)
      subjects.push({ code: s.subject, name: (await graphOf(s.subject))?.subject.name ?? s.subject, rate: ratio(Number(s.earned), Number(s.possible)), responses: Number(s.responses) });

    const cellsRaw = subject
      ? await this.db
          .select({
            school: kpRollup.schoolId,
            kp: kpRollup.kp,
            earned: sql<number>`sum(${kpRollup.earned})`,
            possible: sql<number>`sum(${kpRollup.possible})`,
            responses: sql<number>`sum(${kpRollup.responses})::int`,
            students: sql<number>`max(${kpRollup.students})::int`,
          })
          .from(kpRollup)
          .where(and(kpScope, eq(kpRollup.subject, subject)))
          .groupBy(kpRollup.schoolId, kpRollup.kp)
      : [];
    const graph = subject ? await graphOf(subject) : null;
    const kpName = new Map(graph?.points.map((pt) => [pt.code, pt.name]) ?? []);
    const order = new Map(graph?.points.map((pt, i) => [pt.code, i]) ?? []);
    const codes = [...new Set(cellsRaw.map((c) => c.kp))].sort((a, b) => (order.get(a) ?? 1e9) - (order.get(b) ?? 1e9) || a.localeCompare(b));
    const cells = cellsRaw.map((c) => {
      // Suppressed unless one (assignment, week) behind the cell has enough distinct students.
      const suppressed = Number(c.students) < COCKPIT_MIN_GROUP;
      return { school: c.school, kp: c.kp, rate: suppressed ? null : ratio(Number(c.earned), Number(c.possible)), responses: Number(c.responses), suppressed };
    });

    const ai = await this.aiRows(ids);
    const aiBySchool = new Map<string, AiRow[]>();
    for (const r of ai.rows) aiBySchool.set(r.schoolId, [...(aiBySchool.get(r.schoolId) ?? []), r]);
    const schools = sc.schools.map((s) => {
      const rows = aiBySchool.get(s.id) ?? [];
      const fig = this.aiFigure(rows, AI_TARGETS.school);
      const enrolled = fig.activeStudents;
      const n = participating.get(s.id) ?? 0;
      const small = enrolled > 0 && enrolled < COCKPIT_MIN_GROUP;
      const district = sc.districtOf(s.regionId);
      return {
        id: s.id,
        name: s.name,
        districtId: district?.id ?? null,
        districtName: district?.name ?? '',
        enrolled,
        participating: n,
        participation: small ? null : ratio(n, enrolled),
        participationSuppressed: small,
        ai: fig,
      };
    });
    const districts = new Map<string, { id: string; name: string; schools: number; rows: AiRow[] }>();
    for (const s of sc.schools) {
      const c = sc.districtOf(s.regionId);
      if (!c) continue;
      const e = districts.get(c.id) ?? { id: c.id, name: c.name, schools: 0, rows: [] };
      e.schools++;
      e.rows.push(...(aiBySchool.get(s.id) ?? []));
      districts.set(c.id, e);
    }
    const students = schools.reduce((a, s) => a + s.enrolled, 0);
    const totalParticipating = schools.reduce((a, s) => a + s.participating, 0);
    return {
      viewer: sc.viewer,
      region: { id: sc.region.id, name: sc.region.name, level: sc.region.level },
      regions: sc.regions.map((r) => ({ id: r.id, name: r.name, level: r.level, parentId: r.parentId })),
      period: { from: per.from, to: per.to, weeks: per.weeks },
      minGroupSize: COCKPIT_MIN_GROUP,
      totals: { schools: schools.length, students, participating: totalParticipating, participation: students >= COCKPIT_MIN_GROUP ? ratio(totalParticipating, students) : null },
      ai: {
        n: this.ai.n,
        m: this.ai.m,
        weeks: kpiWeeks(this.now(), this.ai.m),
        targets: { ...AI_TARGETS },
        computedAt: ai.computedAt,
        region: this.aiFigure(ai.rows, AI_TARGETS.district),
        districts: [...districts.values()].map((d) => ({ id: d.id, name: d.name, schools: d.schools, ...this.aiFigure(d.rows, AI_TARGETS.district) })),
      },
      schools,
      subjects,
      mastery: {
        subject,
        subjectName: subject ? (graph?.subject.name ?? subject) : null,
        points: codes.map((code) => ({ code, name: kpName.get(code) ?? code })),
        cells,
      },
    };
  }

  // ───────────── the rows behind a figure ─────────────

  async trace(p: Principal, q: Query & { figure: 'participation' | 'mastery' | 'ai'; school?: string; kp?: string }): Promise<TraceResult> {
    const sc = await this.scope(p, q.region);
    const per = this.period(q);
    const school = q.school ? sc.schools.find((s) => s.id === q.school) : undefined;
    if (q.school && !school) throw forbidden(q.school);
    if (q.figure !== 'ai' && !school) throw badQuery('请指定学校。', 'Give the school (`school`).');

    if (q.figure === 'participation') {
      const rows = await this.db
        .select({ classId: submissionRollup.classId, participating: sql<number>`count(distinct ${submissionRollup.studentId})::int`, submissions: sql<number>`count(*)::int` })
        .from(submissionRollup)
        .where(and(eq(submissionRollup.schoolId, school!.id), between(submissionRollup.week, per.first, per.last), stillEnrolled))
        .groupBy(submissionRollup.classId);
      const names = await this.d.directory.classNames(rows.map((r) => r.classId));
      const [all] = await this.db
        .select({ n: sql<number>`count(distinct ${submissionRollup.studentId})::int` })
        .from(submissionRollup)
        .where(and(eq(submissionRollup.schoolId, school!.id), between(submissionRollup.week, per.first, per.last), stillEnrolled));
      return {
        figure: q.figure,
        total: { participating: Number(all?.n ?? 0) },
        columns: ['className', 'participating', 'submissions'],
        rows: rows
          .map((r) => ({ classId: r.classId, className: names.get(r.classId) ?? '', participating: Number(r.participating), submissions: Number(r.submissions) }))
          .sort((a, b) => a.className.localeCompare(b.className, 'zh-CN')),
        note: { 'zh-CN': '每个班级在所选时段内有已批改提交的在籍学生人数（仅计数，不含姓名）。', en: 'Enrolled students of each class with a marked submission in the period (counts only, no names).' },
      };
    }

    if (q.figure === 'mastery') {
      if (!q.kp || !q.subject) throw badQuery('请指定学科和知识点。', 'Give the subject and the knowledge point (`subject`, `kp`).');
      const rows = await this.db
        .select()
        .from(kpRollup)
        .where(and(eq(kpRollup.schoolId, school!.id), eq(kpRollup.subject, q.subject), eq(kpRollup.kp, q.kp), between(kpRollup.week, per.first, per.last)))
        .orderBy(asc(kpRollup.week), asc(kpRollup.assignmentId));
      const titles = new Map<string, string>();
      for (const id of new Set(rows.map((r) => r.assignmentId))) titles.set(id, (await this.d.assessment.assignmentAudience(id).catch(() => null))?.title ?? '');
      const earned = rows.reduce((a, r) => a + r.earned, 0);
      const possible = rows.reduce((a, r) => a + r.possible, 0);
      const enough = rows.some((r) => r.students >= COCKPIT_MIN_GROUP);
      return {
        figure: q.figure,
        total: { rate: enough ? ratio(earned, possible) : null, responses: rows.reduce((a, r) => a + r.responses, 0) },
        columns: ['title', 'week', 'students', 'responses', 'rate'],
        rows: rows.map((r) => {
          const small = r.students < COCKPIT_MIN_GROUP;
          return {
            assignmentId: r.assignmentId,
            title: titles.get(r.assignmentId) ?? '',
            week: r.week,
            students: small ? null : r.students,
            responses: r.responses,
            earned: small ? null : r3(r.earned),
            possible: r3(r.possible),
            rate: small ? null : ratio(r.earned, r.possible),
            suppressed: small,
          };
        }),
        note: enough
          ? null
          : { 'zh-CN': `少于 ${COCKPIT_MIN_GROUP} 名学生的得分率不显示。`, en: `Score rates of fewer than ${COCKPIT_MIN_GROUP} students are not shown.` },
      };
    }

    // AI use: per week, active people who used AI; and how many used it in k of the M weeks.
    const schoolIds = school ? [school.id] : sc.schools.map((s) => s.id);
    const { rows } = await this.aiRows(schoolIds);
    const fig = this.aiFigure(rows, school ? AI_TARGETS.school : AI_TARGETS.district);
    const weekly = schoolIds.length
      ? await this.db
          .select({ week: aiSchoolWeeks.week, role: aiSchoolWeeks.role, users: sql<number>`sum(${aiSchoolWeeks.users})::int` })
          .from(aiSchoolWeeks)
          .where(inArray(aiSchoolWeeks.schoolId, schoolIds))
          .groupBy(aiSchoolWeeks.week, aiSchoolWeeks.role)
      : [];
    const hide = fig.suppressed;
    const out: Record<string, string | number | boolean | null>[] = [];
    for (const week of kpiWeeks(this.now(), this.ai.m)) {
      const t = weekly.find((w) => w.week === week && w.role === 'teacher');
      const s = weekly.find((w) => w.week === week && w.role === 'student');
      out.push({ kind: 'week', label: week, teachers: hide ? null : Number(t?.users ?? 0), students: hide ? null : Number(s?.users ?? 0), regular: null });
    }
    for (let k = this.ai.m; k >= 0; k--) {
      const t = rows.filter((r) => r.weeksUsed === k && r.role === 'teacher').reduce((a, r) => a + r.people, 0);
      const s = rows.filter((r) => r.weeksUsed === k && r.role === 'student').reduce((a, r) => a + r.people, 0);
      out.push({ kind: 'weeks_used', label: String(k), teachers: hide ? null : t, students: hide ? null : s, regular: k >= this.ai.n });
    }
    return {
      figure: q.figure,
      total: { active: fig.active, regular: fig.regular, rate: fig.rate },
      columns: ['kind', 'label', 'teachers', 'students', 'regular'],
      rows: out,
      note: {
        'zh-CN': `常态化应用：最近 ${this.ai.m} 个完整周中至少 ${this.ai.n} 周使用过 AI 功能。“weeks_used” 行合计为在岗师生数，其中 regular 行之和即常态化应用人数。`,
        en: `Regular use: AI features used in at least ${this.ai.n} of the last ${this.ai.m} complete weeks. The "weeks_used" rows sum to the active people; those marked regular sum to the regular users.`,
      },
    };
  }
}
