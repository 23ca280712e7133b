/**
 * Roster files (学生名册): parsing and validating the .xlsx / .csv files a school administrator
 * uploads, and the downloadable template.
 *
 * File-level problems (wrong format, unreadable, empty, missing columns, too many rows) throw an
 * AppError and nothing else happens. Row-level problems are all collected and returned as
 * RosterRowError[]; `rows` holds only the rows without any error.
 *
 * Untrusted input: every exception from the decoders / exceljs / csv-parse is turned into an
 * AppError, formula cells and formula-injection text are rejected, cells are length-limited.
 */
import ExcelJS from 'exceljs';
import { parse as parseCsv } from 'csv-parse/sync';
import { isValidCnResidentId, normalizeCnMobile } from '@zhijiao/engine';
import { AppError, badRequest, tooLarge, unprocessable, type Bilingual } from '../../platform/http/errors.js';
import type { RosterRowError } from './schema.js';

export interface RosterRow {
  /** Spreadsheet row number as the user sees it (header = 1 when the header is the first row). */
  row: number;
  name: string;
  studentNo: string;
  gender: 'M' | 'F' | null;
  /** As written in the file (trimmed). */
  grade: string;
  /** As written in the file (trimmed). */
  className: string;
  gradeLevel: number;
  classNo: number;
  /** Upper-case X as check character. */
  idNumber: string | null;
  parentName: string | null;
  /** Normalised 11-digit mobile number. */
  parentPhone: string | null;
}

type ColumnKey = Exclude<keyof RosterRow, 'row' | 'gradeLevel' | 'classNo'>;

export const ROSTER_COLUMNS: readonly { key: keyof RosterRow; header: string; required: boolean; aliases: string[] }[] = [
  { key: 'name', header: '姓名', required: true, aliases: ['学生姓名', '学生名字', '名字', 'name', 'studentname'] },
  { key: 'studentNo', header: '学号', required: true, aliases: ['学籍号', '学生学号', '学生编号', '学籍编号', 'studentno', 'studentnumber', 'studentid'] },
  { key: 'gender', header: '性别', required: false, aliases: ['学生性别', 'gender', 'sex'] },
  { key: 'grade', header: '年级', required: true, aliases: ['所在年级', '年级名称', 'grade'] },
  { key: 'className', header: '班级', required: true, aliases: ['班别', '班级名称', '所在班级', '班', 'class', 'classname'] },
  { key: 'idNumber', header: '身份证号', required: false, aliases: ['身份证号码', '身份证', '学生身份证号', '学生身份证号码', '公民身份号码', '证件号码', 'idnumber', 'idcard'] },
  { key: 'parentName', header: '家长姓名', required: false, aliases: ['监护人姓名', '监护人', '家长', 'parentname', 'guardianname'] },
  {
    key: 'parentPhone',
    header: '家长手机号',
    required: false,
    aliases: ['家长手机', '家长手机号码', '家长电话', '家长联系电话', '监护人手机号', '监护人电话', '监护人联系电话', '手机号', '手机号码', '手机', '联系电话', '联系方式', '电话', 'parentphone', 'phone', 'mobile'],
  },
];

export const ROSTER_MAX_ROWS = 50_000;
export const ROSTER_MAX_CELL_CHARS = 200;
/** How many leading non-blank rows may precede the header row (e.g. a merged title row). */
const HEADER_SEARCH_ROWS = 10;

// ---------------------------------------------------------------------------------------------
// File-level errors

const unsupportedFormat = () =>
  badRequest('roster.unsupported_format', {
    zh: '不支持该文件格式。请上传 Excel 工作簿（.xlsx）或 CSV 文件（.csv）；旧版 .xls 文件请先在 Excel 中“另存为” .xlsx。',
    en: 'This file type is not supported. Please upload an Excel workbook (.xlsx) or a CSV file (.csv); save old .xls files as .xlsx first.',
  });

const unreadable = (reason: string, m?: Bilingual, cause?: unknown) =>
  badRequest(
    'roster.unreadable_file',
    m ?? {
      zh: '无法读取该文件，文件可能已损坏或不是有效的 Excel / CSV 文件。请用 Excel 打开确认无误后重新保存，或下载模板重新填写。',
      en: 'The file could not be read. It may be damaged or not a valid Excel/CSV file. Open it in Excel, save it again, or fill in the template instead.',
    },
    { details: { reason }, cause },
  );

const emptyFile = () =>
  unprocessable('roster.empty', {
    zh: '名册中没有学生数据。请在表头下方逐行填写学生信息后再上传。',
    en: 'The roster contains no student rows. Fill in one student per row below the header, then upload again.',
  });

