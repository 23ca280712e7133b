/**
 * Per-student sheets: each student's latest marked attempt of an assignment as one row, kept in
 * the consumer's transaction beside the answers (like the cockpit's rollups), so the exam report
 * reads one row per student. A replayed event never reaches here (its answers already existed).
 */
import { sql } from 'drizzle-orm';
import { queryRows, type Queryable, type Tx } from '../../platform/db/index.js';
import { sheets } from './tables.js';

export interface MarkedForSheet {
  assignmentId: string;
  studentId: string;
  classId: string;
  schoolId?: string | null;
  attempt: number;
  items: { position: number; score: number; chosen?: string | string[] | null }[];
}

/** Adds a newly stored submission: a later attempt replaces the answers, any attempt counts. */
export async function recordSheet(tx: Tx, e: MarkedForSheet, firstId: number): Promise<void> {
  const answers = [...e.items].sort((x, y) => x.position - y.position).map((it) => [it.position, it.score, it.chosen ?? null]);
  const newer = sql`excluded.attempt > ${sheets.attempt}`;
  await tx
    .insert(sheets)
    .values({ assignmentId: e.assignmentId, studentId: e.studentId, classId: e.classId, schoolId: e.schoolId ?? null, attempt: e.attempt, submissions: 1, answers, firstId })
    .onConflictDoUpdate({
      target: [sheets.assignmentId, sheets.studentId],
      set: {
        submissions: sql`${sheets.submissions} + 1`,
        attempt: sql`greatest(${sheets.attempt}, excluded.attempt)`,
        answers: sql`case when ${newer} then excluded.answers else ${sheets.answers} end`,
        classId: sql`case when ${newer} then excluded.class_id else ${sheets.classId} end`,
        schoolId: sql`case when ${newer} then excluded.school_id else ${sheets.schoolId} end`,
        firstId: sql`least(${sheets.firstId}, excluded.first_id)`,
      },
    });
}

/** Rebuilds every sheet from the stored answers (answers from before sheets existed; bulk loads). */
export async function rebuildSheets(q: Queryable): Promise<void> {
  await q.execute(sql`delete from analytics_sheets`);
  await q.execute(sql`
    with latest as (
      select assignment_id, student_id, max(attempt) as attempt, count(distinct submission_id)::int as submissions, min(id) as first_id
      from analytics_responses group by assignment_id, student_id)
    insert into analytics_sheets (assignment_id, student_id, class_id, school_id, attempt, submissions, answers, first_id)
    select l.assignment_id, l.student_id, min(r.class_id::text)::uuid, min(r.school_id::text)::uuid, l.attempt, l.submissions,
           jsonb_agg(jsonb_build_array(r.position, r.score, r.chosen) order by r.position), l.first_id
    from latest l join analytics_responses r on r.assignment_id = l.assignment_id and r.student_id = l.student_id and r.attempt = l.attempt
    group by l.assignment_id, l.student_id, l.attempt, l.submissions, l.first_id`);
}

/** Answers stored but no sheets (data from before sheets existed): rebuild once at start. */
export async function sheetsMissing(q: Queryable): Promise<boolean> {
  const [r] = await queryRows<{ facts: boolean; sheets: boolean }>(
    q,
    sql`select exists(select 1 from analytics_responses) as facts, exists(select 1 from analytics_sheets) as sheets`,
  );
  return !!r?.facts && !r.sheets;
}
