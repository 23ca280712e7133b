/**
 * Reading the school directory — schools, classes, students — always within the caller's scope.
 * Every read of identifiable student data is audited.
 */
import { and, asc, eq, ilike, or, sql, type SQL } from 'drizzle-orm';
import type { AuditLog } from '../../platform/audit/index.js';
import type { Principal } from '../../platform/auth/principal.js';
import type { Db } from '../../platform/db/index.js';
import { AppError } from '../../platform/http/errors.js';
import { authorize, forbidden, PERMISSIONS } from './policies.js';
import type { ClassSummary, Role, SchoolSummary, StudentDetail, StudentSummary } from './schema.js';
import { classes, grades, guardians, regions, schools, students } from './tables.js';

const REGION_ROLES = ['county_admin', 'city_admin', 'province_admin'];

/** Schools under a region node (the node itself or any descendant). */
const schoolsUnderRegion = (regionId: string) =>
  sql`(select s.id from schools s join regions r on r.id = s.region_id
       where r.path like (select path from regions where id = ${regionId}) || '%')`;

/**
 * The condition on `students` that a principal may see. Each role contributes what it grants:
 * a student themself, a parent their children, a teacher their classes, an admin their subtree.
 */
export function studentScope(p: Principal): SQL | null {
  const parts: SQL[] = [];
  for (const b of p.roles) {
    if (!(PERMISSIONS['student.read'] as readonly string[]).includes(b.role)) continue;
    if (b.role === 'student') parts.push(sql`${students.userId} = ${p.userId}`);
    else if (b.role === 'parent')
      parts.push(sql`${students.userId} in (select student_id from guardians where parent_id = ${p.userId})`);
    else if (b.scopeType === 'global') parts.push(sql`true`);
    else if (b.scopeType === 'class' && b.scopeId) parts.push(sql`${students.classId} = ${b.scopeId}`);
    else if (b.scopeType === 'school' && b.scopeId) parts.push(sql`${students.schoolId} = ${b.scopeId}`);
    else if (b.scopeType === 'region' && b.scopeId) parts.push(sql`${students.schoolId} in ${schoolsUnderRegion(b.scopeId)}`);
  }
  return parts.length ? or(...parts)! : null;
}

function classScope(p: Principal): SQL | null {
  const parts: SQL[] = [];
  for (const b of p.roles) {
    if (!(PERMISSIONS['class.list'] as readonly string[]).includes(b.role)) continue;
    if (b.scopeType === 'global') parts.push(sql`true`);
    else if (b.scopeType === 'class' && b.scopeId) parts.push(sql`${classes.id} = ${b.scopeId}`);
    else if (b.scopeType === 'school' && b.scopeId) parts.push(sql`${classes.schoolId} = ${b.scopeId}`);
    else if (b.scopeType === 'region' && b.scopeId) parts.push(sql`${classes.schoolId} in ${schoolsUnderRegion(b.scopeId)}`);
  }
  return parts.length ? or(...parts)! : null;
}

function schoolScope(p: Principal): SQL | null {
  const parts: SQL[] = [];
  for (const b of p.roles) {
    if (!(PERMISSIONS['school.list'] as readonly string[]).includes(b.role)) continue;
    if (b.scopeType === 'global') parts.push(sql`true`);
    else if (b.scopeType === 'school' && b.scopeId) parts.push(sql`${schools.id} = ${b.scopeId}`);
    else if (b.scopeType === 'region' && b.scopeId) parts.push(sql`${schools.id} in ${schoolsUnderRegion(b.scopeId)}`);
  }
  return parts.length ? or(...parts)! : null;
}

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

}