const missingColumns = (missing: string[], found: string[]) =>
  unprocessable(
    'roster.missing_columns',
    {
      zh: `名册缺少必填列：${missing.join('、')}。请使用系统提供的模板，并确认表头在第一行、列名填写正确。`,
      en: `The roster is missing required column(s): ${missing.join(', ')}. Use the provided template and make sure the header is in the first row.`,
    },
    { details: { missingColumns: missing, foundColumns: found } },
  );

const duplicateColumn = (header: string, columns: string[]) =>
  unprocessable(
    'roster.duplicate_column',
    {
      zh: `名册中有多列都表示“${header}”（${columns.join('、')}），系统无法确定使用哪一列。请删除或重命名多余的列。`,
      en: `Several columns mean "${header}" (${columns.join(', ')}), so it is unclear which one to use. Delete or rename the extra column(s).`,
    },
    { details: { column: header, headers: columns } },
  );

const tooManyRows = (count: number) =>
  tooLarge(
    'roster.too_many_rows',
    {
      zh: `名册行数过多（${count > ROSTER_MAX_ROWS ? '超过' : ''} ${ROSTER_MAX_ROWS} 行）。一次最多导入 ${ROSTER_MAX_ROWS} 名学生，请按年级拆分成多个文件分别上传。`,
      en: `The roster has too many rows (more than ${ROSTER_MAX_ROWS}). At most ${ROSTER_MAX_ROWS} students can be imported at once; split the file, e.g. by grade.`,
    },
    { details: { maxRows: ROSTER_MAX_ROWS } },
  );

// ---------------------------------------------------------------------------------------------
// Normalisation helpers

/** Removes zero-width characters and trims (String#trim covers U+3000 and U+FEFF). */
function clean(s: string): string {
  return s.replace(/[\u200B-\u200D\u2060\uFEFF]/g, '').trim();
}

const nfkc = (s: string) => s.normalize('NFKC');

function normalizeHeader(s: string): string {
  let h = nfkc(clean(s)).replace(/\s+/g, '');
  // "*姓名", "姓名*", "姓名(必填)", "姓名（选填）" — NFKC already turned full-width brackets half-width.
  for (let i = 0; i < 3; i++) h = h.replace(/^\*+/, '').replace(/\*+$/, '').replace(/\((必填|选填|可选|非必填)\)$/, '');
  return h.toLowerCase().replace(/[_\-.]/g, '');
}

const HEADER_LOOKUP: Map<string, (typeof ROSTER_COLUMNS)[number]> = (() => {
  const m = new Map<string, (typeof ROSTER_COLUMNS)[number]>();
  for (const c of ROSTER_COLUMNS) for (const h of [c.header, ...c.aliases]) m.set(normalizeHeader(h), c);
  return m;
})();

const CN_DIGITS: Record<string, number> = { 〇: 0, 零: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };

/** 1..99 written in Chinese numerals: 一, 十, 十二, 二十, 二十三. */
function cnNumber(s: string): number | null {
  if (s.length === 0 || s.length > 3) return null;
  if (s.length === 1) return s === '十' ? 10 : CN_DIGITS[s] ?? null;
  const m = /^([一二两三四五六七八九])?十([一二三四五六七八九])?$/.exec(s);
  if (!m) return null;
  return (m[1] ? CN_DIGITS[m[1]]! : 1) * 10 + (m[2] ? CN_DIGITS[m[2]]! : 0);
}

function anyNumber(s: string): number | null {
  if (/^\d{1,4}$/.test(s)) return Number(s);
  return cnNumber(s);
}

/** 七年级 / 初一 / 7年级 / 7 / 初中一年级 / 一年级 / 高一 / 十年级 / 高中二年级 → 1..12, else null. */
function parseGrade(raw: string): number | null {
  const s = nfkc(raw).replace(/\s+/g, '');
  if (!s) return null;
  let m = /^初(?:中)?([一二三123])$/.exec(s); // 初一, 初中1
  if (m) return 6 + anyNumber(m[1]!)!;
  m = /^高(?:中)?([一二三123])$/.exec(s); // 高一
  if (m) return 9 + anyNumber(m[1]!)!;
  m = /^(小学|初中|高中)?(\d{1,2}|[一二两三四五六七八九十]{1,3})(?:年级|年)?$/.exec(s);
  if (!m) return null;
  const n = anyNumber(m[2]!);
  if (n === null || n < 1 || n > 12) return null;
  if (!m[1]) return /^\d+$/.test(m[2]!) || s.endsWith('年级') ? n : null; // bare "七" is not a grade
  // 初中一年级 = 7; 初中七年级 = 7 too. 高中一年级 = 10.
  if (m[1] === '小学') return n <= 6 ? n : null;
  if (m[1] === '初中') return n <= 3 ? n + 6 : n >= 7 && n <= 9 ? n : null;
  return n <= 3 ? n + 9 : n >= 10 ? n : null;
}

