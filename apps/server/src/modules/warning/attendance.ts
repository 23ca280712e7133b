/**
 * Attendance as schools record it: a class's day entered by its teachers or admins, or imported
 * from a workbook (all rows or none). A day entered again corrects the earlier record; each
 * correction is audited with the old and new status. After every save the attendance rule runs
 * for the students concerned.
 */
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { AuditLog } from '../../platform/audit/index.js';
import type { Principal } from '../../platform/auth/principal.js';
import type { Db } from '../../platform/db/index.js';
import { AppError, unprocessable } from '../../platform/http/errors.js';
import type { Alerts } from './alerts.js';
import { parseAttendanceFile, type AttendanceStatus } from './attendance-file.js';
import { schoolDate, type Clock, type WarningDeps } from './deps.js';
import { forbidden, requireSchoolStaff, seesClass } from './policies.js';
import type { ImportRowError } from './schema.js';
import { attendance } from './tables.js';

interface DayRecord {
  studentId: string;
  date: string;
  status: AttendanceStatus;
  reason: string | null;
}

const classNotFound = () => new AppError(404, 'warning.class_not_found', { zh: '没有找到这个班级。', en: 'No such class.' });

export class AttendanceBook {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
    private readonly d: WarningDeps,
    private readonly alerts: Alerts,
    private readonly now: Clock,
  ) {}

  /** The class's school if the caller may record and read its attendance. */
  private async classFor(p: Principal, classId: string, permission: string): Promise<string> {
    const s = requireSchoolStaff(p, permission);
    const schoolId = (await this.d.directory.classSchools([classId])).get(classId);
    if (!schoolId) throw classNotFound();
    if (!seesClass(s, classId, schoolId)) throw forbidden(permission, { type: 'class', id: classId });
    return schoolId;
  }

  /** One school day of a class: every listed student's status (students not listed are left as they are). */
  async enter(p: Principal, body: { classId: string; date: string; records: { studentId: string; status: AttendanceStatus; reason?: string }[] }) {
    const schoolId = await this.classFor(p, body.classId, 'warning.attendance.record');
    if (body.date > schoolDate(this.now()))
      throw unprocessable('warning.date_in_future', { zh: `${body.date} 还没有到，不能提前记录考勤。`, en: `${body.date} is in the future; attendance cannot be recorded ahead.` });
    const members = new Set((await this.d.directory.classMembers([body.classId])).map((m) => m.id));
    const seen = new Set<string>();
    const problems: { index: number; studentId: string; problem: string }[] = [];
    body.records.forEach((r, index) => {
      if (!members.has(r.studentId)) problems.push({ index, studentId: r.studentId, problem: 'not_in_class' });
      else if (seen.has(r.studentId)) problems.push({ index, studentId: r.studentId, problem: 'duplicate' });
      seen.add(r.studentId);
    });
    if (problems.length)
      throw unprocessable(
        'warning.attendance_invalid',
        { zh: '有学生不属于这个班级，或同一学生出现了两次；考勤没有保存。', en: 'Some students are not in this class or are listed twice; nothing was saved.' },
        { details: { problems } },
      );
    const days = body.records.map((r) => ({ studentId: r.studentId, date: body.date, status: r.status, reason: r.reason || null }));
    const result = await this.save(p, body.classId, schoolId, days, 'entry');
    return { ...result, alertsRaised: await this.alerts.evaluateAttendance(days.map((d) => d.studentId)) };
  }

  /** A workbook of rows (学号, 日期, 状态, 原因) for one class; any bad row and nothing is saved. */
  async import(p: Principal, classId: string, file: Buffer) {
    const schoolId = await this.classFor(p, classId, 'warning.attendance.import');
    const { rows, errors } = await parseAttendanceFile(file, schoolDate(this.now()));
    const byNo = new Map((await this.d.directory.classMembers([classId])).map((m) => [m.studentNo, m.id]));
    const all: ImportRowError[] = [...errors];
    const days: DayRecord[] = [];
    for (const r of rows) {
      const studentId = byNo.get(r.studentNo);
      if (!studentId)
        all.push({
          row: r.row,
          column: '学号',
          code: 'warning.import_student_unknown',
          message: { zh: `第 ${r.row} 行：学号 ${r.studentNo} 不是本班学生。`, en: `Row ${r.row}: student number ${r.studentNo} is not in this class.` },
          value: r.studentNo,
        });
      else days.push({ studentId, date: r.date, status: r.status, reason: r.reason });
    }
    if (all.length) {
      all.sort((a, b) => a.row - b.row);
      await this.audit.append({ actor: p, action: 'warning.attendance.import', resourceType: 'class', resourceId: classId, outcome: 'failure', detail: { errors: all.length }, ip: p.ip });
      throw unprocessable(
        'warning.import_invalid',
        { zh: `考勤表有 ${all.length} 处错误，全部未导入。请按提示修改后重新上传。`, en: `The attendance sheet has ${all.length} error(s); nothing was imported. Fix them and upload again.` },
        { details: { errors: all } },
      );
    }
    const result = await this.save(p, classId, schoolId, days, 'import');
    return { ...result, alertsRaised: await this.alerts.evaluateAttendance([...new Set(days.map((d) => d.studentId))]) };
  }

  /** Upserts the records in one transaction; corrections are audited with what they replaced. */
  private async save(p: Principal, classId: string, schoolId: string, days: DayRecord[], source: 'entry' | 'import') {
    const now = this.now();
    return this.db.transaction(async (tx) => {
      const existing = await tx
        .select({ studentId: attendance.studentId, date: attendance.date, status: attendance.status, reason: attendance.reason })
        .from(attendance)
        .where(and(inArray(attendance.studentId, [...new Set(days.map((d) => d.studentId))]), inArray(attendance.date, [...new Set(days.map((d) => d.date))])));
      const before = new Map(existing.map((e) => [`${e.studentId}|${e.date}`, e]));
      const corrections = days
        .map((d) => ({ d, old: before.get(`${d.studentId}|${d.date}`) }))
        .filter((x) => x.old && (x.old.status !== x.d.status || (x.old.reason ?? null) !== x.d.reason))
        .map((x) => ({ studentId: x.d.studentId, date: x.d.date, from: x.old!.status, to: x.d.status, fromReason: x.old!.reason, toReason: x.d.reason }));
      for (let i = 0; i < days.length; i += 500) {
        await tx
          .insert(attendance)
          .values(days.slice(i, i + 500).map((d) => ({ ...d, classId, schoolId, recordedBy: p.userId, source, createdAt: now, updatedAt: now })))
          .onConflictDoUpdate({
            target: [attendance.studentId, attendance.date],
            set: { status: sql`excluded.status`, reason: sql`excluded.reason`, classId, schoolId, recordedBy: p.userId, source, updatedAt: now },
          });
      }
      await this.audit.append(
        {
          actor: p,
          action: source === 'entry' ? 'warning.attendance.record' : 'warning.attendance.import',
          resourceType: 'class',
          resourceId: classId,
          outcome: 'success',
          detail: { records: days.length, dates: [...new Set(days.map((d) => d.date))].sort(), corrections },
          ip: p.ip,
        },
        tx,
      );
      return { saved: days.length, corrected: corrections.length };
    });
  }

  /** A class's records between two dates (inclusive), with its students. Audited: minors' data. */
  async forClass(p: Principal, classId: string, from: string, to: string) {
    await this.classFor(p, classId, 'warning.attendance.read');
    if (from > to) throw unprocessable('warning.range_invalid', { zh: '开始日期不能晚于结束日期。', en: 'The start date is after the end date.' });
    if ((Date.parse(to) - Date.parse(from)) / 86_400_000 > 366)
      throw unprocessable('warning.range_too_long', { zh: '一次最多查询一年的考勤。', en: 'At most one year of attendance can be read at once.' });
    const members = await this.d.directory.classMembers([classId]);
    const rows = await this.db
      .select()
      .from(attendance)
      .where(and(eq(attendance.classId, classId), sql`${attendance.date} >= ${from}`, sql`${attendance.date} <= ${to}`))
      .orderBy(asc(attendance.date));
    await this.audit.append({ actor: p, action: 'warning.attendance.read', resourceType: 'class', resourceId: classId, outcome: 'success', detail: { from, to, records: rows.length }, ip: p.ip });
    return {
      classId,
      from,
      to,
      students: members.map((m) => ({ id: m.id, name: m.name, studentNo: m.studentNo })),
      records: rows.map((r) => ({ studentId: r.studentId, date: r.date, status: r.status, reason: r.reason, source: r.source, recordedBy: r.recordedBy })),
    };
  }
}
