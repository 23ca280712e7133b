/**
 * Roster import for school administrators. The upload is parsed and validated row by row at once;
 * a file with any bad row is recorded as invalid with every reason and writes nothing. A valid file
 * is stored with a job in one transaction, and the worker applies it in one transaction, matching
 * students by 学号 within the school so that importing the same file again changes nothing.
 */
import { randomUUID } from 'node:crypto';
import { and, desc, eq, inArray } from 'drizzle-orm';
import type { AuditLog } from '../../platform/audit/index.js';
import type { Principal } from '../../platform/auth/principal.js';
import type { DataCipher } from '../../platform/crypto/index.js';
import type { Db, Tx } from '../../platform/db/index.js';
import { AppError } from '../../platform/http/errors.js';
import type { JobQueue } from '../../platform/jobs/index.js';
import { maskCnId, maskPhone } from '@zhijiao/engine';
import { authorize, forbidden } from './policies.js';
import { checkRowsAgainstSchool, parseRosterFile, type RosterRow } from './roster-file.js';
import type { RosterImport, RosterRowError } from './schema.js';
import { classes, grades, guardians, roleBindings, rosterImports, schools, students, users } from './tables.js';

export const ROSTER_JOB = 'identity.roster_import';
const BATCH = 500;

type ImportRow = typeof rosterImports.$inferSelect;

export class RosterImports {
  /** Live progress of imports running in this process (a transaction's progress is not visible in the table). */
  private readonly live = new Map<string, { processed: number; total: number }>();

  constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
    private readonly cipher: DataCipher,
    private readonly jobs: JobQueue,
  ) {
    jobs.register(ROSTER_JOB, async (payload) => this.apply(String(payload.importId)));
  }

  async submit(p: Principal, input: { filename: string; file: Buffer; schoolId?: string }): Promise<RosterImport> {
    authorize(p, 'roster.import');
    const schoolId = this.targetSchool(p, input.schoolId);
    const { rows, errors } = await parseRosterFile(input.file, input.filename);
    const classMap = await this.classMap(this.db, schoolId);
    const allErrors = [...errors, ...checkRowsAgainstSchool(rows, (g, c) => classMap.has(key(g, c)))].sort(
      (a, b) => a.row - b.row,
    );
    const invalid = allErrors.length > 0;
    const created = await this.db.transaction(async (tx) => {
      const [row] = await tx
        .insert(rosterImports)
        .values({
          schoolId,
          createdBy: p.userId,
          filename: input.filename.slice(0, 255),
          file: input.file,
          status: invalid ? 'invalid' : 'queued',
          totalRows: rows.length,
          errors: allErrors,
          finishedAt: invalid ? new Date() : null,
        })
        .returning();
      if (!invalid) await this.jobs.enqueue(tx, ROSTER_JOB, { importId: row.id });
      await this.audit.append(
        {
          actor: p,
          action: 'roster.import.submit',
          resourceType: 'roster_import',
          resourceId: row.id,
          scope: `school:${schoolId}`,
          outcome: invalid ? 'failure' : 'success',
          detail: { filename: row.filename, rows: rows.length, badRows: new Set(allErrors.map((e) => e.row)).size },
          ip: p.ip,
        },
        tx,
      );
      return row;
    });
    this.jobs.poke();
    return this.present(created);
  }

  async get(p: Principal, id: string): Promise<RosterImport> {
    authorize(p, 'roster.import');
    // Progress is read before the row: the job forgets it only after its transaction committed, so
    // a row read afterwards that is not yet done still pairs with the progress seen here.
    const live = this.live.get(id);
    const [row] = await this.db.select().from(rosterImports).where(eq(rosterImports.id, id));
    if (!row) throw new AppError(404, 'roster.import_not_found', { zh: '没有找到这次导入。', en: 'No such import.' });
    if (!this.schoolsOf(p).includes(row.schoolId)) throw forbidden('roster.import', { type: 'roster_import', id });
    return this.present(row, live);
  }

  async list(p: Principal): Promise<RosterImport[]> {
    authorize(p, 'roster.import');
    const live = new Map(this.live);
    const rows = await this.db
      .select()
      .from(rosterImports)
      .where(inArray(rosterImports.schoolId, this.schoolsOf(p)))
      .orderBy(desc(rosterImports.createdAt))
      .limit(20);
    return rows.map((r) => this.present({ ...r, errors: (r.errors as unknown[]).slice(0, 200) }, live.get(r.id)));
  }

  /** The job: idempotent, so a crash mid-import simply runs it again (the transaction rolled back). */
  async apply(importId: string): Promise<void> {
    const [imp] = await this.db.select().from(rosterImports).where(eq(rosterImports.id, importId));
    if (!imp || imp.status === 'done' || imp.status === 'invalid') return;
    await this.db.update(rosterImports).set({ status: 'importing' }).where(eq(rosterImports.id, importId));
    const { rows } = await parseRosterFile(imp.file, imp.filename);
    this.live.set(importId, { processed: 0, total: rows.length });
    try {
      await this.db.transaction(async (tx) => {
        const classMap = await this.classMap(tx, imp.schoolId);
        const late = checkRowsAgainstSchool(rows, (g, c) => classMap.has(key(g, c)));
        if (late.length) {
          // The school's classes changed between upload and import: nothing is written.
          await tx
            .update(rosterImports)
            .set({ status: 'invalid', errors: late, finishedAt: new Date() })
            .where(eq(rosterImports.id, importId));
          return;
        }
        const summary = await this.write(tx, imp, rows, classMap);
        await tx
          .update(rosterImports)
          .set({ status: 'done', processedRows: rows.length, summary, finishedAt: new Date() })
          .where(eq(rosterImports.id, importId));
        await this.audit.append(
          {
            actor: { userId: imp.createdBy, username: null },
            action: 'roster.import.apply',
            resourceType: 'roster_import',
            resourceId: importId,
            scope: `school:${imp.schoolId}`,
            outcome: 'success',
            detail: summary,
          },
          tx,
        );
      });
    } finally {
      this.live.delete(importId);
    }
  }

  private async write(
    tx: Tx,
    imp: ImportRow,
    rows: RosterRow[],
    classMap: Map<string, string>,
  ): Promise<{ created: number; updated: number; unchanged: number }> {
    const [school] = await tx.select({ code: schools.code }).from(schools).where(eq(schools.id, imp.schoolId));
    const existing = new Map(
      (await tx.select().from(students).where(eq(students.schoolId, imp.schoolId))).map((s) => [s.studentNo, s]),
    );
    const phonesOf = new Map<string, Set<string>>();
    for (const g of await tx
      .select({ studentId: guardians.studentId, h: guardians.phoneHash })
      .from(guardians)
      .innerJoin(students, eq(students.userId, guardians.studentId))
      .where(eq(students.schoolId, imp.schoolId))) {
      if (!phonesOf.has(g.studentId)) phonesOf.set(g.studentId, new Set());
      if (g.h) phonesOf.get(g.studentId)!.add(g.h);
    }
    let created = 0;
    let updated = 0;
    let unchanged = 0;
    const newUsers: (typeof users.$inferInsert)[] = [];
    const newStudents: (typeof students.$inferInsert)[] = [];
    const newBindings: (typeof roleBindings.$inferInsert)[] = [];
    const guardianRows: { studentId: string; name: string; phone: string }[] = [];

    for (const r of rows) {
      const classId = classMap.get(key(r.gradeLevel, r.classNo))!;
      const old = existing.get(r.studentNo);
      const idMasked = r.idNumber ? maskCnId(r.idNumber) : null;
      if (!old) {
        const userId = randomUUID();
        newUsers.push({ id: userId, username: `${school.code.toLowerCase()}-${r.studentNo.toLowerCase()}`, displayName: r.name });
        newStudents.push({
          userId,
          schoolId: imp.schoolId,
          classId,
          studentNo: r.studentNo,
          name: r.name,
          gender: r.gender,
          idNumberEnc: r.idNumber ? this.cipher.encrypt(r.idNumber) : null,
          idNumberMasked: idMasked,
        });
        newBindings.push({ userId, role: 'student', scopeType: 'class', scopeId: classId });
        if (r.parentPhone) guardianRows.push({ studentId: userId, name: r.parentName ?? `${r.name}的家长`, phone: r.parentPhone });
        created++;
      } else {
        const oldId = old.idNumberEnc ? this.cipher.decrypt(old.idNumberEnc) : null;
        const same = old.name === r.name && old.classId === classId && old.gender === r.gender && oldId === r.idNumber;
        if (!same) {
          await tx
            .update(students)
            .set({
              name: r.name,
              classId,
              gender: r.gender,
              idNumberEnc: r.idNumber ? this.cipher.encrypt(r.idNumber) : null,
              idNumberMasked: idMasked,
              updatedAt: new Date(),
            })
            .where(eq(students.userId, old.userId));
          if (old.classId !== classId)
            await tx
              .update(roleBindings)
              .set({ scopeId: classId })
              .where(and(eq(roleBindings.userId, old.userId), eq(roleBindings.role, 'student')));
          if (old.name !== r.name) await tx.update(users).set({ displayName: r.name }).where(eq(users.id, old.userId));
        }
        const guardianChanged =
          !!r.parentPhone && !phonesOf.get(old.userId)?.has(this.cipher.blindIndex(r.parentPhone));
        if (r.parentPhone && guardianChanged)
          guardianRows.push({ studentId: old.userId, name: r.parentName ?? `${r.name}的家长`, phone: r.parentPhone });
        if (same && !guardianChanged) unchanged++;
        else updated++;
      }
    }
    // Rows that matched existing students were written above; new ones are written in batches.
    const progress = (inserted: number) => this.live.set(imp.id, { processed: updated + unchanged + inserted, total: rows.length });
    progress(0);
    for (let i = 0; i < newUsers.length; i += BATCH) {
      await tx.insert(users).values(newUsers.slice(i, i + BATCH));
      await tx.insert(students).values(newStudents.slice(i, i + BATCH));
      await tx.insert(roleBindings).values(newBindings.slice(i, i + BATCH));
      progress(Math.min(i + BATCH, newUsers.length));
    }
    await this.linkGuardians(tx, imp.schoolId, guardianRows);
    return { created, updated, unchanged };
  }

  /** One parent account per phone number, shared by siblings; the phone is stored encrypted. */
  private async linkGuardians(tx: Tx, schoolId: string, rows: { studentId: string; name: string; phone: string }[]) {
    if (rows.length === 0) return;
    const hashes = [...new Set(rows.map((g) => this.cipher.blindIndex(g.phone)))];
    const parentByHash = new Map<string, string>();
    for (let i = 0; i < hashes.length; i += BATCH) {
      const known = await tx
        .selectDistinctOn([guardians.phoneHash], { h: guardians.phoneHash, parentId: guardians.parentId })
        .from(guardians)
        .where(inArray(guardians.phoneHash, hashes.slice(i, i + BATCH)));
      for (const k of known) parentByHash.set(k.h!, k.parentId);
    }
    const newParents: (typeof users.$inferInsert)[] = [];
    const links: (typeof guardians.$inferInsert)[] = [];
    for (const g of rows) {
      const hash = this.cipher.blindIndex(g.phone);
      let parentId = parentByHash.get(hash);
      if (!parentId) {
        parentId = randomUUID();
        parentByHash.set(hash, parentId);
        newParents.push({ id: parentId, username: `p-${hash.slice(0, 12)}`, displayName: g.name });
      }
      links.push({
        parentId,
        studentId: g.studentId,
        name: g.name,
        phoneEnc: this.cipher.encrypt(g.phone),
        phoneMasked: maskPhone(g.phone),
        phoneHash: hash,
      });
    }
    for (let i = 0; i < newParents.length; i += BATCH) {
      const chunk = newParents.slice(i, i + BATCH);
      await tx.insert(users).values(chunk);
      await tx
        .insert(roleBindings)
        .values(chunk.map((u) => ({ userId: u.id!, role: 'parent', scopeType: 'school' as const, scopeId: schoolId })));
    }
    for (let i = 0; i < links.length; i += BATCH)
      await tx.insert(guardians).values(links.slice(i, i + BATCH)).onConflictDoNothing();
  }

  private async classMap(q: Db | Tx, schoolId: string): Promise<Map<string, string>> {
    const rows = await q
      .select({ id: classes.id, classNo: classes.classNo, level: grades.level })
      .from(classes)
      .innerJoin(grades, eq(grades.id, classes.gradeId))
      .where(eq(classes.schoolId, schoolId));
    return new Map(rows.map((r) => [key(r.level, r.classNo), r.id]));
  }

  private schoolsOf(p: Principal): string[] {
    return p.roles.filter((r) => r.role === 'school_admin' && r.scopeId).map((r) => r.scopeId!);
  }

  private targetSchool(p: Principal, requested?: string): string {
    const mine = this.schoolsOf(p);
    if (requested) {
      if (!mine.includes(requested)) throw forbidden('roster.import', { type: 'school', id: requested });
      return requested;
    }
    if (mine.length !== 1)
      throw new AppError(400, 'roster.school_required', {
        zh: '您管理多所学校，请选择要导入的学校。',
        en: 'You administer several schools: choose the school to import into.',
      });
    return mine[0];
  }

  private present(r: ImportRow, live: { processed: number; total: number } | undefined = this.live.get(r.id)): RosterImport {
    return {
      id: r.id,
      schoolId: r.schoolId,
      filename: r.filename,
      status: r.status,
      totalRows: r.totalRows,
      processedRows: live && r.status !== 'done' ? live.processed : r.processedRows,
      errors: r.errors as RosterRowError[],
      summary: (r.summary as RosterImport['summary']) ?? null,
      createdAt: r.createdAt.toISOString(),
      finishedAt: r.finishedAt ? r.finishedAt.toISOString() : null,
    };
  }
}

const key = (gradeLevel: number, classNo: number) => `${gradeLevel}:${classNo}`;