/**
 * Understands the grade and class columns, e.g. ("七年级", "(1)班"), ("7", "1"), ("初一", "一班"),
 * ("七年级", "七年级1班"), ("高一", "01"), ("七年级", "701班"). A grade named inside the class
 * must agree with the grade column. Returns null when either part is not understood.
 */
export function parseClassRef(grade: string, className: string): { gradeLevel: number; classNo: number } | null {
  if (typeof grade !== 'string' || typeof className !== 'string' || grade.length > 50 || className.length > 50) return null;
  const gradeLevel = parseGrade(grade);
  if (gradeLevel === null) return null;
  const c = nfkc(className).replace(/\s+/g, '').replace(/[[【〔]/g, '(').replace(/[\]】〕]/g, ')');
  const m = /^(.*?)\(?(\d{1,4}|[一二两三四五六七八九十]{1,3})\)?(?:班|班级)?$/.exec(c);
  if (!m) return null;
  if (m[1]) {
    const prefix = m[1].replace(/[-/]$/, '');
    if (parseGrade(prefix) !== gradeLevel) return null;
  }
  let classNo = anyNumber(m[2]!);
  if (classNo === null) return null;
  // "701" = grade 7, class 1; "1203" = grade 12, class 3.
  const g = String(gradeLevel);
  if (classNo >= 100 && /^\d+$/.test(m[2]!) && m[2]!.startsWith(g) && m[2]!.length === g.length + 2) classNo = Number(m[2]!.slice(g.length));
  if (classNo < 1 || classNo > 99) return null;
  return { gradeLevel, classNo };
}

const CN_GRADE_NAMES = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十', '十一', '十二'];
const classLabel = (gradeLevel: number, classNo: number) => `${CN_GRADE_NAMES[gradeLevel - 1] ?? gradeLevel}年级(${classNo})班`;

/**
 * Text that a spreadsheet program would run as a formula (CSV / formula injection): leading
 * = or @, or + / - followed by anything but a plain number or phone number ("+86 138-..." is fine,
 * "-" and "--" as "nothing" placeholders are fine).
 */
function looksLikeFormula(v: string): boolean {
  const s = nfkc(v);
  const first = s[0];
  const rest = s.slice(1).trim();
  if (first === '=' || first === '@') return rest.length > 0;
  if (first === '+' || first === '-') return rest.length > 0 && !/^[\d\s().\-]+$/.test(rest);
  return false;
}

const NAME_RE = /^[\p{L}\p{M}·]+(?: [\p{L}\p{M}·]+)*$/u;
const STUDENT_NO_RE = /^[A-Za-z0-9-]{1,32}$/;

function parseGender(v: string): 'M' | 'F' | null | undefined {
  const s = nfkc(v).toLowerCase();
  if (s === '') return null;
  if (['男', 'm', 'male', '男生', '男性'].includes(s)) return 'M';
  if (['女', 'f', 'female', '女生', '女性'].includes(s)) return 'F';
  return undefined;
}

const EMPTY_PLACEHOLDER = /^(?:[-—–―/／\\]+|无)$/;
const REQUIRED_KEYS = new Set<string>(ROSTER_COLUMNS.filter((c) => c.required).map((c) => c.key));

const shortValue = (v: string) => (v.length > 50 ? v.slice(0, 50) + '…' : v);

// ---------------------------------------------------------------------------------------------
// Reading the file into rows of cells

interface RawCell {
  text: string;
  /** The formula of an xlsx formula cell. */
  formula?: string;
  /** Stored as a number in xlsx. */
  numeric?: boolean;
  /** A number that is not an exact integer within 2^53 (e.g. an 18-digit ID typed into Excel). */
  unsafeNumber?: boolean;
}
interface RawRow {
  row: number;
  cells: (RawCell | undefined)[];
}

const EMPTY: RawCell = { text: '' };

function isBlank(r: RawRow): boolean {
  return r.cells.every((c) => !c || (clean(c.text) === '' && !c.formula));
}

function numberText(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return n.toFixed(0);
  return String(n);
}

function simpleText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return numberText(v);
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? '' : v.toISOString().slice(0, 10);
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (Array.isArray(o.richText)) return o.richText.map((r: unknown) => (r && typeof (r as { text?: unknown }).text === 'string' ? (r as { text: string }).text : '')).join('');
    if ('text' in o) return simpleText(o.text);
    if (typeof o.error === 'string') return o.error;
  }
  return '';
}

function xlsxCell(v: ExcelJS.CellValue): RawCell {
  if (typeof v === 'number') return { text: numberText(v), numeric: true, unsafeNumber: !Number.isSafeInteger(v) };
  if (v && typeof v === 'object' && !(v instanceof Date)) {
    const o = v as unknown as Record<string, unknown>;
    const formula = typeof o.formula === 'string' ? o.formula : typeof o.sharedFormula === 'string' ? o.sharedFormula : undefined;
    if (formula !== undefined || 'result' in o) return { text: simpleText(o.result), formula: formula ?? '' };
  }
  return { text: simpleText(v) };
}

