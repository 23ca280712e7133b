/**
 * Comprehensive-quality records (综合素质评价): evidence-based entries in five domains (德智体美劳)
 * written by the student's teachers, head teacher or school admin. Records are never deleted: the
 * recorder withdraws one with a reason, kept and shown to staff, hidden from the student and
 * parents. Also who may see a student's growth archive at all (shared with the portrait).
 */
import { and, asc, eq, gte, isNull, lte } from 'drizzle-orm';
import type { AuditLog } from '../../platform/audit/index.js';
import type { Principal } from '../../platform/auth/principal.js';
import type { Db } from '../../platform/db/index.js';
import { AppError } from '../../platform/http/errors.js';
import type { QualityInput } from './portrait-schema.js';
import { qualityRecords } from './tables.js';
import type { z } from 'zod';

/** What the portrait, quality records and check-up need from other modules' doors. */
export interface PortraitDeps {
  directory: {
    enrolment(studentId: string): Promise<{ classId: string; schoolId: string; name: string; studentNo: string; gradeLevel: number } | null>;
    classNames(classIds: string[]): Promise<Map<string, string>>;
    classMembers(classIds: string[]): Promise<{ id: string; name: string; studentNo: string; classId: string }[]>;
    userNames(ids: string[]): Promise<Map<string, string>>;
    isGuardianOf(parentId: string, studentId: string): Promise<boolean>;
    teachingBindings(userId: string): Promise<{ role: string; classId: string; schoolId: string; subject: string | null }[]>;
    teachersOfSchool(schoolId: string): Promise<{ id: string; name: string }[]>;
  };
}

/** How the caller relates to the student: themself, a guardian, or staff of their class/school. */
export type Viewer = 'self' | 'parent' | 'staff';

const TEACHING = ['teacher', 'head_teacher'];

export const forbiddenStudent = (permission: string, studentId: string) =>
  new AppError(
    403,
    'authz.forbidden',
    { zh: '您没有权限访问此内容。', en: 'You do not have permission to access this.' },
    { details: { permission, resourceType: 'student', resourceId: studentId } },
  );

/**
 * The student themself, their guardians, the teachers and head teacher of their class and their
 * school's admin; nobody else (region admins and researchers see no individual archive).
 */
export async function studentViewer(d: PortraitDeps['directory'], p: Principal, studentId: string, permission: string) {
  const e = await d.enrolment(studentId);
  // Unknown ids and non-students are refused like any other student outside the caller's scope.
  if (!e) throw forbiddenStudent(permission, studentId);
  const staff = p.roles.some(
    (r) =>
      (TEACHING.includes(r.role) && r.scopeType === 'class' && r.scopeId === e.classId) ||
      (r.role === 'school_admin' && r.scopeType === 'school' && r.scopeId === e.schoolId),
  );
  if (staff) return { viewer: 'staff' as Viewer, enrolment: e };
  if (p.userId === studentId && p.roles.some((r) => r.role === 'student')) return { viewer: 'self' as Viewer, enrolment: e };
  if (p.roles.some((r) => r.role === 'parent') && (await d.isGuardianOf(p.userId, studentId))) return { viewer: 'parent' as Viewer, enrolment: e };
  throw forbiddenStudent(permission, studentId);
}

const scopeLabel = (p: Principal) => p.roles.map((r) => `${r.role}@${r.scopeType}${r.scopeId ? ':' + r.scopeId : ''}`).join(',');

/** Today in China time, YYYY-MM-DD. */
const chinaToday = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);

type Row = typeof qualityRecords.$inferSelect;

