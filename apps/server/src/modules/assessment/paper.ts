/**
 * Scores of work done on paper, entered from a spreadsheet so analytics see all work: a template
 * with the assigned classes' students and one column per question, and an all-or-nothing upload
 * (every bad row named, nothing written if any row is bad).
 */
import ExcelJS from 'exceljs';
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { AuditLog } from '../../platform/audit/index.js';
import type { Principal } from '../../platform/auth/principal.js';
import type { Db } from '../../platform/db/index.js';
import { AppError } from '../../platform/http/errors.js';
import { cellText } from '../../platform/spreadsheet.js';
import type { Marking } from './marking-service.js';
import type { Assignments, Directory } from './service.js';
import { itemMarks, submissions } from './tables.js';

export interface PaperRowError {
  row: number;
  column: string | null;
  code: string;
  message: { 'zh-CN': string; en: string };
}

const HEAD = ['学号', '姓名', '班级'] as const;
const questionHeader = (position: number, max: number) => `第${position}题（满分${max}）`;

export class PaperScores {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
    private readonly assignmentsSvc: Assignments,
    private readonly marking: Marking,
    private readonly directory: Directory,
  ) {}

  async template(p: Principal, assignmentId: string): Promise<Buffer> {
    const a = await this.assignmentsSvc.forTeacher(p, assignmentId);
    const items = await this.assignmentsSvc.items(assignmentId);
    const classIds = (await this.assignmentsSvc.get(p, assignmentId)).classes.map((c) => c.id);
    const members = await this.directory.classMembers(classIds);
    const names = await this.directory.classNames(classIds);
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('成绩');
    ws.addRow([...HEAD, ...items.map((it) => questionHeader(it.position, it.score))]);
    for (const m of members) ws.addRow([m.studentNo, m.name, names.get(m.classId) ?? '']);
    ws.getRow(1).font = { bold: true };
    ws.views = [{ state: 'frozen', ySplit: 1, xSplit: 2 }];
    ws.getColumn(1).numFmt = '@';
    const note = wb.addWorksheet('说明');
    note.addRow([`${a.title}：每题填写得分（0 到满分，可有小数）；整行留空表示该学生未交。`]);
    note.addRow(['Enter each question\u2019s score (0 to its maximum); leave a whole row empty for a student who did not hand in.']);
    return Buffer.from(await wb.xlsx.writeBuffer());
  }

  async upload(p: Principal, assignmentId: string, data: Buffer | undefined): Promise<{ created: number; skipped: number }> {
    const a = await this.assignmentsSvc.forTeacher(p, assignmentId);
    if (!data)
      throw new AppError(400, 'assessment.paper_file_missing', { zh: '请上传填写好的成绩表（.xlsx）。', en: 'Upload the filled score sheet (.xlsx).' });
    const items = await this.assignmentsSvc.items(assignmentId);
    const classIds = (await this.assignmentsSvc.get(p, assignmentId)).classes.map((c) => c.id);
    const members = await this.directory.classMembers(classIds);
    const byNo = new Map(members.map((m) => [m.studentNo, m]));
    const wb = new ExcelJS.Workbook();
    try {
      await wb.xlsx.load(data as unknown as ArrayBuffer);
    } catch {
      throw new AppError(400, 'assessment.paper_unreadable', { zh: '无法读取该文件，请上传由模板填写的 .xlsx 文件。', en: 'The file cannot be read: upload an .xlsx filled from the template.' });
    }
    const ws = wb.worksheets[0];
    if (!ws) throw new AppError(400, 'assessment.paper_unreadable', { zh: '文件中没有工作表。', en: 'The file has no sheet.' });
    const header = (ws.getRow(1).values as ExcelJS.CellValue[]).slice(1).map((v) => cellText(v).trim());
    const columnOf = new Map<number, number>(); // position -> column index (1-based)
    const errors: PaperRowError[] = [];
    if (header[0] !== '学号')
      errors.push({ row: 1, column: 'A', code: 'assessment.paper_header', message: { 'zh-CN': '第一列应为“学号”。', en: 'The first column must be 学号 (student number).' } });
    for (const it of items) {
      const idx = header.findIndex((h) => h.startsWith(`第${it.position}题`));
      if (idx < 0)
        errors.push({ row: 1, column: null, code: 'assessment.paper_header', message: { 'zh-CN': `缺少“第${it.position}题”列。`, en: `Column for question ${it.position} is missing.` } });
      else columnOf.set(it.position, idx + 1);
    }
    if (errors.length) throw invalid(errors);
    const existing = new Set(
      (await this.db.select({ s: submissions.studentId }).from(submissions).where(eq(submissions.assignmentId, assignmentId))).map((r) => r.s),
    );
    const rows: { studentId: string; classId: string; scores: Map<number, number> }[] = [];
    const seen = new Set<string>();
    let skipped = 0;
    ws.eachRow((row, n) => {
      if (n === 1) return;
      const no = cellText(row.getCell(1).value).trim();
      const cells = items.map((it) => cellText(row.getCell(columnOf.get(it.position)!).value).trim());
      if (!no && cells.every((c) => !c)) return;
      if (cells.every((c) => !c)) {
        skipped++;
        return;
      }
      const m = byNo.get(no);
      const err = (column: string | null, code: string, zh: string, en: string) => errors.push({ row: n, column, code, message: { 'zh-CN': zh, en } });
      if (!m) return err('学号', 'assessment.paper_unknown_student', `学号 ${no} 不在布置的班级中。`, `Student number ${no} is not in the assigned classes.`);
      if (seen.has(m.id)) return err('学号', 'assessment.paper_duplicate', `学号 ${no} 重复。`, `Student number ${no} appears twice.`);
      seen.add(m.id);
      if (existing.has(m.id))
        return err('学号', 'assessment.paper_already_submitted', `${m.name} 已有提交记录。`, `${m.name} already has a submission.`);
      const scores = new Map<number, number>();
      items.forEach((it, i) => {
        const c = cells[i]!;
        const v = Number(c);
        if (c === '' || !Number.isFinite(v) || v < 0 || v > it.score)
          err(header[columnOf.get(it.position)! - 1] ?? null, 'assessment.paper_score', `第${it.position}题的得分应为 0 到 ${it.score} 之间的数。`, `Question ${it.position}: the score must be a number from 0 to ${it.score}.`);
        else scores.set(it.position, v);
      });
      rows.push({ studentId: m.id, classId: m.classId, scores });
    });
    if (errors.length) throw invalid(errors);
    if (!rows.length) throw new AppError(422, 'assessment.paper_empty', { zh: '表中没有任何成绩。', en: 'The sheet has no scores.' });
    await this.assignmentsSvc.freezeItems(assignmentId);
    await this.marking.knowSchools(rows.map((r) => r.classId));
    await this.db.transaction(async (tx) => {
      for (const r of rows) {
        const [s] = await tx
          .insert(submissions)
          .values({
            assignmentId,
            studentId: r.studentId,
            classId: r.classId,
            clientId: randomUUID(),
            attempt: 1,
            answers: {},
            maxScore: a.maxScore,
            source: 'paper',
          })
          .returning({ id: submissions.id });
        await tx.insert(itemMarks).values(
          items.map((it) => ({
            submissionId: s.id,
            position: it.position,
            assignmentId,
            itemId: it.itemId,
            itemVersion: it.itemVersion,
            engine: 'paper/teacher',
            engineScore: r.scores.get(it.position)!,
            maxScore: it.score,
            confidence: 1,
            detail: { type: (it.snapshot as { type: string }).type, scale: 1, points: [{ id: 'answer', label: '得分', max: it.score, score: r.scores.get(it.position)! }], info: {} },
            status: 'auto' as const,
            finalScore: r.scores.get(it.position)!,
            reviewerId: p.userId,
          })),
        );
        await this.marking.finalise(tx, s.id);
      }
      await this.audit.append(
        { actor: p, action: 'assignment.paper_scores', resourceType: 'assignment', resourceId: assignmentId, outcome: 'success', detail: { created: rows.length, skipped }, ip: p.ip },
        tx,
      );
    });
    return { created: rows.length, skipped };
  }
}

function invalid(errors: PaperRowError[]) {
  return new AppError(
    422,
    'assessment.paper_invalid',
    { zh: `成绩表有 ${errors.length} 处错误，未导入任何成绩。`, en: `The score sheet has ${errors.length} error(s); nothing was imported.` },
    { details: { errors } },
  );
}
