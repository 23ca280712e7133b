/**
 * Wellbeing referrals: a teacher, head teacher or school admin refers a concern about a student
 * to a named member of the school's staff. Only people decide this — no rule ever creates one —
 * and only the referrer, the named person and the school's admins see it. The note is encrypted
 * at rest; every creation, read and closing is audited.
 */
import { and, desc, eq, or, inArray, type SQL } from 'drizzle-orm';
import type { AuditLog } from '../../platform/audit/index.js';
import type { Principal } from '../../platform/auth/principal.js';
import type { DataCipher } from '../../platform/crypto/index.js';
import type { Db } from '../../platform/db/index.js';
import { AppError, unprocessable } from '../../platform/http/errors.js';
import type { Clock, WarningDeps } from './deps.js';
import { forbidden, requireSchoolStaff, seesClass } from './policies.js';
import type { Referral } from './schema.js';
import { referrals } from './tables.js';

type Row = typeof referrals.$inferSelect;
const notFound = () => new AppError(404, 'warning.referral_not_found', { zh: '没有找到这条转介记录。', en: 'No such referral.' });
const studentNotFound = () => new AppError(404, 'warning.student_not_found', { zh: '没有找到这名学生。', en: 'No such student.' });

export class Referrals {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
    private readonly cipher: DataCipher,
    private readonly d: WarningDeps,
    private readonly now: Clock,
  ) {}

  /** The student's class and school if the caller is staff of that class or school. */
  private async placeFor(p: Principal, studentId: string, permission: string) {
    const s = requireSchoolStaff(p, permission);
    const place = (await this.d.directory.studentPlacements([studentId])).get(studentId);
    if (!place) throw studentNotFound();
    if (!seesClass(s, place.classId, place.schoolId)) throw forbidden(permission, { type: 'student', id: studentId });
    return place;
  }

  /** Whom a concern about this student may be referred to: the staff of the student's school. */
  async recipients(p: Principal, studentId: string) {
    const place = await this.placeFor(p, studentId, 'warning.referral.create');
    return (await this.d.directory.schoolStaff(place.schoolId)).filter((s) => s.userId !== p.userId).map((s) => ({ id: s.userId, name: s.name }));
  }

  async create(p: Principal, input: { studentId: string; referredTo: string; note: string }): Promise<Referral> {
    const place = await this.placeFor(p, input.studentId, 'warning.referral.create');
    const staff = await this.d.directory.schoolStaff(place.schoolId);
    if (input.referredTo === p.userId || !staff.some((s) => s.userId === input.referredTo))
      throw unprocessable('warning.referral_recipient_invalid', {
        zh: '只能转介给本校的另一位教职工（如心理老师、班主任或学校管理员）。',
        en: 'A concern can only be referred to another staff member of the student’s school (e.g. the counsellor, head teacher or school admin).',
      });
    const now = this.now();
    const row = await this.db.transaction(async (tx) => {
      const [r] = await tx
        .insert(referrals)
        .values({ studentId: input.studentId, ...place, referredBy: p.userId, referredTo: input.referredTo, noteEnc: this.cipher.encrypt(input.note), createdAt: now })
        .returning();
      await this.audit.append({ actor: p, action: 'warning.referral.create', resourceType: 'referral', resourceId: r!.id, outcome: 'success', detail: { studentId: input.studentId, referredTo: input.referredTo }, ip: p.ip }, tx);
      return r!;
    });
    return (await this.views([row]))[0]!;
  }

  /** Referrals the caller made, those referred to them, and (school admins) their school's. */
  async list(p: Principal): Promise<Referral[]> {
    const s = requireSchoolStaff(p, 'warning.referral.read');
    const mine: SQL[] = [eq(referrals.referredBy, p.userId), eq(referrals.referredTo, p.userId)];
    if (s.schools.size) mine.push(inArray(referrals.schoolId, [...s.schools]));
    const rows = await this.db.select().from(referrals).where(or(...mine)).orderBy(desc(referrals.createdAt)).limit(500);
    await this.audit.append({ actor: p, action: 'warning.referral.list', resourceType: 'referral', outcome: 'success', detail: { returned: rows.length }, ip: p.ip });
    return this.views(rows);
  }

  /** The named person or a school admin closes a referral once it has been taken care of. */
  async close(p: Principal, id: string): Promise<Referral> {
    const s = requireSchoolStaff(p, 'warning.referral.close');
    const [r] = await this.db.select().from(referrals).where(eq(referrals.id, id));
    if (!r || (r.referredBy !== p.userId && r.referredTo !== p.userId && !s.schools.has(r.schoolId))) throw notFound();
    if (r.referredTo !== p.userId && !s.schools.has(r.schoolId)) throw forbidden('warning.referral.close', { type: 'referral', id });
    if (r.status === 'closed') return (await this.views([r]))[0]!;
    const now = this.now();
    const row = await this.db.transaction(async (tx) => {
      const [u] = await tx.update(referrals).set({ status: 'closed', closedAt: now }).where(and(eq(referrals.id, id), eq(referrals.status, 'open'))).returning();
      await this.audit.append({ actor: p, action: 'warning.referral.close', resourceType: 'referral', resourceId: id, outcome: 'success', ip: p.ip }, tx);
      return u ?? r;
    });
    return (await this.views([row]))[0]!;
  }

  private async views(rows: Row[]): Promise<Referral[]> {
    const classIds = [...new Set(rows.map((r) => r.classId))];
    const members = new Map((await this.d.directory.classMembers(classIds)).map((m) => [m.id, m]));
    const classNames = await this.d.directory.classNames(classIds);
    const names = await this.d.directory.userNames(rows.flatMap((r) => [r.referredBy, r.referredTo]));
    return rows.map((r) => ({
      id: r.id,
      student: { id: r.studentId, name: members.get(r.studentId)?.name ?? '', studentNo: members.get(r.studentId)?.studentNo ?? '' },
      className: classNames.get(r.classId) ?? '',
      referredBy: { id: r.referredBy, name: names.get(r.referredBy) ?? '' },
      referredTo: { id: r.referredTo, name: names.get(r.referredTo) ?? '' },
      note: this.cipher.decrypt(r.noteEnc),
      status: r.status,
      createdAt: r.createdAt.toISOString(),
      closedAt: r.closedAt?.toISOString() ?? null,
    }));
  }
}