export class QualityRecords {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
    private readonly d: PortraitDeps,
  ) {}

  /** Records of a student the viewer may see (withdrawn ones for staff only), oldest first; optionally within days. */
  async visible(p: Principal, studentId: string, viewer: Viewer, days?: { from: string; to: string }) {
    const rows = await this.db
      .select()
      .from(qualityRecords)
      .where(
        and(
          eq(qualityRecords.studentId, studentId),
          viewer === 'staff' ? undefined : isNull(qualityRecords.withdrawnAt),
          days ? gte(qualityRecords.occurredOn, days.from) : undefined,
          days ? lte(qualityRecords.occurredOn, days.to) : undefined,
        ),
      )
      .orderBy(asc(qualityRecords.occurredOn), asc(qualityRecords.recordedAt));
    const names = await this.d.directory.userNames(rows.map((r) => r.recordedBy));
    return rows.map((r) => this.view(r, names, p));
  }

  private view(r: Row, names: Map<string, string>, p: Principal) {
    return {
      id: r.id,
      studentId: r.studentId,
      domain: r.domain,
      title: r.title,
      description: r.description,
      evidence: r.evidence,
      occurredOn: r.occurredOn,
      recordedBy: { id: r.recordedBy, name: names.get(r.recordedBy) ?? '' },
      recordedAt: r.recordedAt.toISOString(),
      withdrawn: r.withdrawnAt ? { at: r.withdrawnAt.toISOString(), by: names.get(r.withdrawnBy ?? '') ?? '', reason: r.withdrawReason ?? '' } : null,
      canWithdraw: !r.withdrawnAt && r.recordedBy === p.userId,
    };
  }

  async list(p: Principal, studentId: string) {
    const { viewer } = await studentViewer(this.d.directory, p, studentId, 'analytics.quality.read');
    const records = await this.visible(p, studentId, viewer);
    if (viewer === 'staff')
      await this.audit.append({ actor: p, action: 'quality.read', resourceType: 'student', resourceId: studentId, scope: scopeLabel(p), outcome: 'success', detail: { records: records.length }, ip: p.ip });
    return { records, canRecord: viewer === 'staff' };
  }

  async add(p: Principal, studentId: string, input: z.infer<typeof QualityInput>) {
    const { viewer, enrolment } = await studentViewer(this.d.directory, p, studentId, 'analytics.quality.write');
    if (viewer !== 'staff') throw forbiddenStudent('analytics.quality.write', studentId);
    const day = new Date(`${input.occurredOn}T00:00:00Z`);
    if (Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== input.occurredOn || input.occurredOn > chinaToday())
      throw new AppError(
        400,
        'quality.bad_date',
        { zh: '发生日期无效，或在今天之后。', en: 'The date it happened is not a valid date, or is in the future.' },
        { details: { occurredOn: input.occurredOn } },
      );
    const row = await this.db.transaction(async (tx) => {
      const [r] = await tx
        .insert(qualityRecords)
        .values({ studentId, classId: enrolment.classId, schoolId: enrolment.schoolId, ...input, recordedBy: p.userId })
        .returning();
      await this.audit.append(
        { actor: p, action: 'quality.add', resourceType: 'student', resourceId: studentId, scope: scopeLabel(p), outcome: 'success', detail: { record: r!.id, domain: r!.domain, title: r!.title }, ip: p.ip },
        tx,
      );
      return r!;
    });
    return this.view(row, await this.d.directory.userNames([p.userId]), p);
  }

  /** The recorder withdraws their record with a reason; it stays, marked withdrawn. */
  async withdraw(p: Principal, studentId: string, entryId: string, reason: string) {
    const { viewer } = await studentViewer(this.d.directory, p, studentId, 'analytics.quality.withdraw');
    if (viewer !== 'staff') throw forbiddenStudent('analytics.quality.withdraw', studentId);
    const [r] = await this.db.select().from(qualityRecords).where(and(eq(qualityRecords.id, entryId), eq(qualityRecords.studentId, studentId)));
    if (!r) throw new AppError(404, 'quality.not_found', { zh: '没有找到这条综合素质记录。', en: 'No such quality record.' });
    if (r.recordedBy !== p.userId)
      throw new AppError(
        403,
        'authz.forbidden',
        { zh: '只有记录人可以撤回这条记录。', en: 'Only the person who recorded it may withdraw this record.' },
        { details: { permission: 'analytics.quality.withdraw', resourceType: 'quality_record', resourceId: entryId } },
      );
    if (r.withdrawnAt) throw new AppError(409, 'quality.already_withdrawn', { zh: '这条记录已经撤回。', en: 'This record has already been withdrawn.' });
    const row = await this.db.transaction(async (tx) => {
      const [u] = await tx
        .update(qualityRecords)
        .set({ withdrawnAt: new Date(), withdrawnBy: p.userId, withdrawReason: reason })
        .where(and(eq(qualityRecords.id, entryId), isNull(qualityRecords.withdrawnAt)))
        .returning();
      if (!u) throw new AppError(409, 'quality.already_withdrawn', { zh: '这条记录已经撤回。', en: 'This record has already been withdrawn.' });
      await this.audit.append(
        { actor: p, action: 'quality.withdraw', resourceType: 'student', resourceId: studentId, scope: scopeLabel(p), outcome: 'success', detail: { record: entryId, reason }, ip: p.ip },
        tx,
      );
      return u;
    });
    return this.view(row, await this.d.directory.userNames([p.userId]), p);
  }
}
