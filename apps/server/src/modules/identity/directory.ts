/**
 * Reading the school directory — schools, classes, students — always within the caller's scope.
 * Every read of identifiable student data is audited.
 */
import { and, asc, eq, ilike, inArray, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { AuditLog } from '../../platform/audit/index.js';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Principal } from '../../platform/auth/principal.js';
import type { Db } from '../../platform/db/index.js';
import { AppError } from '../../platform/http/errors.js';
import { authorize, forbidden, PERMISSIONS, type Permission } from './policies.js';
import type { ClassSummary, Role, SchoolSummary, StudentDetail, StudentSummary } from './schema.js';
import { classes, grades, guardians, regions, roleBindings, schools, students, users } from './tables.js';

const REGION_ROLES = ['county_admin', 'city_admin', 'province_admin'];

/** Schools under a region node (the node itself or any descendant). */
const schoolsUnderRegion = (regionId: string) =>
  sql`(select s.id from schools s join regions r on r.id = s.region_id
       where r.path like (select path from regions where id = ${regionId}) || '%')`;

/**
 * The rows a principal may see, as one SQL condition: each binding of a role that grants `perm`
 * contributes its scope — everything (global), a region's subtree, a school, or a class.
 * `own` lets a role contribute something narrower than its binding (a student sees only themself).
 */
function scopeWhere(
  p: Principal,
  perm: Permission,
  cols: { schoolId: AnyPgColumn; classId?: AnyPgColumn },
  own?: (role: string) => SQL | undefined,
): SQL | null {
  const parts: SQL[] = [];
  for (const b of p.roles) {
    if (!(PERMISSIONS[perm] as readonly string[]).includes(b.role)) continue;
    const special = own?.(b.role);
    if (special) parts.push(special);
    else if (b.scopeType === 'global') parts.push(sql`true`);
    else if (b.scopeType === 'class' && b.scopeId)
      parts.push(cols.classId ? sql`${cols.classId} = ${b.scopeId}` : sql`${cols.schoolId} = (select school_id from classes where id = ${b.scopeId})`);
    else if (b.scopeType === 'school' && b.scopeId) parts.push(sql`${cols.schoolId} = ${b.scopeId}`);
    else if (b.scopeType === 'region' && b.scopeId) parts.push(sql`${cols.schoolId} in ${schoolsUnderRegion(b.scopeId)}`);
  }
  return parts.length ? or(...parts)! : null;
}

/** Students a principal may see: a student themself, a parent their children, staff their scope. */
const studentScope = (p: Principal) =>
  scopeWhere(p, 'student.read', { schoolId: students.schoolId, classId: students.classId }, (role) =>
    role === 'student'
      ? sql`${students.userId} = ${p.userId}`
      : role === 'parent'
        ? sql`${students.userId} in (select student_id from guardians where parent_id = ${p.userId})`
        : undefined,
  );
const classScope = (p: Principal) => scopeWhere(p, 'class.list', { schoolId: classes.schoolId, classId: classes.id });
const schoolScope = (p: Principal) => scopeWhere(p, 'school.list', { schoolId: schools.id });
const workplaceScope = (p: Principal) => scopeWhere(p, 'school.member', { schoolId: schools.id });

const studentColumns = {
  id: students.userId,
  name: students.name,
  studentNo: students.studentNo,
  gender: students.gender,
  classId: students.classId,
  className: classes.name,
  gradeName: grades.name,
  schoolId: students.schoolId,
  schoolName: schools.name,
};

const scopeLabel = (p: Principal) =>
  p.roles.map((r) => `${r.role}@${r.scopeType}${r.scopeId ? ':' + r.scopeId : ''}`).join(',');

