/**
 * Attendance workbooks (考勤导入): one row per student and school day with the columns 学号, 日期,
 * 状态 (出勤/缺勤/迟到/请假) and 原因. Parsing only: file-level problems throw an AppError, row
 * problems are all collected (row number as the user sees it, column, zh/en message).
 */
import ExcelJS from 'exceljs';
import { badRequest, unprocessable, type Bilingual } from '../../platform/http/errors.js';
import { cellText } from '../../platform/spreadsheet.js';
import type { ImportRowError } from './schema.js';

export type AttendanceStatus = 'present' | 'absent' | 'late' | 'excused_absence';

export const ATTENDANCE_COLUMNS = ['学号', '日期', '状态', '原因'] as const;
const REQUIRED = ['学号', '日期', '状态'] as const;
export const MAX_ROWS = 20_000;

/** The words schools write in the 状态 column, and the English ones. */
const STATUS_WORDS: Record<string, AttendanceStatus> = {
  出勤: 'present',
  到校: 'present',
  present: 'present',
  缺勤: 'absent',
  旷课: 'absent',
  absent: 'absent',
  迟到: 'late',
  late: 'late',
  请假: 'excused_absence',
  excused: 'excused_absence',
  excused_absence: 'excused_absence',
};

export interface AttendanceRow {
  row: number;
  studentNo: string;
  date: string;
  status: AttendanceStatus;
  reason: string | null;
}

const unreadable = (cause?: unknown) =>
  badRequest(
    'warning.import_unreadable',
    { zh: '无法读取该文件。请上传由考勤模板填写的 Excel 工作簿（.xlsx）。', en: 'The file could not be read. Upload an Excel workbook (.xlsx) filled from the attendance template.' },
    { cause },
  );

/** A date cell as yyyy-mm-dd: Excel dates, 2026-12-01, 2026/12/1 and 2026年12月1日 are accepted. */
export function parseDate(text: string): string | null {
  const m = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/.exec(text.trim());
  if (!m) return null;
  const iso = `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`;
  const d = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(iso) ? iso : null;
}

/** Reads and checks every row; `today` (yyyy-mm-dd) rejects dates in the future. */
export async function parseAttendanceFile(buf: Buffer, today: string): Promise<{ rows: AttendanceRow[]; errors: ImportRowError[] }> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(buf as unknown as ArrayBuffer);
  } catch (err) {
    throw unreadable(err);
  }
  const ws = wb.worksheets[0];
  if (!ws) throw unreadable();
  const header = (ws.getRow(1).values as ExcelJS.CellValue[]).slice(1).map((v) => cellText(v).trim());
  const col = Object.fromEntries(ATTENDANCE_COLUMNS.map((h) => [h, header.indexOf(h) + 1])) as Record<(typeof ATTENDANCE_COLUMNS)[number], number>;
  const missing = REQUIRED.filter((h) => col[h] === 0);
  if (missing.length)
    throw unprocessable(
      'warning.import_missing_columns',
      { zh: `考勤表缺少必填列：${missing.join('、')}。表头应在第一行：学号、日期、状态、原因。`, en: `The attendance sheet is missing column(s): ${missing.join(', ')}. The first row must be the header 学号, 日期, 状态, 原因.` },
      { details: { missingColumns: missing } },
    );
  const rows: AttendanceRow[] = [];
  const errors: ImportRowError[] = [];
  const seen = new Map<string, number>();
  const err = (row: number, column: string | null, code: string, message: Bilingual, value: string | null) => errors.push({ row, column, code, message, value });
  ws.eachRow((r, n) => {
    if (n === 1) return;
    const get = (h: (typeof ATTENDANCE_COLUMNS)[number]) => (col[h] ? cellText(r.getCell(col[h]).value).trim() : '');
    if (ATTENDANCE_COLUMNS.every((h) => get(h) === '')) return;
    const studentNo = get('学号');
    const dateText = get('日期');
    const statusText = get('状态');
    const reason = get('原因');
    let ok = true;
    if (!studentNo) {
      ok = false;
      err(n, '学号', 'warning.import_student_no_missing', { zh: `第 ${n} 行：学号为空。`, en: `Row ${n}: the student number is empty.` }, null);
    }
    const date = parseDate(dateText);
    if (!date) {
      ok = false;
      err(n, '日期', 'warning.import_date_invalid', { zh: `第 ${n} 行：日期“${dateText}”无法识别，请写成 2026-12-01 这样的格式。`, en: `Row ${n}: the date "${dateText}" is not recognised; write it like 2026-12-01.` }, dateText || null);
    } else if (date > today) {
      ok = false;
      err(n, '日期', 'warning.import_date_future', { zh: `第 ${n} 行：日期 ${date} 在今天之后，不能提前记录考勤。`, en: `Row ${n}: ${date} is in the future; attendance cannot be recorded ahead.` }, dateText);
    }
    const status = STATUS_WORDS[statusText.toLowerCase()];
    if (!status) {
      ok = false;
      err(n, '状态', 'warning.import_status_invalid', { zh: `第 ${n} 行：状态“${statusText}”无效，只能填写 出勤、缺勤、迟到 或 请假。`, en: `Row ${n}: the status "${statusText}" is invalid; use 出勤 (present), 缺勤 (absent), 迟到 (late) or 请假 (excused).` }, statusText || null);
    }
    if (reason.length > 200) {
      ok = false;
      err(n, '原因', 'warning.import_reason_too_long', { zh: `第 ${n} 行：原因超过 200 字。`, en: `Row ${n}: the reason is longer than 200 characters.` }, reason.slice(0, 50));
    }
    if (ok && date) {
      const key = `${studentNo}|${date}`;
      const first = seen.get(key);
      if (first !== undefined) {
        err(n, '学号', 'warning.import_duplicate', { zh: `第 ${n} 行：学号 ${studentNo} 在 ${date} 的考勤与第 ${first} 行重复。`, en: `Row ${n}: student ${studentNo} on ${date} repeats row ${first}.` }, studentNo);
        return;
      }
      seen.set(key, n);
      rows.push({ row: n, studentNo, date, status: status!, reason: reason || null });
    }
  });
  if (rows.length + errors.length === 0)
    throw unprocessable('warning.import_empty', { zh: '考勤表中没有数据行。', en: 'The attendance sheet has no data rows.' });
  if (rows.length + errors.length > MAX_ROWS)
    throw unprocessable('warning.import_too_many_rows', { zh: `一次最多导入 ${MAX_ROWS} 行考勤。`, en: `At most ${MAX_ROWS} attendance rows can be imported at once.` });
  return { rows, errors };
}

/** The downloadable template: the header row, one example row, and a 状态 drop-down. */
export async function attendanceTemplate(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('考勤');
  ws.addRow([...ATTENDANCE_COLUMNS]);
  ws.getRow(1).font = { bold: true };
  [16, 14, 10, 30].forEach((w, i) => (ws.getColumn(i + 1).width = w));
  for (let r = 2; r <= 500; r++) ws.getCell(r, 3).dataValidation = { type: 'list', allowBlank: true, formulae: ['"出勤,缺勤,迟到,请假"'] };
  return Buffer.from(await wb.xlsx.writeBuffer());
}