const XLSX_MAGIC = [0x50, 0x4b, 0x03, 0x04];
const OLE_MAGIC = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
const startsWith = (buf: Uint8Array, magic: number[]) => buf.length >= magic.length && magic.every((b, i) => buf[i] === b);

async function readXlsx(buf: Buffer): Promise<RawRow[]> {
  if (startsWith(buf, OLE_MAGIC)) {
    throw unreadable('ole_container', {
      zh: '无法读取该文件：它是旧版 .xls 文件或设置了打开密码的工作簿。请在 Excel 中取消密码，并“另存为” .xlsx 格式后重新上传。',
      en: 'The file could not be read: it is an old .xls file or a password-protected workbook. Remove the password and save it as .xlsx, then upload again.',
    });
  }
  if (!startsWith(buf, XLSX_MAGIC)) throw unreadable('not_zip');

  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(buf as unknown as ExcelJS.Buffer);
  } catch (err) {
    throw unreadable('xlsx_load', undefined, err);
  }
  const ws = wb.worksheets[0];
  if (!ws) throw unreadable('no_worksheet');
  if (ws.actualRowCount > ROSTER_MAX_ROWS + HEADER_SEARCH_ROWS + 1) throw tooManyRows(ws.actualRowCount);

  const rows: RawRow[] = [];
  try {
    ws.eachRow({ includeEmpty: false }, (row, rowNumber) => {
      const cells: (RawCell | undefined)[] = [];
      row.eachCell({ includeEmpty: false }, (cell, col) => {
        if (col <= 1000) cells[col - 1] = xlsxCell(cell.value);
      });
      rows.push({ row: rowNumber, cells });
    });
  } catch (err) {
    throw unreadable('xlsx_cells', undefined, err);
  }
  return rows;
}

function decodeText(buf: Uint8Array): string {
  const decode = (enc: string, bytes: Uint8Array) => {
    try {
      return new TextDecoder(enc, { fatal: true, ignoreBOM: true }).decode(bytes);
    } catch (err) {
      throw unreadable('text_decode', {
        zh: '无法识别该 CSV 文件的文字编码。请在 Excel 中打开后“另存为” .xlsx，或另存为“CSV UTF-8（逗号分隔）”后重新上传。',
        en: 'The text encoding of this CSV file could not be recognised. Open it in Excel and save it as .xlsx or as "CSV UTF-8 (comma delimited)", then upload again.',
      }, err);
    }
  };
  let text: string;
  if (startsWith(buf, [0xef, 0xbb, 0xbf])) text = decode('utf-8', buf.subarray(3));
  else if (startsWith(buf, [0xff, 0xfe])) text = decode('utf-16le', buf.subarray(2));
  else if (startsWith(buf, [0xfe, 0xff])) text = decode('utf-16be', buf.subarray(2));
  else {
    if (buf.includes(0)) throw unreadable('binary');
    try {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(buf);
    } catch {
      text = decode('gb18030', buf); // Excel in China saves "CSV (逗号分隔)" as GBK.
    }
  }
  // Decoded binary: NULs, replacement characters, C0/C1 controls other than tab / CR / LF.
  let bad = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0) throw unreadable('binary');
    if ((c < 0x20 && c !== 9 && c !== 10 && c !== 13) || (c >= 0x7f && c <= 0x9f) || c === 0xfffd) bad++;
  }
  if (bad > 0 && bad > text.length * 0.01) throw unreadable('binary');
  return text;
}

/** Tab-separated (Excel "Unicode text") or comma-separated, judged by the first non-empty line. */
function detectDelimiter(text: string): string {
  const firstLine = text.split(/\r\n|\n|\r/, 20).find((l) => l.trim() !== '') ?? '';
  const tabs = firstLine.split('\t').length - 1;
  const commas = firstLine.split(',').length - 1;
  return tabs > commas ? '\t' : ',';
}

function readCsv(buf: Buffer): RawRow[] {
  const text = decodeText(buf);
  let records: string[][];
  try {
    records = parseCsv(text, {
      delimiter: detectDelimiter(text),
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: false,
    }) as string[][];
  } catch (err) {
    throw unreadable('csv_syntax', {
      zh: 'CSV 文件格式有误（例如引号没有成对出现），无法读取。请用 Excel 打开检查后重新保存，或改为上传 .xlsx 文件。',
      en: 'The CSV file is malformed (e.g. an unmatched quote) and could not be read. Check it in Excel and save it again, or upload an .xlsx file.',
    }, err);
  }
  // Each CSV record is one spreadsheet row (also when a quoted cell spans several lines).
  return records.map((r, i) => ({ row: i + 1, cells: r.slice(0, 1000).map((text) => ({ text })) }));
}

// ---------------------------------------------------------------------------------------------
// Header

