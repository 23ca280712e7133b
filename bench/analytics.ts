/**
 * Analytics benchmark: `npm run bench -- analytics [--students N] [--schools N] [--verify-school S]`.
 *
 * A synthetic county (default 100 schools, 100,000 students, 1,000,000 marked answers; no dataset
 * needed, every value is an integer formula of the student, assignment and question numbers, so
 * the run is deterministic and the same facts can be generated in PGlite and in DuckDB):
 *   - one county-wide math exam (5 questions × 4 points) taken by every student: 500,000 answers;
 *   - 5 homework assignments per school (math, Chinese, English, math, physics; 5 questions),
 *     each done by a fifth of the school's students, in weeks 1–5 before this one: 500,000 answers;
 *   - knowledge points: one per question, two on question 5 (an answer counts for both);
 *   - 60 teachers per school; every 97th student and some teachers disabled (not active);
 *   - AI use per person and week (this week and the 4 before): a school-dependent share of people
 *     (60–90 %) uses AI in a given week.
 *
 * Loading (not timed in the results): the answers go into PGlite (the platform's embedded
 * database, migrated like the server's) with INSERT … SELECT over generate_series; the rollups are
 * built by the bulk path (`rebuildRollups`), and for one school (--verify-school, default 0) they
 * are rebuilt again through the consumer's path (`rollupSubmission`, one transaction per marked
 * submission, as from `submission.marked`) and compared with the bulk rows (`rollups_equal`). AI use
 * goes through the real AI-use sync (`ai_sync_s`), with the hub's and identity's door functions
 * answering from the generated arrays.
 *
 * Timed (the median of 3 runs after one warm-up, in the same process):
 *   - report_s: the exam report of the county exam as a county admin sees it (Analytics.report:
 *     its read of the 100,000 per-student sheets the consumer keeps beside the 500,000 answers,
 *     item analysis, reliability, knowledge points, comparison);
 *   - cockpit_s: the region cockpit of the county (Cockpit.overview: participation, subjects,
 *     the math heatmap of 100 schools × 10 points, the AI KPI) from the rollups;
 *   - http_cockpit_s (detail): GET /api/analytics/cockpit through Fastify with its zod response
 *     schema (app.inject; no network, no session look-up);
 *   - duckdb_s: DuckDB (@duckdb/node-api, in memory) computing the same aggregates from the raw
 *     facts (answers, members, AI use per person and week), loaded before timing (load time printed
 *     separately): the exam's latest-attempt totals, summary, histogram, item means, item–rest
 *     correlations, upper/lower groups, Cronbach's α, knowledge points, class/school/county means;
 *     the cockpit's participation, subject and school × point mastery with group sizes, and the KPI.
 *     DuckDB scans the facts each time; the platform reads rollups kept as answers arrive — that
 *     is the design being measured.
 * ratio = (report_s + cockpit_s) / duckdb_s. The cockpit's numbers are compared with DuckDB's
 * (`results_match`). Targets (issue): within 2× of DuckDB; the cockpit page loads in under a second.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { sql } from 'drizzle-orm';
import { pino } from 'pino';
import { queryRows, openDatabase } from '../apps/server/src/platform/db/index.js';
import { AuditLog } from '../apps/server/src/platform/audit/index.js';
import type { Principal } from '../apps/server/src/platform/auth/principal.js';
import { buildApp } from '../apps/server/src/platform/http/app.js';
import type { JobQueue } from '../apps/server/src/platform/jobs/index.js';
import { addWeeks, AiUseSync, weekOf, type AiUseRow } from '../apps/server/src/modules/analytics/ai-use.js';
import { Cockpit, rebuildRollups, rollupSubmission } from '../apps/server/src/modules/analytics/cockpit.js';
import { cockpitRoutes } from '../apps/server/src/modules/analytics/cockpit-routes.js';
import { rebuildSheets } from '../apps/server/src/modules/analytics/sheets.js';
import { Analytics, type Audience } from '../apps/server/src/modules/analytics/service.js';
import { report, type BenchArgs } from './run.js';

const SUITE = 'analytics';
const CLASS_SIZE = 50;
const TEACHERS_PER_SCHOOL = 60;
const ITEMS = 5;
const MAX = 4;
const HOMEWORK_SUBJECTS = ['math', 'chinese', 'english', 'math', 'physics'];
const WEEK_S = 604_800;
const CN_S = 8 * 3600;
const log = pino({ level: 'silent' });

const flag = (argv: string[], name: string, dflt: number) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
/** A uuid made of a one-hex-digit kind and a number (the same id in every run). */
const uid = (kind: string, n: number) => `0000000${kind}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const U = (kind: string, expr: string) => `('0000000${kind}-0000-4000-8000-' || lpad(to_hex(${expr}), 12, '0'))::uuid`;
const time = async <T>(fn: () => Promise<T>) => {
  const t0 = performance.now();
  const v = await fn();
  return { s: (performance.now() - t0) / 1000, v };
};
/** The median of `runs` timed runs after a warm-up (none for a single run: the slow report is run once). */
async function timed<T>(fn: () => Promise<T>, runs = 3): Promise<{ s: number; v: T }> {
  if (runs > 1) await fn();
  const all = [];
  for (let i = 0; i < runs; i++) all.push(await time(fn));
  all.sort((a, b) => a.s - b.s);
  return all[Math.floor(runs / 2)]!;
}

export default async function analyticsBench(args: BenchArgs): Promise<void> {
  const students = flag(args.argv, 'students', 100_000);
  const schools = flag(args.argv, 'schools', 100);
  const verifySchool = flag(args.argv, 'verify-school', 0);
  const perSchool = students / schools;
  if (!Number.isInteger(perSchool) || perSchool % CLASS_SIZE !== 0 || perSchool % 5 !== 0) throw new Error('--students / --schools must be a multiple of 50');
  console.log(`# dataset: none needed (synthetic, deterministic); ${schools} schools, ${students} students, ${students * ITEMS * 2} answers; ${cpus().length} CPUs, node ${process.version}`);

  // Weeks: k weeks before the current China-time week starts at monday(k) (epoch seconds).
  const now = Date.now();
  const monday0 = Date.parse(`${weekOf(now)}T00:00:00Z`) / 1000 - CN_S;
  const dir = mkdtempSync(join(tmpdir(), 'zhijiao-bench-analytics-'));
  const database = await openDatabase({ dataDir: dir });
  const db = database.db;
  try {
    // ───────────── the county in PGlite ─────────────
    const kpExpr = (subj: string, a: string, j: string) => `${subj} || '-K' || lpad((((${a}) * 3 + ${j}) % 10)::text, 2, '0')`;
    const facts = (part: 'exam' | 'homework', from: number, to: number) => {
      const a = part === 'exam' ? '0' : `(1 + (n / ${perSchool}) * 5 + n % 5)`;
      const subj = part === 'exam' ? `'math'` : `(array['${HOMEWORK_SUBJECTS.join("','")}'])[n % 5 + 1]`;
      const marked =
        part === 'exam'
          ? `to_timestamp(${monday0} - 2 * ${WEEK_S} + 2 * 86400 + 36000 + n % 3600)`
          : `to_timestamp(${monday0} - (n % 5 + 1) * ${WEEK_S} + (n % 5) * 86400 + 36000 + n % 3600)`;
      return sql.raw(`
        insert into analytics_responses (assignment_id, submission_id, student_id, class_id, school_id, subject, kind, attempt, source, item_id, item_version, position, type, knowledge_points, score, max, correct, chosen, marked_at)
        select ${U('d', 'a')}, ${U(part === 'exam' ? 'e' : 'f', 'n')}, ${U('a', 'n')}, ${U('c', `n / ${CLASS_SIZE}`)}, ${U('b', `n / ${perSchool}`)}, subj, '${part}', 1, 'online',
               ${U('1', 'a * 10 + i')}, 1, i, 'fill_blank',
               case when i = 5 then jsonb_build_array(${kpExpr('subj', 'a', '5')}, ${kpExpr('subj', 'a', '6')}) else jsonb_build_array(${kpExpr('subj', 'a', 'i')}) end,
               sc, ${MAX}, sc = ${MAX}, null, ${marked}
        from (select n, i, ${a} as a, ${subj} as subj,
                     least(8, (n * 37 + (${a}) * 101 + i * 53) % 9 + (n / ${perSchool}) % 3) / 2.0 as sc
              from generate_series(${from}, ${to - 1}) n, generate_series(1, ${ITEMS}) i) g`);
    };
    const load = await time(async () => {
      for (const part of ['exam', 'homework'] as const)
        for (let from = 0; from < students; from += 20_000) await db.execute(facts(part, from, Math.min(students, from + 20_000)));
    });
    const [{ n: answers }] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from analytics_responses`);
    const rollup = await time(() => db.transaction((tx) => rebuildRollups(tx)));
    const sheetBuild = await time(() => db.transaction((tx) => rebuildSheets(tx)));
    console.log(`# load: ${answers} answers into PGlite in ${load.s.toFixed(1)} s; bulk rollups in ${rollup.s.toFixed(1)} s; report sheets in ${sheetBuild.s.toFixed(1)} s`);

    // The consumer's path for one school gives the same rollup rows as the bulk path.
    const schoolId = uid('b', verifySchool);
    const snapshot = async () => ({
      subs: await queryRows<Record<string, unknown>>(db, sql`select * from analytics_submissions where school_id = ${schoolId} order by submission_id`),
      kp: (await queryRows<Record<string, unknown>>(db, sql`select * from analytics_kp_rollup where school_id = ${schoolId} order by subject, kp, assignment_id, week`)).map((r) => ({
        ...r,
        earned: Math.round(Number(r.earned) * 1000) / 1000,
        possible: Math.round(Number(r.possible) * 1000) / 1000,
      })),
    });
    const bulk = await snapshot();
    await db.execute(sql`delete from analytics_submissions where school_id = ${schoolId}`);
    await db.execute(sql`delete from analytics_kp_rollup where school_id = ${schoolId}`);
    const events = await queryRows<{ submission_id: string; assignment_id: string; subject: string; student_id: string; class_id: string; school_id: string; marked_at: string; items: { knowledgePoints: string[]; score: number; max: number }[] }>(
      db,
      sql`select submission_id, assignment_id, subject, student_id, class_id, school_id, to_char(min(marked_at) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as marked_at,
                 json_agg(json_build_object('knowledgePoints', knowledge_points, 'score', score, 'max', max) order by position) as items
          from analytics_responses where school_id = ${schoolId} group by 1, 2, 3, 4, 5, 6 order by min(id)`,
    );
    const incremental = await time(async () => {
      for (const e of events)
        await db.transaction((tx) =>
          rollupSubmission(tx, { submissionId: e.submission_id, assignmentId: e.assignment_id, subject: e.subject, studentId: e.student_id, classId: e.class_id, schoolId: e.school_id, markedAt: new Date(e.marked_at).toISOString(), items: e.items }),
        );
    });
    const rolled = await snapshot();
    const rollupsEqual = JSON.stringify(bulk) === JSON.stringify(rolled) && bulk.kp.length > 0;
    console.log(`# consumer path: ${events.length} submissions of school ${verifySchool} rolled up one transaction each in ${incremental.s.toFixed(1)} s (${((incremental.s / events.length) * 1000).toFixed(2)} ms each); same rows as the bulk path: ${rollupsEqual}`);

    // ───────────── people and AI use ─────────────
    const teachers = schools * TEACHERS_PER_SCHOOL;
    const studentActive = (n: number) => n % 97 !== 0;
    const teacherActive = (t: number) => t % 50 !== 7;
    const TEACHER_KEY = 10_000_000;
    /** Person key k (students n, teachers 10,000,000 + t) of school s uses AI in the week k weeks ago. */
    const uses = (key: number, weeksAgo: number, s: number) => (key * 13 + weeksAgo * 7 + s * 5) % 10 < 6 + (s % 4);
    const members = new Map<string, { teachers: string[]; students: string[] }>();
    for (let s = 0; s < schools; s++) members.set(uid('b', s), { teachers: [], students: [] });
    const aiRows: AiUseRow[] = [];
    for (let n = 0; n < students; n++) {
      const s = Math.floor(n / perSchool);
      if (studentActive(n)) members.get(uid('b', s))!.students.push(uid('a', n));
      for (let k = 0; k <= 4; k++) if (uses(n, k, s)) aiRows.push({ userId: uid('a', n), week: addWeeks(weekOf(now), -k), uses: 1 + (n % 3), schoolId: uid('b', s) });
    }
    for (let t = 0; t < teachers; t++) {
      const s = Math.floor(t / TEACHERS_PER_SCHOOL);
      if (teacherActive(t)) members.get(uid('b', s))!.teachers.push(uid('2', t));
      for (let k = 0; k <= 4; k++) if (uses(TEACHER_KEY + t, k, s)) aiRows.push({ userId: uid('2', t), week: addWeeks(weekOf(now), -k), uses: 1 + ((TEACHER_KEY + t) % 3), schoolId: uid('b', s) });
    }
    const province = uid('9', 1);
    const city = uid('9', 2);
    const county = uid('9', 3);
    const tree = {
      regions: [
        { id: province, parentId: null, level: 'province', name: '基准省', path: `/${province}/` },
        { id: city, parentId: province, level: 'city', name: '基准市', path: `/${province}/${city}/` },
        { id: county, parentId: city, level: 'county', name: '基准县', path: `/${province}/${city}/${county}/` },
      ],
      schools: Array.from({ length: schools }, (_, s) => ({ id: uid('b', s), regionId: county, name: `基准县第${s + 1}中学`, path: `/${province}/${city}/${county}/` })),
    };
    const classIds = Array.from({ length: students / CLASS_SIZE }, (_, c) => uid('c', c));
    const directory = {
      regionTree: async () => tree,
      activeMembers: async () => members,
      classNames: async (ids: string[]) => new Map(ids.map((id) => [id, `${parseInt(id.slice(-12), 16) % (perSchool / CLASS_SIZE) + 1}班`])),
      classSchools: async (ids: string[]) => new Map(ids.map((id) => [id, uid('b', Math.floor((parseInt(id.slice(-12), 16) * CLASS_SIZE) / perSchool))])),
      classMembers: async () => [],
    };
    const sync = new AiUseSync(db, log, { hub: { aiUseSince: async () => aiRows }, learning: { practiceUseSince: async () => [] }, assessment: { aiReviewUseSince: async () => [] }, directory }, () => now);
    const aiSync = await time(() => sync.sync());
    console.log(`# AI use: ${aiRows.length} person-weeks, ${teachers} teachers; AI-use sync (store the weeks, recompute the KPI of every school) ${aiSync.s.toFixed(1)} s`);

    // ───────────── the platform's timings ─────────────
    const exam: Audience = {
      id: uid('d', 0),
      kind: 'exam',
      title: '基准县七年级数学期中考试',
      subject: 'math',
      grade: 7,
      authorId: uid('2', 0),
      maxScore: ITEMS * MAX,
      classIds,
      items: Array.from({ length: ITEMS }, (_, j) => {
        const i = j + 1;
        const kp = (x: number) => `math-K${String((0 * 3 + x) % 10).padStart(2, '0')}`;
        return { position: i, itemId: uid('1', i), itemVersion: 1, type: 'fill_blank', max: MAX, knowledgePoints: i === 5 ? [kp(5), kp(6)] : [kp(i)], stem: `第${i}题`, options: null, key: null };
      }),
    };
    const noGraph = async (): Promise<never> => {
      throw new Error('no knowledge-point graph in the benchmark');
    };
    const analytics = new Analytics(db, new AuditLog(db), {} as JobQueue, log, {
      assessment: { assignmentAudience: async (id) => (id === exam.id ? exam : null) },
      curriculum: { graphOf: noGraph, recordCalibration: noGraph },
      directory,
    } as ConstructorParameters<typeof Analytics>[4]);
    const admin: Principal = {
      userId: uid('3', 1),
      username: 'county_admin_bench',
      displayName: '基准县教育局',
      roles: [{ role: 'county_admin', scopeType: 'region', scopeId: county, scopeName: '基准县', subject: null }],
      via: 'session',
      ip: null,
    };
    const reportRun = await timed(() => analytics.report(admin, exam.id));
    const cockpit = new Cockpit(db, { directory, curriculum: { graphOf: noGraph }, assessment: { assignmentAudience: async () => null } }, sync.setting, () => now);
    const cockpitRun = await timed(() => cockpit.overview(admin, {}));
    const app = await buildApp({ logger: log, authenticate: async () => admin, onDenied: async () => undefined, maxUploadBytes: 1024 });
    cockpitRoutes(app, cockpit);
    await app.ready();
    const httpRun = await timed(async () => {
      const r = await app.inject({ method: 'GET', url: '/api/analytics/cockpit' });
      if (r.statusCode !== 200) throw new Error(`cockpit over HTTP: ${r.statusCode} ${r.body.slice(0, 300)}`);
      return r.body.length;
    });
    await app.close();

    // ───────────── DuckDB on the same facts ─────────────
    const duck = await DuckDBInstance.create(':memory:');
    const c = await duck.connect();
    const duckLoad = await time(() => loadDuck(c, { students, perSchool, schools, teachers, monday0 }));
    const duckRun = await timed(() => duckAggregates(c));
    console.log(`# DuckDB ${(await (await c.runAndReadAll('select version() as v')).getRowObjects())[0]!.v}: facts generated in memory in ${duckLoad.s.toFixed(1)} s (not timed below)`);

    // The cockpit's figures against DuckDB's.
    const ours = cockpitRun.v;
    const d = duckRun.v;
    const mismatches: string[] = [];
    for (const s of ours.schools) {
      const i = parseInt(s.id.slice(-12), 16);
      if (s.participating !== d.participation.get(i)) mismatches.push(`participation ${i}`);
      if (s.ai.regular !== d.regular.get(i)?.regular || s.ai.active !== d.regular.get(i)?.active) mismatches.push(`ai ${i}`);
    }
    for (const cell of ours.mastery.cells) {
      const dc = d.cells.get(`${parseInt(cell.school.slice(-12), 16)}|${cell.kp}`);
      const rate = dc && dc.students >= 5 ? Math.round((dc.earned / dc.possible) * 1000) / 1000 : null;
      if (!dc || dc.responses !== cell.responses || rate !== cell.rate) mismatches.push(`cell ${cell.school.slice(-4)} ${cell.kp}`);
    }
    if (ours.mastery.cells.length !== d.cells.size) mismatches.push(`cells ${ours.mastery.cells.length} vs ${d.cells.size}`);
    const rep = reportRun.v;
    if (Math.abs((rep.summary.mean ?? NaN) - d.exam.mean) > 1e-3 || rep.summary.students !== d.exam.students) mismatches.push('exam summary');
    if (Math.abs((rep.reliability.alpha ?? NaN) - d.exam.alpha) > 1e-3) mismatches.push('exam alpha');
    if (mismatches.length) console.log(`# results differ: ${mismatches.slice(0, 10).join('; ')}${mismatches.length > 10 ? ` … (${mismatches.length})` : ''}`);

    console.log(
      `# cockpit: ${ours.totals.schools} schools, ${ours.totals.students} active students, ${ours.totals.participating} participating, ${ours.mastery.cells.length} heatmap cells, region AI rate ${ours.ai.region.rate} (target ${ours.ai.targets.district}); response ${httpRun.v} bytes`,
    );
    console.log(`# exam report: ${rep.summary.students} students, mean ${rep.summary.mean}, α ${rep.reliability.alpha}; DuckDB mean ${d.exam.mean.toFixed(3)}, α ${d.exam.alpha.toFixed(3)}`);
    report(SUITE, {
      responses: answers,
      report_s: reportRun.s,
      cockpit_s: cockpitRun.s,
      duckdb_s: duckRun.s,
      ratio: (reportRun.s + cockpitRun.s) / duckRun.s,
    });
    report(SUITE, {
      http_cockpit_s: httpRun.s,
      duckdb_report_s: d.reportS,
      duckdb_cockpit_s: d.cockpitS,
      ai_sync_s: aiSync.s,
      load_s: load.s,
      rollup_bulk_s: rollup.s,
      rollup_consumer_ms: (incremental.s / events.length) * 1000,
      rollups_equal: String(rollupsEqual),
      results_match: String(mismatches.length === 0),
    });
    c.closeSync();
  } finally {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The same facts in DuckDB, from the same formulas (ids as integers). */
async function loadDuck(c: DuckDBConnection, o: { students: number; perSchool: number; schools: number; teachers: number; monday0: number }) {
  const P = o.perSchool;
  const kp = (subj: string, a: string, j: string) => `${subj} || '-K' || lpad(cast(((${a}) * 3 + ${j}) % 10 as varchar), 2, '0')`;
  const part = (exam: boolean) => {
    const a = exam ? '0' : `(1 + (n // ${P}) * 5 + n % 5)`;
    const subj = exam ? `'math'` : `(['${HOMEWORK_SUBJECTS.join("','")}'])[n % 5 + 1]`;
    const weeksAgo = exam ? '2' : '(n % 5 + 1)';
    return `select n as student, n // ${CLASS_SIZE} as class, n // ${P} as school, a as assignment, subj as subject, i as position, 1 as attempt,
                   case when i = 5 then [${kp('subj', 'a', '5')}, ${kp('subj', 'a', '6')}] else [${kp('subj', 'a', 'i')}] end as kps,
                   least(8, (n * 37 + a * 101 + i * 53) % 9 + (n // ${P}) % 3) / 2.0 as score, ${MAX}.0 as max, -${weeksAgo} as week
            from (select n, i, ${a} as a, ${subj} as subj from range(0, ${o.students}) t(n), range(1, ${ITEMS + 1}) u(i))`;
  };
  await c.run(`create table facts as ${part(true)} union all ${part(false)}`);
  await c.run(
    `create table members as
       select n as person, n // ${P} as school, 'student' as role from range(0, ${o.students}) t(n) where n % 97 <> 0
       union all select 10000000 + t, t // ${TEACHERS_PER_SCHOOL}, 'teacher' from range(0, ${o.teachers}) s(t) where t % 50 <> 7`,
  );
  await c.run(
    `create table ai_use as
       select person, -k as week, 1 + person % 3 as uses from (
         select n as person, n // ${P} as school from range(0, ${o.students}) t(n)
         union all select 10000000 + t, t // ${TEACHERS_PER_SCHOOL} from range(0, ${o.teachers}) s(t)
       ) p, range(0, 5) w(k) where (person * 13 + k * 7 + school * 5) % 10 < 6 + school % 4`,
  );
}

/** The report's and the cockpit's aggregates in DuckDB; each query's rows read into JS, as the platform's are. */
async function duckAggregates(c: DuckDBConnection) {
  const rows = async (q: string) => (await c.runAndReadAll(q)).getRowObjects() as Record<string, unknown>[];
  const t0 = performance.now();
  // The exam report: latest attempt per student, totals, summary, histogram, items, α, groups, points.
  await c.run(`create or replace temp table latest as
      select * from facts where assignment = 0 qualify attempt = max(attempt) over (partition by student)`);
  await c.run(`create or replace temp table totals as select student, any_value(class) as class, any_value(school) as school, sum(score) as total from latest group by student`);
  const [summary] = await rows(`select count(*) as students, avg(total) as mean, stddev_samp(total) as sd, median(total) as median, min(total) as min, max(total) as max, var_samp(total) as var from totals`);
  await rows(`select floor(total / 2) as bin, count(*) as n from totals group by bin order by bin`);
  const items = await rows(`select l.position, avg(l.score) as mean, avg(l.score) / ${MAX} as p, var_samp(l.score) as var, corr(l.score, t.total - l.score) as rest
      from latest l join totals t using (student) group by l.position order by l.position`);
  await rows(`with r as (select student, percent_rank() over (order by total) as pr from totals)
      select l.position, (avg(l.score) filter (where pr >= 0.73) - avg(l.score) filter (where pr <= 0.27)) / ${MAX} as discrimination
      from latest l join r using (student) group by l.position`);
  await rows(`select kp, sum(score) as earned, sum(max) as possible from latest, unnest(kps) as k(kp) group by kp`);
  await rows(`select class, count(*) as n, avg(total) as mean from totals group by class`);
  await rows(`select school, count(*) as n, avg(total) as mean from totals group by school`);
  const k = items.length;
  const sumItemVar = items.reduce((a, r) => a + Number(r.var), 0);
  const alpha = (k / (k - 1)) * (1 - sumItemVar / Number(summary!.var));
  const reportS = (performance.now() - t0) / 1000;

  // The cockpit: participation, subjects, the math heatmap with group sizes, the AI KPI.
  const t1 = performance.now();
  const participation = new Map((await rows(`select f.school, count(distinct f.student) as n from facts f semi join members m on m.person = f.student and m.school = f.school and m.role = 'student' group by f.school`)).map((r) => [Number(r.school), Number(r.n)]));
  await rows(`select subject, sum(score) / sum(max) as rate, count(*) as responses from facts, unnest(kps) as k(kp) group by subject`);
  const cells = new Map(
    (
      await rows(`with x as (select school, kp, assignment, week, sum(score) as earned, sum(max) as possible, count(*) as responses, count(distinct student) as students
                             from facts, unnest(kps) as k(kp) where subject = 'math' group by all)
                  select school, kp, sum(earned) as earned, sum(possible) as possible, sum(responses) as responses, max(students) as students from x group by school, kp`)
    ).map((r) => [`${Number(r.school)}|${r.kp}`, { earned: Number(r.earned), possible: Number(r.possible), responses: Number(r.responses), students: Number(r.students) }]),
  );
  const regular = new Map(
    (
      await rows(`with w as (select person, count(distinct week) as k from ai_use where week between -4 and -1 group by person)
                  select school, count(*) as active, count(*) filter (where coalesce(w.k, 0) >= 3) as regular
                  from members m left join w using (person) group by school`)
    ).map((r) => [Number(r.school), { active: Number(r.active), regular: Number(r.regular) }]),
  );
  const cockpitS = (performance.now() - t1) / 1000;
  return { exam: { students: Number(summary!.students), mean: Number(summary!.mean), alpha }, participation, cells, regular, reportS, cockpitS };
}