export class Directory {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
  ) {}

  async listSchools(p: Principal): Promise<SchoolSummary[]> {
    authorize(p, 'school.list');
    const scope = schoolScope(p)!;
    const rows = await this.db
      .select({
        id: schools.id,
        name: schools.name,
        code: schools.code,
        regionId: schools.regionId,
        regionName: regions.name,
        classCount: sql<number>`(select count(*)::int from classes c where c.school_id = ${schools.id})`,
        studentCount: sql<number>`(select count(*)::int from students st where st.school_id = ${schools.id})`,
      })
      .from(schools)
      .innerJoin(regions, eq(regions.id, schools.regionId))
      .where(scope)
      .orderBy(asc(schools.code));
    return rows;
  }

  /** The top of the region tree (the province), for region-wide content such as the region item bank. */
  async rootRegionId(): Promise<string | null> {
    const [r] = await this.db.select({ id: regions.id }).from(regions).where(isNull(regions.parentId)).orderBy(asc(regions.code)).limit(1);
    return r?.id ?? null;
  }

  /** Schools the caller works in or oversees (a teacher: the schools of their classes). */
  async schoolIdsOf(p: Principal): Promise<string[]> {
    const scope = workplaceScope(p);
    if (!scope) return [];
    return (await this.db.select({ id: schools.id }).from(schools).where(scope)).map((r) => r.id);
  }

  /** The class a student is enrolled in (for other modules; no personal data beyond the name). */
  async enrolment(studentId: string): Promise<{ classId: string; schoolId: string; name: string; studentNo: string; gradeLevel: number } | null> {
    const [r] = await this.db
      .select({ classId: students.classId, schoolId: students.schoolId, name: students.name, studentNo: students.studentNo, gradeLevel: grades.level })
      .from(students)
      .innerJoin(classes, eq(classes.id, students.classId))
      .innerJoin(grades, eq(grades.id, classes.gradeId))
      .where(eq(students.userId, studentId));
    return r ?? null;
  }

  /**
   * Students of the given classes with their names and numbers, for modules that already decided
   * the caller may see those classes (a teacher's own classes).
   */
  async classMembers(classIds: string[]): Promise<{ id: string; name: string; studentNo: string; classId: string }[]> {
    if (classIds.length === 0) return [];
    return this.db
      .select({ id: students.userId, name: students.name, studentNo: students.studentNo, classId: students.classId })
      .from(students)
      .where(inArray(students.classId, classIds))
      .orderBy(asc(students.classId), asc(students.studentNo));
  }

  /** Display names of users by id (staff names on records such as reviews; no personal data of students). */
  async userNames(ids: string[]): Promise<Map<string, string>> {
    const uniq = [...new Set(ids)];
    if (uniq.length === 0) return new Map();
    const rows = await this.db.select({ id: users.id, name: users.displayName }).from(users).where(inArray(users.id, uniq));
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  /** The region tree and its schools (names and paths only), for modules that scope by region. */
  async regionTree(): Promise<{
    regions: { id: string; parentId: string | null; level: string; name: string; path: string }[];
    schools: { id: string; regionId: string; name: string; path: string }[];
  }> {
    const rs = await this.db
      .select({ id: regions.id, parentId: regions.parentId, level: regions.level, name: regions.name, path: regions.path })
      .from(regions)
      .orderBy(asc(regions.path));
    const byId = new Map(rs.map((r) => [r.id, r.path]));
    const ss = await this.db.select({ id: schools.id, regionId: schools.regionId, name: schools.name }).from(schools).orderBy(asc(schools.code));
    return { regions: rs, schools: ss.map((s) => ({ ...s, path: byId.get(s.regionId) ?? '/' })) };
  }

  /**
   * Names and numbers of a school's people (students, their guardians, staff) for masking before
   * text leaves the platform. Used only by the hub's guardrails; never returned to a caller.
   */
  async rosterTerms(schoolId: string): Promise<{ names: string[]; studentNos: string[] }> {
    const st = await this.db.select({ name: students.name, no: students.studentNo }).from(students).where(eq(students.schoolId, schoolId));
    const gu = await this.db
      .select({ name: guardians.name })
      .from(guardians)
      .innerJoin(students, eq(students.userId, guardians.studentId))
      .where(eq(students.schoolId, schoolId));
    const staff = await this.db
      .selectDistinct({ name: users.displayName })
      .from(users)
      .innerJoin(roleBindings, eq(roleBindings.userId, users.id))
      .where(
        or(
          and(eq(roleBindings.scopeType, 'school'), eq(roleBindings.scopeId, schoolId)),
          and(eq(roleBindings.scopeType, 'class'), inArray(roleBindings.scopeId, this.db.select({ id: classes.id }).from(classes).where(eq(classes.schoolId, schoolId)))),
        ),
      );
    return {
      names: [...new Set([...st.map((r) => r.name), ...gu.map((r) => r.name), ...staff.map((r) => r.name)])],
      studentNos: st.map((r) => r.no),
    };
  }

  /** The school of each class by id (for modules that keep school-level aggregates; no personal data). */
  async classSchools(classIds: string[]): Promise<Map<string, string>> {
    if (classIds.length === 0) return new Map();
    const rows = await this.db.select({ id: classes.id, schoolId: classes.schoolId }).from(classes).where(inArray(classes.id, [...new Set(classIds)]));
    return new Map(rows.map((r) => [r.id, r.schoolId]));
  }

  /** Names of classes by id (grade and class, e.g. 七年级1班). */
  async classNames(classIds: string[]): Promise<Map<string, string>> {
    if (classIds.length === 0) return new Map();
    const rows = await this.db
      .select({ id: classes.id, name: classes.name, grade: grades.name })
      .from(classes)
      .innerJoin(grades, eq(grades.id, classes.gradeId))
      .where(inArray(classes.id, classIds));
    return new Map(rows.map((r) => [r.id, r.name.startsWith(r.grade) ? r.name : `${r.grade}${r.name}`]));
  }

  async listClasses(p: Principal): Promise<ClassSummary[]> {
    authorize(p, 'class.list');
    const rows = await this.db
      .select({
        id: classes.id,
        name: classes.name,
        gradeName: grades.name,
        gradeLevel: grades.level,
        schoolId: classes.schoolId,
        schoolName: schools.name,
        studentCount: sql<number>`(select count(*)::int from students st where st.class_id = ${classes.id})`,
      })
      .from(classes)
      .innerJoin(grades, eq(grades.id, classes.gradeId))
      .innerJoin(schools, eq(schools.id, classes.schoolId))
      .where(classScope(p)!)
      .orderBy(asc(schools.code), asc(grades.level), asc(classes.classNo));
    return rows.map((c) => {
      const direct = p.roles.filter((b) => b.scopeType === 'class' && b.scopeId === c.id);
      const myRoles = new Set<Role>(direct.map((b) => b.role as Role));
      for (const b of p.roles) {
        if (b.scopeType === 'school' && b.scopeId === c.schoolId) myRoles.add(b.role as Role);
        if (b.scopeType === 'global' || REGION_ROLES.includes(b.role)) myRoles.add(b.role as Role);
      }
      const subjects = [...new Set(direct.map((b) => b.subject).filter((s): s is string => !!s))];
      return { ...c, myRoles: [...myRoles], subjects };
    });
  }

  async listClassStudents(p: Principal, classId: string): Promise<StudentSummary[]> {
    authorize(p, 'class.list');
    const [cls] = await this.db.select({ id: classes.id }).from(classes).where(and(eq(classes.id, classId), classScope(p)!));
    if (!cls) {
      const [exists] = await this.db.select({ id: classes.id }).from(classes).where(eq(classes.id, classId));
      if (exists) throw forbidden('class.list', { type: 'class', id: classId });
      throw new AppError(404, 'identity.class_not_found', { zh: '没有找到这个班级。', en: 'No such class.' });
    }
    const rows = await this.studentQuery(and(eq(students.classId, classId), studentScope(p) ?? sql`false`)!).orderBy(
      asc(students.studentNo),
    );
    await this.audit.append({
      actor: p,
      action: 'student.list',
      resourceType: 'class',
      resourceId: classId,
      scope: scopeLabel(p),
      outcome: 'success',
      detail: { count: rows.length },
      ip: p.ip,
    });
    return rows;
  }

  async searchStudents(
    p: Principal,
    f: { q?: string; schoolId?: string; classId?: string; page: number; pageSize: number },
  ): Promise<{ items: StudentSummary[]; total: number }> {
    authorize(p, 'student.read');
    const where: SQL[] = [studentScope(p)!];
    if (f.q) {
      const like = `%${f.q.replace(/[\\%_]/g, (c) => '\\' + c)}%`;
      where.push(or(ilike(students.name, like), ilike(students.studentNo, like))!);
    }
    if (f.schoolId) where.push(eq(students.schoolId, f.schoolId));
    if (f.classId) where.push(eq(students.classId, f.classId));
    const cond = and(...where)!;
    const [{ n }] = await this.db
      .select({ n: sql<number>`count(*)::int` })
      .from(students)
      .where(cond);
    const items = await this.studentQuery(cond)
      .orderBy(asc(schools.code), asc(grades.level), asc(classes.classNo), asc(students.studentNo))
      .limit(f.pageSize)
      .offset((f.page - 1) * f.pageSize);
    await this.audit.append({
      actor: p,
      action: 'student.search',
      resourceType: 'student',
      scope: scopeLabel(p),
      outcome: 'success',
      detail: { q: f.q ?? null, schoolId: f.schoolId ?? null, classId: f.classId ?? null, page: f.page, returned: items.length },
      ip: p.ip,
    });
    return { items, total: n };
  }

  async getStudent(p: Principal, studentId: string): Promise<StudentDetail> {
    authorize(p, 'student.read', { type: 'student', id: studentId });
    const [row] = await this.db
      .select({ ...studentColumns, idNumberMasked: students.idNumberMasked, username: sql<string>`(select username from users u where u.id = ${students.userId})` })
      .from(students)
      .innerJoin(classes, eq(classes.id, students.classId))
      .innerJoin(grades, eq(grades.id, classes.gradeId))
      .innerJoin(schools, eq(schools.id, students.schoolId))
      .where(and(eq(students.userId, studentId), studentScope(p)!));
    if (!row) {
      const [exists] = await this.db.select({ id: students.userId }).from(students).where(eq(students.userId, studentId));
      if (exists) throw forbidden('student.read', { type: 'student', id: studentId });
      throw new AppError(404, 'identity.student_not_found', { zh: '没有找到这名学生。', en: 'No such student.' });
    }
    const gs = await this.db
      .select({ name: guardians.name, phoneMasked: guardians.phoneMasked })
      .from(guardians)
      .where(eq(guardians.studentId, studentId));
    await this.audit.append({
      actor: p,
      action: 'student.read',
      resourceType: 'student',
      resourceId: studentId,
      scope: scopeLabel(p),
      outcome: 'success',
      ip: p.ip,
    });
    return { ...row, guardians: gs };
  }

  private studentQuery(cond: SQL) {
    return this.db
      .select(studentColumns)
      .from(students)
      .innerJoin(classes, eq(classes.id, students.classId))
      .innerJoin(grades, eq(grades.id, classes.gradeId))
      .innerJoin(schools, eq(schools.id, students.schoolId))
      .where(cond)
      .$dynamic();
  }

  /**
   * The enabled accounts of each school by role, as user ids (no names): students enrolled there,
   * and teachers (teacher or head_teacher of one of its classes, or bound to the school). For
   * school-level statistics such as the AI regular-use rate; the caller decides who sees what.
   */
  async activeMembers(schoolIds: string[]): Promise<Map<string, { teachers: string[]; students: string[] }>> {
    const out = new Map(schoolIds.map((s) => [s, { teachers: [] as string[], students: [] as string[] }]));
    if (schoolIds.length === 0) return out;
    const st = await this.db
      .select({ id: students.userId, schoolId: students.schoolId })
      .from(students)
      .innerJoin(users, eq(users.id, students.userId))
      .where(and(inArray(students.schoolId, schoolIds), eq(users.disabled, false)));
    for (const r of st) out.get(r.schoolId)?.students.push(r.id);
    const te = await this.db
      .selectDistinct({ id: roleBindings.userId, schoolId: sql<string>`coalesce(${classes.schoolId}, ${roleBindings.scopeId})` })
      .from(roleBindings)
      .innerJoin(users, eq(users.id, roleBindings.userId))
      .leftJoin(classes, and(eq(roleBindings.scopeType, 'class'), eq(classes.id, roleBindings.scopeId)))
      .where(
        and(
          inArray(roleBindings.role, ['teacher', 'head_teacher']),
          eq(users.disabled, false),
          or(inArray(classes.schoolId, schoolIds), and(eq(roleBindings.scopeType, 'school'), inArray(roleBindings.scopeId, schoolIds))),
        ),
      );
    for (const r of te) {
      const t = out.get(r.schoolId)?.teachers;
      if (t && !t.includes(r.id)) t.push(r.id);
    }
    return out;
  }

  /** Whether `parentId` is a guardian of `studentId` (for modules that show a child's records to parents). */
  async isGuardianOf(parentId: string, studentId: string): Promise<boolean> {
    const [r] = await this.db
      .select({ id: guardians.studentId })
      .from(guardians)
      .where(and(eq(guardians.parentId, parentId), eq(guardians.studentId, studentId)))
      .limit(1);
    return !!r;
  }

  /** The classes a user teaches (teacher or head-teacher bindings), with each class's school and subject. */
  async teachingBindings(userId: string): Promise<{ role: string; classId: string; schoolId: string; subject: string | null }[]> {
    return this.db
      .select({ role: roleBindings.role, classId: classes.id, schoolId: classes.schoolId, subject: roleBindings.subject })
      .from(roleBindings)
      .innerJoin(classes, and(eq(roleBindings.scopeType, 'class'), eq(classes.id, roleBindings.scopeId)))
      .where(and(eq(roleBindings.userId, userId), inArray(roleBindings.role, ['teacher', 'head_teacher'])));
  }

  /** Teachers and head teachers of a school's classes, by name (for a school admin's pickers). */
  async teachersOfSchool(schoolId: string): Promise<{ id: string; name: string }[]> {
    return this.db
      .selectDistinct({ id: users.id, name: users.displayName })
      .from(roleBindings)
      .innerJoin(users, eq(users.id, roleBindings.userId))
      .innerJoin(classes, and(eq(roleBindings.scopeType, 'class'), eq(classes.id, roleBindings.scopeId)))
      .where(and(eq(classes.schoolId, schoolId), inArray(roleBindings.role, ['teacher', 'head_teacher'])))
      .orderBy(asc(users.displayName));
  }

  /**
   * Teachers and head teachers bound to the given classes (with the subject they teach there), for
   * modules that route work to the staff of a class (e.g. the owner of an early-warning alert).
   */
  async classStaff(classIds: string[]): Promise<{ userId: string; name: string; role: 'teacher' | 'head_teacher'; classId: string; subject: string | null }[]> {
    if (classIds.length === 0) return [];
    const rows = await this.db
      .select({ userId: roleBindings.userId, name: users.displayName, role: roleBindings.role, classId: roleBindings.scopeId, subject: roleBindings.subject })
      .from(roleBindings)
      .innerJoin(users, eq(users.id, roleBindings.userId))
      .where(and(eq(roleBindings.scopeType, 'class'), inArray(roleBindings.scopeId, [...new Set(classIds)]), inArray(roleBindings.role, ['teacher', 'head_teacher']), eq(users.disabled, false)))
      .orderBy(asc(roleBindings.createdAt), asc(users.username));
    return rows.map((r) => ({ ...r, role: r.role as 'teacher' | 'head_teacher', classId: r.classId! }));
  }

  /** School administrators of the given schools (user id and name), oldest binding first. */
  async schoolAdmins(schoolIds: string[]): Promise<{ userId: string; name: string; schoolId: string }[]> {
    if (schoolIds.length === 0) return [];
    const rows = await this.db
      .select({ userId: roleBindings.userId, name: users.displayName, schoolId: roleBindings.scopeId })
      .from(roleBindings)
      .innerJoin(users, eq(users.id, roleBindings.userId))
      .where(and(eq(roleBindings.role, 'school_admin'), eq(roleBindings.scopeType, 'school'), inArray(roleBindings.scopeId, [...new Set(schoolIds)]), eq(users.disabled, false)))
      .orderBy(asc(roleBindings.createdAt), asc(users.username));
    return rows.map((r) => ({ ...r, schoolId: r.schoolId! }));
  }

  /** The staff of a school (its school admins and the teachers and head teachers of its classes), by name. */
  async schoolStaff(schoolId: string): Promise<{ userId: string; name: string }[]> {
    const classIds = (await this.db.select({ id: classes.id }).from(classes).where(eq(classes.schoolId, schoolId))).map((r) => r.id);
    const staff = [...(await this.schoolAdmins([schoolId])), ...(await this.classStaff(classIds))];
    const byId = new Map(staff.map((s) => [s.userId, s.name]));
    return [...byId].map(([userId, name]) => ({ userId, name })).sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'));
  }

  /** The class and school of each student by id (student id -> placement); unknown ids are left out. */
  async studentPlacements(studentIds: string[]): Promise<Map<string, { classId: string; schoolId: string }>> {
    if (studentIds.length === 0) return new Map();
    const rows = await this.db
      .select({ id: students.userId, classId: students.classId, schoolId: students.schoolId })
      .from(students)
      .where(inArray(students.userId, [...new Set(studentIds)]));
    return new Map(rows.map((r) => [r.id, { classId: r.classId, schoolId: r.schoolId }]));
  }
}