interface HeaderMap {
  headerRow: number;
  /** Column index (0-based) of each known field. */
  index: Partial<Record<ColumnKey, number>>;
}

function mapHeader(r: RawRow): { index: Partial<Record<ColumnKey, number>>; headers: Map<ColumnKey, string[]>; found: string[] } {
  const index: Partial<Record<ColumnKey, number>> = {};
  const headers = new Map<ColumnKey, string[]>();
  const found: string[] = [];
  r.cells.forEach((c, i) => {
    if (!c) return;
    const raw = clean(c.text);
    if (!raw) return;
    found.push(raw.slice(0, 50));
    const col = HEADER_LOOKUP.get(normalizeHeader(raw));
    if (!col) return;
    const key = col.key as ColumnKey;
    headers.set(key, [...(headers.get(key) ?? []), raw]);
    if (index[key] === undefined) index[key] = i;
  });
  return { index, headers, found };
}

function findHeader(rows: RawRow[]): { header: HeaderMap; dataStart: number } {
  const candidates = rows.slice(0, HEADER_SEARCH_ROWS);
  let chosen = 0;
  for (let i = 0; i < candidates.length; i++) {
    if (mapHeader(candidates[i]!).headers.size >= 2) {
      chosen = i;
      break;
    }
  }
  const { index, headers, found } = mapHeader(rows[chosen]!);
  for (const [key, names] of headers) {
    if (names.length > 1) throw duplicateColumn(ROSTER_COLUMNS.find((c) => c.key === key)!.header, names);
  }
  const missing = ROSTER_COLUMNS.filter((c) => c.required && index[c.key as ColumnKey] === undefined).map((c) => c.header);
  if (missing.length > 0) throw missingColumns(missing, found);
  return { header: { headerRow: rows[chosen]!.row, index }, dataStart: chosen + 1 };
}

// ---------------------------------------------------------------------------------------------
// Rows

const HEADER_OF: Record<ColumnKey, string> = Object.fromEntries(ROSTER_COLUMNS.map((c) => [c.key, c.header])) as Record<ColumnKey, string>;

function rowError(row: number, key: ColumnKey | null, code: string, message: Bilingual, value: string | null): RosterRowError {
  return { row, column: key ? HEADER_OF[key] : null, code, message, value };
}

interface Seen {
  studentNo: Map<string, number>;
  idNumber: Map<string, number>;
}

function validateRow(r: RawRow, header: HeaderMap, seen: Seen, errors: RosterRowError[]): RosterRow | null {
  const before = errors.length;
  const n = r.row;
  const err = (key: ColumnKey, code: string, message: Bilingual, value: string | null) => errors.push(rowError(n, key, code, message, value));

  /** Cleaned text of a field, or null when the cell is unusable (an error was recorded). */
  const field = (key: ColumnKey): string | null => {
    const i = header.index[key];
    const cell = (i === undefined ? undefined : r.cells[i]) ?? EMPTY;
    const v = clean(cell.text);
    const h = HEADER_OF[key];
    if (cell.formula !== undefined) {
      err(key, 'roster.formula_not_allowed', {
        zh: `“${h}”列是公式，名册中不能使用公式。请复制该列后“选择性粘贴 → 数值”，再重新上传。`,
        en: `The "${h}" cell contains a formula; formulas are not allowed. Copy the column and paste it back as values only, then upload again.`,
      }, shortValue('=' + cell.formula));
      return null;
    }
    if (v.length > ROSTER_MAX_CELL_CHARS) {
      err(key, 'roster.cell_too_long', {
        zh: `“${h}”内容过长（${v.length} 个字符），每个单元格最多 ${ROSTER_MAX_CELL_CHARS} 个字符。`,
        en: `The "${h}" cell is too long (${v.length} characters); at most ${ROSTER_MAX_CELL_CHARS} characters are allowed.`,
      }, shortValue(v));
      return null;
    }
    if (looksLikeFormula(v) && !(key === 'parentPhone' && normalizeCnMobile(v) !== null)) {
      err(key, 'roster.formula_not_allowed', {
        zh: `“${h}”以 =、+、-、@ 开头，会被表格软件当作公式执行，因此不允许。请删除开头的符号。`,
        en: `The "${h}" cell starts with =, +, - or @ and would be run as a formula by spreadsheet programs, which is not allowed. Remove the leading symbol.`,
      }, shortValue(v));
      return null;
    }
    // "-", "--", "/", "无": the usual "nothing here" placeholders count as empty in optional columns.
    if (!REQUIRED_KEYS.has(key) && EMPTY_PLACEHOLDER.test(v)) return '';
    return v;
  };

  // 姓名
  let name = field('name');
  if (name !== null) {
    name = name.replace(/[・•‧∙⋅]/g, '·').replace(/\s+/g, ' ');
    const len = [...name].length;
    if (len === 0) {
      err('name', 'roster.invalid_name', { zh: '姓名不能为空。', en: 'Name is required.' }, null);
      name = null;
    } else if (len > 30 || !NAME_RE.test(name)) {
      err('name', 'roster.invalid_name', {
        zh: len > 30 ? '姓名过长，最多 30 个字。' : '姓名只能包含汉字、字母、间隔号“·”和空格，不能含数字或其他符号。',
        en: len > 30 ? 'Name is too long (at most 30 characters).' : 'Name may only contain Chinese characters, letters, the middle dot "·" and spaces.',
      }, shortValue(name));
      name = null;
    }
  }

  // 学号
  let studentNo = field('studentNo');
  if (studentNo !== null) {
    const cell = r.cells[header.index.studentNo!];
    studentNo = nfkc(studentNo);
    if (studentNo === '') {
      err('studentNo', 'roster.invalid_student_no', { zh: '学号不能为空。', en: 'Student number is required.' }, null);
      studentNo = null;
    } else if (cell?.unsafeNumber) {
      err('studentNo', 'roster.invalid_student_no', {
        zh: '学号以数字格式保存且位数过长，Excel 已丢失了末尾几位。请将“学号”列设置为“文本”格式后重新填写。',
        en: 'The student number is stored as a number and is too long, so Excel has lost its last digits. Format the column as Text and enter the numbers again.',
      }, studentNo);
      studentNo = null;
    } else if (!STUDENT_NO_RE.test(studentNo)) {
      err('studentNo', 'roster.invalid_student_no', {
        zh: '学号只能包含字母、数字和“-”，最长 32 位。',
        en: 'Student number may only contain letters, digits and "-" (at most 32 characters).',
      }, shortValue(studentNo));
      studentNo = null;
    } else {
      const k = studentNo.toUpperCase();
      const first = seen.studentNo.get(k);
      if (first !== undefined) {
        err('studentNo', 'roster.duplicate_student_no', {
          zh: `学号与第 ${first} 行重复，同一学号只能出现一次。`,
          en: `Duplicate student number: it already appears in row ${first}.`,
        }, studentNo);
        studentNo = null;
      } else seen.studentNo.set(k, n);
    }
  }

  // 性别
  let gender: 'M' | 'F' | null = null;
  const genderText = field('gender');
  if (genderText !== null) {
    const g = parseGender(genderText);
    if (g === undefined) {
      err('gender', 'roster.invalid_gender', {
        zh: '性别请填写“男”或“女”（也可以不填）。',
        en: 'Gender must be 男 (male) or 女 (female), or left empty.',
      }, shortValue(genderText));
    } else gender = g;
  }

  // 年级 + 班级
  const grade = field('grade');
  const className = field('className');
  let ref: { gradeLevel: number; classNo: number } | null = null;
  if (grade !== null && className !== null) {
    if (grade === '') {
      err('grade', 'roster.invalid_class', { zh: '年级不能为空。', en: 'Grade is required.' }, null);
    } else if (parseGrade(grade) === null) {
      err('grade', 'roster.invalid_class', {
        zh: '无法识别年级，请填写如“七年级”“初一”“7”“高一”“三年级”。',
        en: 'Grade not understood. Use e.g. 七年级, 初一, 7, 高一 or 三年级.',
      }, shortValue(grade));
    } else if (className === '') {
      err('className', 'roster.invalid_class', { zh: '班级不能为空。', en: 'Class is required.' }, null);
    } else {
      ref = parseClassRef(grade, className);
      if (!ref) {
        err('className', 'roster.invalid_class', {
          zh: '无法识别班级，请填写如“1”“1班”“(1)班”或“七年级(1)班”，且班级中的年级须与“年级”列一致。',
          en: 'Class not understood. Use e.g. 1, 1班, (1)班 or 七年级(1)班; a grade inside the class must match the grade column.',
        }, shortValue(className));
      }
    }
  }

  // 身份证号
  let idNumber: string | null = null;
  const idText = field('idNumber');
  if (idText !== null && idText !== '') {
    const cell = r.cells[header.index.idNumber!];
    const id = nfkc(idText).replace(/\s+/g, '').toUpperCase();
    if (cell?.numeric) {
      err('idNumber', 'roster.id_number_as_number', {
        zh: '身份证号以数字格式保存，Excel 会把 18 位号码的末几位变成 0。请将“身份证号”列设置为“文本”格式后重新填写。',
        en: 'The ID number is stored as a number, and Excel turns the last digits of an 18-digit number into zeros. Format the column as Text and enter the numbers again.',
      }, shortValue(idText));
    } else if (!isValidCnResidentId(id)) {
      err('idNumber', 'roster.invalid_id_number', {
        zh: '身份证号无效：须为 18 位，出生日期正确，最后一位校验码正确（可为 X）。',
        en: 'Invalid ID number: it must have 18 characters, a real birth date and a correct check character (may be X).',
      }, shortValue(idText));
    } else {
      const first = seen.idNumber.get(id);
      if (first !== undefined) {
        err('idNumber', 'roster.duplicate_id_number', {
          zh: `身份证号与第 ${first} 行重复，同一身份证号只能出现一次。`,
          en: `Duplicate ID number: it already appears in row ${first}.`,
        }, id);
      } else {
        seen.idNumber.set(id, n);
        idNumber = id;
      }
    }
  }

  // 家长姓名
  let parentName: string | null = null;
  const parentText = field('parentName');
  if (parentText !== null && parentText !== '') {
    const p = parentText.replace(/[・•‧∙⋅]/g, '·').replace(/\s+/g, ' ');
    if ([...p].length > 30 || !NAME_RE.test(p)) {
      err('parentName', 'roster.invalid_name', {
        zh: '家长姓名只能包含汉字、字母、间隔号“·”和空格，最多 30 个字。',
        en: 'Parent name may only contain Chinese characters, letters, "·" and spaces (at most 30 characters).',
      }, shortValue(p));
    } else parentName = p;
  }

  // 家长手机号
  let parentPhone: string | null = null;
  const phoneText = field('parentPhone');
  if (phoneText !== null && phoneText !== '') {
    parentPhone = normalizeCnMobile(phoneText);
    if (parentPhone === null) {
      err('parentPhone', 'roster.invalid_phone', {
        zh: '家长手机号无效，请填写 11 位中国大陆手机号，如 13812345678。',
        en: 'Invalid parent mobile number. Enter an 11-digit mainland China mobile number, e.g. 13812345678.',
      }, shortValue(phoneText));
    }
  }

  if (errors.length > before || name === null || studentNo === null || ref === null || grade === null || className === null) return null;
  return { row: n, name, studentNo, gender, grade, className, gradeLevel: ref.gradeLevel, classNo: ref.classNo, idNumber, parentName, parentPhone };
}

function extensionOf(filename: string): string {
  const base = String(filename ?? '').split(/[\\/]/).pop() ?? '';
  const dot = base.lastIndexOf('.');
  return dot < 0 ? '' : base.slice(dot + 1).trim().toLowerCase();
}

/**
 * Parses and validates an uploaded roster. Throws AppError for file-level problems; returns the
 * valid rows and every row error otherwise (rows with any error are not in `rows`).
 */
export async function parseRosterFile(buf: Buffer, filename: string): Promise<{ rows: RosterRow[]; errors: RosterRowError[] }> {
  const ext = extensionOf(filename);
  if (ext !== 'xlsx' && ext !== 'csv') throw unsupportedFormat();
  if (!buf || buf.length === 0) throw emptyFile();

  let raw: RawRow[];
  try {
    // Sniff the content: an .xlsx renamed to .csv (or the reverse) is read for what it is.
    raw = startsWith(buf, XLSX_MAGIC) || startsWith(buf, OLE_MAGIC) || ext === 'xlsx' ? await readXlsx(buf) : readCsv(buf);
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw unreadable('unexpected', undefined, err);
  }

  const nonBlank = raw.filter((r) => !isBlank(r));
  if (nonBlank.length === 0) throw emptyFile();
  const { header, dataStart } = findHeader(nonBlank);
  const data = nonBlank.slice(dataStart).filter((r) => {
    // A row is blank when every recognised column is empty (other columns, e.g. 备注, don't count).
    return Object.values(header.index).some((i) => {
      const c = r.cells[i as number];
      return c !== undefined && (clean(c.text) !== '' || c.formula !== undefined);
    });
  });
  if (data.length === 0) throw emptyFile();
  if (data.length > ROSTER_MAX_ROWS) throw tooManyRows(data.length);

  const rows: RosterRow[] = [];
  const errors: RosterRowError[] = [];
  const seen: Seen = { studentNo: new Map(), idNumber: new Map() };
  for (const r of data) {
    const ok = validateRow(r, header, seen, errors);
    if (ok) rows.push(ok);
  }
  return { rows, errors };
}

/** Rows whose class does not exist in the school: roster.unknown_class on 班级. */
export function checkRowsAgainstSchool(rows: RosterRow[], hasClass: (gradeLevel: number, classNo: number) => boolean): RosterRowError[] {
  const errors: RosterRowError[] = [];
  for (const r of rows) {
    if (hasClass(r.gradeLevel, r.classNo)) continue;
    const label = classLabel(r.gradeLevel, r.classNo);
    errors.push(rowError(r.row, 'className', 'roster.unknown_class', {
      zh: `本校没有“${label}”。请先在系统中创建该班级，或检查年级和班级是否填写正确。`,
      en: `The school has no class "${label}" (grade ${r.gradeLevel}, class ${r.classNo}). Create the class first, or check the grade and class.`,
    }, r.className));
  }
  return errors;
}

// ---------------------------------------------------------------------------------------------
// Template

const TEMPLATE_HELP: Record<ColumnKey, { width: number; text: boolean; help: string; example: string }> = {
  name: { width: 14, text: false, help: '学生姓名，1–30 个字；可含汉字、字母、间隔号“·”和空格。', example: '张三' },
  studentNo: { width: 18, text: true, help: '学号或学籍号，全校唯一；只能含字母、数字和“-”，最长 32 位。', example: '20250101' },
  gender: { width: 8, text: false, help: '填写“男”或“女”，可不填。', example: '男' },
  grade: { width: 10, text: false, help: '如“七年级”“初一”“7”“高一”“三年级”。', example: '七年级' },
  className: { width: 12, text: false, help: '如“1”“1班”“(1)班”“七年级(1)班”；班级须已在系统中创建。', example: '(1)班' },
  idNumber: { width: 22, text: true, help: '18 位居民身份证号，可不填；本列为文本格式，请勿改成数字格式。', example: '11010519491231002X' },
  parentName: { width: 14, text: false, help: '家长或监护人姓名，可不填。', example: '张建国' },
  parentPhone: { width: 16, text: true, help: '家长 11 位手机号，可不填；用于家长账号登录和通知。', example: '13812345678' },
};

/** Downloadable template: .xlsx with a header row and a 填写说明 sheet, or a UTF-8 (BOM) CSV header line. */
export async function rosterTemplate(format: 'xlsx' | 'csv'): Promise<Buffer> {
  if (format === 'csv') return Buffer.from('\uFEFF' + ROSTER_COLUMNS.map((c) => c.header).join(',') + '\r\n', 'utf8');

  const wb = new ExcelJS.Workbook();
  wb.creator = '智教 Zhijiao';
  const ws = wb.addWorksheet('学生名册', { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = ROSTER_COLUMNS.map((c) => {
    const h = TEMPLATE_HELP[c.key as ColumnKey];
    return { header: c.header, key: c.key, width: h.width, style: h.text ? { numFmt: '@' } : {} };
  });
  const headerRow = ws.getRow(1);
  headerRow.height = 22;
  ROSTER_COLUMNS.forEach((c, i) => {
    const cell = headerRow.getCell(i + 1);
    cell.numFmt = 'General';
    cell.font = { bold: true, color: { argb: c.required ? 'FFFFFFFF' : 'FF000000' } };
    cell.alignment = { vertical: 'middle', horizontal: 'center' };
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: c.required ? 'FFC00000' : 'FFD9D9D9' } };
    cell.note = (c.required ? '必填。' : '选填。') + TEMPLATE_HELP[c.key as ColumnKey].help;
  });
  const genderCol = ROSTER_COLUMNS.findIndex((c) => c.key === 'gender') + 1;
  const genderLetter = String.fromCharCode(64 + genderCol);
  (ws as unknown as { dataValidations: { add(address: string, v: ExcelJS.DataValidation): void } }).dataValidations.add(`${genderLetter}2:${genderLetter}${ROSTER_MAX_ROWS + 1}`, {
    type: 'list',
    allowBlank: true,
    formulae: ['"男,女"'],
    showErrorMessage: true,
    errorTitle: '性别',
    error: '请填写“男”或“女”，或留空。',
  });

  const help = wb.addWorksheet('填写说明');
  help.columns = [
    { header: '列名', key: 'header', width: 14 },
    { header: '是否必填', key: 'required', width: 10 },
    { header: '填写说明', key: 'help', width: 60 },
    { header: '示例', key: 'example', width: 22 },
  ];
  help.getRow(1).font = { bold: true };
  for (const c of ROSTER_COLUMNS) {
    const h = TEMPLATE_HELP[c.key as ColumnKey];
    const row = help.addRow({ header: c.header, required: c.required ? '必填' : '选填', help: h.help, example: h.example });
    row.getCell('example').numFmt = '@';
    row.alignment = { wrapText: true, vertical: 'top' };
  }
  help.addRow([]);
  for (const note of [
    '注意事项：',
    '1. 请在“学生名册”工作表中从第 2 行开始填写，每行一名学生；不要修改第 1 行的表头。',
    '2. 标红的列为必填列。',
    `3. 一次最多导入 ${ROSTER_MAX_ROWS} 名学生；每个单元格最多 ${ROSTER_MAX_CELL_CHARS} 个字符。`,
    '4. 不要使用公式；单元格内容不要以 =、+、-、@ 开头。',
    '5. 学号、身份证号、家长手机号三列已设置为文本格式，请勿改为数字格式，否则长号码会丢失末几位。',
    '6. 也可以上传 CSV 文件（UTF-8 或 GBK 编码，逗号分隔），表头与本模板相同。',
  ]) {
    help.addRow([note]);
  }
  const out = await wb.xlsx.writeBuffer();
  return Buffer.from(out as unknown as ArrayBuffer);
}
