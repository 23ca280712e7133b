import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../platform/http/errors.js';
import {
  ROSTER_COLUMNS,
  checkRowsAgainstSchool,
  parseClassRef,
  parseRosterFile,
  rosterTemplate,
  type RosterRow,
} from './roster-file.js';

// ---------------------------------------------------------------------------------------------
// Fixtures

const W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/** A valid resident ID from 17 digits (appends the MOD 11-2 check character). */
function rid(body17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(body17[i]) * W[i]!;
  return body17 + '10X98765432'[sum % 11];
}
const ID1 = rid('33010220120315123');
const ID2 = rid('44030420130229001'.replace('0229', '0228'));
const ID_X = '11010519491231002X';

const HEADER = ['姓名', '学号', '性别', '年级', '班级', '身份证号', '家长姓名', '家长手机号'];

async function xlsx(rows: ExcelJS.CellValue[][], setup?: (ws: ExcelJS.Worksheet) => void, store = false): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('名册');
  for (const r of rows) ws.addRow(r);
  setup?.(ws);
  wb.addWorksheet('other').addRow(['ignored']);
  const out = await wb.xlsx.writeBuffer(store ? ({ zip: { compression: 'STORE' } } as Partial<ExcelJS.XlsxWriteOptions>) : undefined);
  return Buffer.from(out as unknown as ArrayBuffer);
}

const utf8 = (s: string) => Buffer.from(s, 'utf8');
const csv = (lines: string[]) => utf8(lines.join('\r\n') + '\r\n');

function utf16(s: string, be = false): Buffer {
  const le = Buffer.from('\uFEFF' + s, 'utf16le');
  if (!be) return le;
  const out = Buffer.alloc(le.length);
  for (let i = 0; i < le.length; i += 2) {
    out[i] = le[i + 1]!;
    out[i + 1] = le[i]!;
  }
  return out;
}

/** GB18030 bytes, built by hand for the characters used here (ASCII passes through). */
const GB: Record<string, number[]> = {
  姓: [0xd0, 0xd5], 名: [0xc3, 0xfb], 学: [0xd1, 0xa7], 号: [0xba, 0xc5], 年: [0xc4, 0xea], 级: [0xbc, 0xb6],
  班: [0xb0, 0xe0], 性: [0xd0, 0xd4], 别: [0xb1, 0xf0], 张: [0xd5, 0xc5], 三: [0xc8, 0xfd], 七: [0xc6, 0xdf],
  男: [0xc4, 0xd0], 李: [0xc0, 0xee], 四: [0xcb, 0xc4], 初: [0xb3, 0xf5], 一: [0xd2, 0xbb], 女: [0xc5, 0xae],
  阿: [0xb0, 0xa2], 依: [0xd2, 0xc0], '·': [0xa1, 0xa4], 买: [0xc2, 0xf2], 提: [0xcc, 0xe1], 王: [0xcd, 0xf5],
  '㐀': [0x81, 0x39, 0xee, 0x39], // a four-byte GB18030 sequence
};
function gb18030(s: string): Buffer {
  const out: number[] = [];
  for (const ch of s) {
    if (ch.charCodeAt(0) < 0x80) out.push(ch.charCodeAt(0));
    else if (GB[ch]) out.push(...GB[ch]!);
    else throw new Error(`no GB bytes for ${ch}`);
  }
  return Buffer.from(out);
}

async function appError(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return e as AppError;
  }
  throw new Error('expected an AppError');
}

async function expectFileError(p: Promise<unknown>, status: number, code: string): Promise<AppError> {
  const e = await appError(p);
  expect({ status: e.status, code: e.code }).toEqual({ status, code });
  expect(e.messages.zh.length).toBeGreaterThan(5);
  expect(e.messages.en.length).toBeGreaterThan(5);
  return e;
}

/** Parses a CSV made of the standard header plus the given data lines. */
const parseLines = (lines: string[], header = 'A') =>
  parseRosterFile(csv([header === 'A' ? HEADER.join(',') : header, ...lines]), 'roster.csv');

/** Heavy tests get their own timeout so `npx vitest run <file>` works without the unit config too. */
const SLOW = 60_000;

function codes(errors: { code: string }[]): string[] {
  return errors.map((e) => e.code);
}

// ---------------------------------------------------------------------------------------------

describe('parseRosterFile: valid files', () => {
  it('reads an xlsx with numbers, rich text, hyperlinks and various class spellings', async () => {
    const buf = await xlsx([
      HEADER,
      ['张三', 20250101, '男', '七年级', '(1)班', ID1, '张建国', '13812345678'],
      [{ richText: [{ text: '李' }, { text: '四', font: { bold: true } }] }, 'S-002', 'F', '初一', '七年级（2）班', ID_X.toLowerCase(), null, '+86 139-1234-5678'],
      [{ text: '阿依·买买提', hyperlink: 'https://example.org' }, '２０２５０１０３', 'female', '高二', '3', null, '', 13912345678],
      ['  王五　', '20250104', '', '3', '一班', ' ', null, null],
    ]);
    const { rows, errors } = await parseRosterFile(buf, '名册.XLSX');
    expect(errors).toEqual([]);
    expect(rows).toEqual<RosterRow[]>([
      { row: 2, name: '张三', studentNo: '20250101', gender: 'M', grade: '七年级', className: '(1)班', gradeLevel: 7, classNo: 1, idNumber: ID1, parentName: '张建国', parentPhone: '13812345678' },
      { row: 3, name: '李四', studentNo: 'S-002', gender: 'F', grade: '初一', className: '七年级（2）班', gradeLevel: 7, classNo: 2, idNumber: ID_X, parentName: null, parentPhone: '13912345678' },
      { row: 4, name: '阿依·买买提', studentNo: '20250103', gender: 'F', grade: '高二', className: '3', gradeLevel: 11, classNo: 3, idNumber: null, parentName: null, parentPhone: '13912345678' },
      { row: 5, name: '王五', studentNo: '20250104', gender: null, grade: '3', className: '一班', gradeLevel: 3, classNo: 1, idNumber: null, parentName: null, parentPhone: null },
    ]);
  });

  it('finds the header below a title row, skips blank rows and keeps spreadsheet row numbers', async () => {
    const buf = await xlsx(
      [
        ['某某中学 2025 级学生名册'],
        ['姓名*', ' 学 号 ', '年级（必填）', '班级', '备注', '联系电话'],
        [],
        ['张三', '001', '7', '1', '转学生', '13812345678'],
        [null, null, null, null, '只有备注的行算空行'],
        ['李四', '002', '7', '2'],
      ],
      (ws) => ws.mergeCells('A1:F1'),
    );
    const { rows, errors } = await parseRosterFile(buf, 'a.xlsx');
    expect(errors).toEqual([]);
    expect(rows.map((r) => [r.row, r.name, r.classNo, r.parentPhone])).toEqual([
      [4, '张三', 1, '13812345678'],
      [6, '李四', 2, null],
    ]);
  });

  it('uses the value of vertically merged class cells for every row', async () => {
    const buf = await xlsx(
      [HEADER.slice(0, 5), ['张三', '1', '男', '七年级', '1班'], ['李四', '2', '女', '七年级', null]],
      (ws) => {
        ws.mergeCells('D2:D3');
        ws.mergeCells('E2:E3');
      },
    );
    const { rows, errors } = await parseRosterFile(buf, 'a.xlsx');
    expect(errors).toEqual([]);
    expect(rows.map((r) => [r.name, r.gradeLevel, r.classNo])).toEqual([
      ['张三', 7, 1],
      ['李四', 7, 1],
    ]);
  });

  it('reads UTF-8 csv with and without BOM, quoted cells and column aliases', async () => {
    const text = ['学生姓名,学籍号,性别,年级,班级,手机号', '张三,G330102201203151234,男,七年级,"七年级(1)班",138 1234 5678', '', ',,,,,', '"李,四",2,女,7,2'].join('\n');
    for (const buf of [utf8(text), utf8('\uFEFF' + text)]) {
      const { rows, errors } = await parseRosterFile(buf, 'x.csv');
      expect(rows.map((r) => [r.row, r.name, r.studentNo, r.parentPhone])).toEqual([[2, '张三', 'G330102201203151234', '13812345678']]);
      expect(errors).toEqual([expect.objectContaining({ row: 5, column: '姓名', code: 'roster.invalid_name', value: '李,四' })]);
    }
  });

  it('reads UTF-16LE tab-separated text (Excel "Unicode text") and UTF-16BE', async () => {
    const text = HEADER.join('\t') + '\r\n' + ['张三', '001', '男', '七年级', '1班', ID1, '张建国', '13812345678'].join('\t') + '\r\n';
    for (const buf of [utf16(text), utf16(text, true)]) {
      const { rows, errors } = await parseRosterFile(buf, 'u.csv');
      expect(errors).toEqual([]);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ name: '张三', studentNo: '001', gradeLevel: 7, classNo: 1, idNumber: ID1, parentName: '张建国' });
    }
  });

  it('reads GBK / GB18030 csv (what Excel in China saves)', async () => {
    const buf = gb18030(
      '姓名,学号,年级,班级,性别\r\n张三,20250101,七年级,1班,男\r\n李四,20250102,初一,(2)班,女\r\n阿依·买买提,20250104,七年级,3班,女\r\n王㐀,20250105,7,01,男\r\n',
    );
    expect([...buf.subarray(0, 4)]).toEqual([0xd0, 0xd5, 0xc3, 0xfb]); // 姓名
    const { rows, errors } = await parseRosterFile(buf, 'gbk.csv');
    expect(errors).toEqual([]);
    expect(rows.map((r) => [r.name, r.studentNo, r.gender, r.gradeLevel, r.classNo])).toEqual([
      ['张三', '20250101', 'M', 7, 1],
      ['李四', '20250102', 'F', 7, 2],
      ['阿依·买买提', '20250104', 'F', 7, 3],
      ['王㐀', '20250105', 'M', 7, 1],
    ]);
  });

  it('reads an xlsx that was renamed to .csv', async () => {
    const buf = await xlsx([HEADER, ['张三', '1', '男', '7', '1']]);
    const { rows } = await parseRosterFile(buf, 'renamed.csv');
    expect(rows).toHaveLength(1);
  });
});

describe('parseRosterFile: row errors', () => {
  it('reports every problem of a row, with row, column, code, bilingual message and value', async () => {
    const { rows, errors } = await parseLines(['张3,学号 1,未知,七年级,百班,123456789012345678,家长1,12345']);
    expect(rows).toEqual([]);
    expect(errors.map((e) => [e.row, e.column, e.code, e.value])).toEqual([
      [2, '姓名', 'roster.invalid_name', '张3'],
      [2, '学号', 'roster.invalid_student_no', '学号 1'],
      [2, '性别', 'roster.invalid_gender', '未知'],
      [2, '班级', 'roster.invalid_class', '百班'],
      [2, '身份证号', 'roster.invalid_id_number', '123456789012345678'],
      [2, '家长姓名', 'roster.invalid_name', '家长1'],
      [2, '家长手机号', 'roster.invalid_phone', '12345'],
    ]);
    for (const e of errors) {
      expect(e.message.zh).toMatch(/[\u4e00-\u9fff]/);
      expect(e.message.en).toMatch(/[a-z]/);
    }
  });

  it('roster.invalid_name: empty, too long, digits and symbols', async () => {
    const { errors, rows } = await parseLines([
      ',1,,7,1',
      `${'张'.repeat(31)},2,,7,1`,
      'Tom<script>,3,,7,1',
      `${'张'.repeat(30)},4,,7,1`,
      'Mary Jane  Smith,5,,7,1',
      '迪丽热巴・迪力木拉提,6,,7,1',
    ]);
    expect(errors.map((e) => [e.row, e.code, e.value])).toEqual([
      [2, 'roster.invalid_name', null],
      [3, 'roster.invalid_name', '张'.repeat(31)],
      [4, 'roster.invalid_name', 'Tom<script>'],
    ]);
    expect(rows.map((r) => r.name)).toEqual(['张'.repeat(30), 'Mary Jane Smith', '迪丽热巴·迪力木拉提']);
  });

  it('roster.invalid_student_no: empty, bad characters, too long', async () => {
    const { errors, rows } = await parseLines(['张三,,,7,1', '李四,12/34,,7,1', `王五,${'1'.repeat(33)},,7,1`, `赵六,${'1'.repeat(32)},,7,1`]);
    expect(errors.map((e) => [e.row, e.column, e.code])).toEqual([
      [2, '学号', 'roster.invalid_student_no'],
      [3, '学号', 'roster.invalid_student_no'],
      [4, '学号', 'roster.invalid_student_no'],
    ]);
    expect(rows).toHaveLength(1);
  });

  it('roster.invalid_student_no: a long number that Excel already rounded', async () => {
    const { errors } = await parseRosterFile(await xlsx([HEADER.slice(0, 5), ['张三', 12345678901234567890, '', 7, 1]]), 'a.xlsx');
    expect(codes(errors)).toEqual(['roster.invalid_student_no']);
    expect(errors[0]!.message.zh).toContain('文本');
  });

  it('roster.duplicate_student_no names the first row, on every later row (case-insensitive)', async () => {
    const { errors, rows } = await parseLines(['张三,A1,,7,1', '李四,B2,,7,1', '王五,a1,,7,1', '赵六,A1,,7,2']);
    expect(errors.map((e) => [e.row, e.column, e.code, e.value])).toEqual([
      [4, '学号', 'roster.duplicate_student_no', 'a1'],
      [5, '学号', 'roster.duplicate_student_no', 'A1'],
    ]);
    expect(errors[0]!.message.zh).toContain('第 2 行');
    expect(errors[0]!.message.en).toContain('row 2');
    expect(rows.map((r) => r.row)).toEqual([2, 3]);
  });

  it('roster.invalid_gender and accepted spellings', async () => {
    const { errors, rows } = await parseLines(['a,1,男,7,1', 'b,2,女,7,1', 'c,3,M,7,1', 'd,4,f,7,1', 'e,5,Male,7,1', 'f,6,FEMALE,7,1', 'g,7,,7,1', 'h,8,1,7,1', 'i,9,男女,7,1']);
    expect(rows.map((r) => r.gender)).toEqual(['M', 'F', 'M', 'F', 'M', 'F', null]);
    expect(errors.map((e) => [e.row, e.column, e.code])).toEqual([
      [9, '性别', 'roster.invalid_gender'],
      [10, '性别', 'roster.invalid_gender'],
    ]);
  });

  it('roster.invalid_class: empty or unknown grade (on 年级), empty or unknown class (on 班级), mismatched grade', async () => {
    const { errors } = await parseLines(['a,1,,,1', 'b,2,,十三年级,1', 'c,3,,7,', 'd,4,,7,甲班', 'e,5,,七年级,八年级(1)班', 'f,6,,7,100']);
    expect(errors.map((e) => [e.row, e.column, e.code])).toEqual([
      [2, '年级', 'roster.invalid_class'],
      [3, '年级', 'roster.invalid_class'],
      [4, '班级', 'roster.invalid_class'],
      [5, '班级', 'roster.invalid_class'],
      [6, '班级', 'roster.invalid_class'],
      [7, '班级', 'roster.invalid_class'],
    ]);
  });

  it('roster.invalid_id_number, roster.duplicate_id_number (x and X are the same), full-width digits', async () => {
    const wideId = ID1.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)));
    const { errors, rows } = await parseLines([
      `a,1,,7,1,${ID1}`,
      `b,2,,7,1,${ID1.slice(0, 17)}${ID1[17] === '0' ? '1' : '0'}`,
      `c,3,,7,1,${ID_X}`,
      `d,4,,7,1,${ID_X.toLowerCase()}`,
      `e,5,,7,1,${wideId}`,
      `f,6,,7,1,${rid('11010520991231001')}`, // born in the future
      `g,7,,7,1,${ID2}`,
    ]);
    expect(errors.map((e) => [e.row, e.column, e.code])).toEqual([
      [3, '身份证号', 'roster.invalid_id_number'],
      [5, '身份证号', 'roster.duplicate_id_number'],
      [6, '身份证号', 'roster.duplicate_id_number'],
      [7, '身份证号', 'roster.invalid_id_number'],
    ]);
    expect(errors[1]!.message.zh).toContain('第 4 行');
    expect(rows.map((r) => r.idNumber)).toEqual([ID1, ID_X, ID2]);
  });

  it('roster.id_number_as_number when Excel stored the ID as a number', async () => {
    const { errors, rows } = await parseRosterFile(
      await xlsx([HEADER, ['张三', '1', '', '7', '1', 110105194912310020], ['李四', '2', '', '7', '1', ID1]]),
      'a.xlsx',
    );
    expect(errors.map((e) => [e.row, e.column, e.code])).toEqual([[2, '身份证号', 'roster.id_number_as_number']]);
    expect(errors[0]!.message.zh).toContain('文本');
    expect(rows).toHaveLength(1);
  });

  it('roster.invalid_phone and accepted spellings', async () => {
    const { errors, rows } = await parseLines([
      'a,1,,7,1,,,+8613812345678',
      'b,2,,7,1,,,0086 138 1234 5678',
      'c,3,,7,1,,,１３８１２３４５６７８',
      'd,4,,7,1,,,010-12345678',
      'e,5,,7,1,,,1381234567',
    ]);
    expect(rows.map((r) => r.parentPhone)).toEqual(['13812345678', '13812345678', '13812345678']);
    expect(errors.map((e) => [e.row, e.column, e.code])).toEqual([
      [5, '家长手机号', 'roster.invalid_phone'],
      [6, '家长手机号', 'roster.invalid_phone'],
    ]);
  });

  it('roster.cell_too_long: 10,000-character cells, value truncated to 50 characters + …', async () => {
    const long = '张'.repeat(10_000);
    const buf = await xlsx([HEADER, [long, 'x'.repeat(10_000), '', '7', '1', null, null, '1'.repeat(201)]]);
    const { errors } = await parseRosterFile(buf, 'a.xlsx');
    expect(errors.map((e) => [e.column, e.code])).toEqual([
      ['姓名', 'roster.cell_too_long'],
      ['学号', 'roster.cell_too_long'],
      ['家长手机号', 'roster.cell_too_long'],
    ]);
    expect(errors[0]!.value).toBe('张'.repeat(50) + '…');
    const csvResult = await parseLines([`${long},1,,7,1`]);
    expect(codes(csvResult.errors)).toEqual(['roster.cell_too_long']);
  });

  it('roster.formula_not_allowed: xlsx formula cells', async () => {
    const buf = await xlsx([
      HEADER.slice(0, 5),
      ['张三', { formula: 'CONCAT("2025","01")', result: '202501' }, '男', '7', '1'],
      [{ formula: 'HYPERLINK("http://evil","点我")', result: '点我' }, '2', '男', '7', { formula: '1+0', result: 1 }],
    ]);
    const { errors, rows } = await parseRosterFile(buf, 'a.xlsx');
    expect(rows).toEqual([]);
    expect(errors.map((e) => [e.row, e.column, e.code, e.value])).toEqual([
      [2, '学号', 'roster.formula_not_allowed', '=CONCAT("2025","01")'],
      [3, '姓名', 'roster.formula_not_allowed', '=HYPERLINK("http://evil","点我")'],
      [3, '班级', 'roster.formula_not_allowed', '=1+0'],
    ]);
  });

  it('roster.formula_not_allowed: formula-injection text, but phone numbers and "-" placeholders are fine', async () => {
    const { errors, rows } = await parseLines([
      '"=HYPERLINK(""http://evil"",""x"")",1,,7,1',
      "张三,2,,7,1,,\"+cmd|' /C calc'!A0\"",
      '李四,3,,7,1,,,@SUM(1+1)',
      '王五,4,-2+3,7,1',
      '赵六,5,,7,1,,=1+1',
      '＝cmd|x,6,,7,1',
      '钱七,7,,7,1,,-,+86 138-1234-5678',
      '孙八,8,-,7,1,,--,+8613812345678',
    ]);
    expect(errors.map((e) => [e.row, e.column, e.code])).toEqual([
      [2, '姓名', 'roster.formula_not_allowed'],
      [3, '家长姓名', 'roster.formula_not_allowed'],
      [4, '家长手机号', 'roster.formula_not_allowed'],
      [5, '性别', 'roster.formula_not_allowed'],
      [6, '家长姓名', 'roster.formula_not_allowed'],
      [7, '姓名', 'roster.formula_not_allowed'],
    ]);
    // "-" / "--" are "nothing here" placeholders in optional columns.
    expect(rows.map((r) => [r.name, r.gender, r.parentName, r.parentPhone])).toEqual([
      ['钱七', null, null, '13812345678'],
      ['孙八', null, null, '13812345678'],
    ]);
  });
});

describe('parseRosterFile: file-level errors', () => {
  it('roster.unsupported_format (400)', async () => {
    for (const name of ['a.xls', 'a.txt', 'roster', 'a.xlsx.exe', 'a.numbers']) {
      await expectFileError(parseRosterFile(utf8('姓名,学号\n'), name), 400, 'roster.unsupported_format');
    }
  });

  it('roster.unreadable_file (400): garbage, corrupt zip, truncated xlsx, .xls / encrypted, binary csv, bad encodings, bad quotes', async () => {
    const good = await xlsx([HEADER, ['张三', '1', '男', '7', '1']]);
    const ole = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, ...new Array(504).fill(0)]);
    const cases: [Buffer, string][] = [
      [utf8('hello, this is not a workbook'), 'a.xlsx'],
      [good.subarray(0, Math.floor(good.length / 2)), 'a.xlsx'],
      [good.subarray(0, 100), 'a.xlsx'],
      [Buffer.concat([good.subarray(0, 4), Buffer.alloc(2000, 0x41)]), 'a.xlsx'],
      [ole, 'a.xlsx'],
      [ole, 'a.csv'],
      [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]), 'png.csv'],
      [Buffer.from([0xef, 0xbb, 0xbf, 0xe5, 0xa7, 0x93, 0xff, 0xfe]), 'bad-utf8-after-bom.csv'],
      [Buffer.from([0xd5, 0xc5, 0x2c, 0xff, 0xff, 0x0a]), 'not-gb18030.csv'],
      [Buffer.from('\u0001\u0002\u0003\u0004姓名,学号\u0005\u0006\u0007\u0008', 'utf8'), 'controls.csv'],
      [utf8('姓名,学号,年级,班级\n"张三,1,7,1\n'), 'quote.csv'],
    ];
    for (const [buf, name] of cases) {
      const e = await expectFileError(parseRosterFile(buf, name), 400, 'roster.unreadable_file');
      expect(e.details).toHaveProperty('reason');
    }
    const oleErr = await appError(parseRosterFile(ole, 'a.xlsx'));
    expect(oleErr.messages.zh).toContain('密码');
  });

  it('roster.empty (422): zero bytes, header only, blank rows only, the unfilled templates', async () => {
    const cases: [Buffer, string][] = [
      [Buffer.alloc(0), 'a.csv'],
      [Buffer.alloc(0), 'a.xlsx'],
      [utf8('\uFEFF'), 'a.csv'],
      [utf8('\n\n ,, \n'), 'a.csv'],
      [csv([HEADER.join(','), ',,,,,,,', '']), 'a.csv'],
      [await xlsx([HEADER]), 'a.xlsx'],
      [await xlsx([]), 'a.xlsx'],
      [await rosterTemplate('xlsx'), 'template.xlsx'],
      [await rosterTemplate('csv'), 'template.csv'],
    ];
    for (const [buf, name] of cases) await expectFileError(parseRosterFile(buf, name), 422, 'roster.empty');
  }, SLOW);

  it('roster.missing_columns (422) with details.missingColumns', async () => {
    const e = await expectFileError(parseRosterFile(csv(['姓名,性别,班级', '张三,男,1']), 'a.csv'), 422, 'roster.missing_columns');
    expect(e.details).toMatchObject({ missingColumns: ['学号', '年级'] });
    expect(e.messages.zh).toContain('学号、年级');
    const e2 = await expectFileError(parseRosterFile(csv(['name;student;x', 'a;b;c']), 'a.csv'), 422, 'roster.missing_columns');
    expect(e2.details).toMatchObject({ missingColumns: ['姓名', '学号', '年级', '班级'] });
  });

  it('roster.duplicate_column (422) when two columns mean the same field', async () => {
    const e = await expectFileError(parseRosterFile(csv(['姓名,学号,年级,班级,手机号,联系电话', '张三,1,7,1,13812345678,13912345678']), 'a.csv'), 422, 'roster.duplicate_column');
    expect(e.details).toMatchObject({ column: '家长手机号', headers: ['手机号', '联系电话'] });
  });

  it('roster.too_many_rows (413) above 50,000 data rows; exactly 50,000 is fine', async () => {
    const lines = (n: number) => {
      const out = ['姓名,学号,年级,班级'];
      for (let i = 0; i < n; i++) out.push(`学生,${i},7,1`);
      return utf8(out.join('\n'));
    };
    await expectFileError(parseRosterFile(lines(50_001), 'big.csv'), 413, 'roster.too_many_rows');
    const { rows, errors } = await parseRosterFile(lines(50_000), 'ok.csv');
    expect(rows.length + errors.length).toBe(50_000);
  }, SLOW);
});

describe('parseClassRef', () => {
  it.each([
    ['七年级', '1', 7, 1],
    ['初一', '1班', 7, 1],
    ['7年级', '(1)班', 7, 1],
    ['7', '（1）班', 7, 1],
    ['初中一年级', '七年级(1)班', 7, 1],
    ['八年级', '八年级2班', 8, 2],
    ['初三', '初三(12)班', 9, 12],
    ['九年级', '一班', 9, 1],
    ['七年级', '01', 7, 1],
    ['七年级', '十二班', 7, 12],
    ['七年级', '701班', 7, 1],
    ['七年级', '7-3', 7, 3],
    ['一年级', '1', 1, 1],
    ['六年级', '(3)班', 6, 3],
    ['3', '2', 3, 2],
    ['小学三年级', '2班', 3, 2],
    ['高一', '1班', 10, 1],
    ['高二', '(2)班', 11, 2],
    ['高三', '高三3班', 12, 3],
    ['十年级', '1', 10, 1],
    ['十二年级', '1', 12, 1],
    ['高中一年级', '5', 10, 5],
    ['１２', '（５）', 12, 5],
    [' 七 年 级 ', ' ( 1 ) 班 ', 7, 1],
  ])('(%s, %s) -> grade %i class %i', (g, c, gradeLevel, classNo) => {
    expect(parseClassRef(g, c)).toEqual({ gradeLevel, classNo });
  });

  it.each([
    ['', '1'],
    ['七年级', ''],
    ['十三年级', '1'],
    ['0', '1'],
    ['初四', '1'],
    ['七', '1'],
    ['研一', '1'],
    ['七年级', '0'],
    ['七年级', '100'],
    ['七年级', '八年级(1)班'],
    ['高一', '初一(1)班'],
    ['七年级', '甲班'],
    ['七年级', '1班2'],
    ['七年级', '实验班'],
    ['x'.repeat(1000), '1'],
  ])('(%s, %s) -> null', (g, c) => {
    expect(parseClassRef(g, c)).toBeNull();
  });
});

describe('checkRowsAgainstSchool', () => {
  it('reports roster.unknown_class on 班级 for classes the school does not have', async () => {
    const { rows } = await parseLines(['张三,1,,七年级,1班', '李四,2,,七年级,9班', '王五,3,,高一,(2)班']);
    const existing = new Set(['7-1', '10-1']);
    const errors = checkRowsAgainstSchool(rows, (g, c) => existing.has(`${g}-${c}`));
    expect(errors.map((e) => [e.row, e.column, e.code, e.value])).toEqual([
      [3, '班级', 'roster.unknown_class', '9班'],
      [4, '班级', 'roster.unknown_class', '(2)班'],
    ]);
    expect(errors[0]!.message.zh).toContain('七年级(9)班');
    expect(errors[1]!.message.zh).toContain('十年级(2)班');
    expect(checkRowsAgainstSchool(rows, () => true)).toEqual([]);
  });
});

describe('rosterTemplate', () => {
  it('xlsx: bold header, required columns marked, text columns, widths, 填写说明 sheet, no example rows', async () => {
    const buf = await rosterTemplate('xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(buf as unknown as ExcelJS.Buffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['学生名册', '填写说明']);
    const ws = wb.worksheets[0]!;
    expect(ws.actualRowCount).toBe(1);
    ROSTER_COLUMNS.forEach((c, i) => {
      const cell = ws.getRow(1).getCell(i + 1);
      expect(cell.value).toBe(c.header);
      expect(cell.font?.bold).toBe(true);
      const fill = cell.fill as ExcelJS.FillPattern;
      expect(fill.fgColor?.argb).toBe(c.required ? 'FFC00000' : 'FFD9D9D9');
      expect(String(typeof cell.note === 'string' ? cell.note : JSON.stringify(cell.note))).toContain(c.required ? '必填' : '选填');
      expect(ws.getColumn(i + 1).width).toBeGreaterThanOrEqual(8);
    });
    for (const key of ['studentNo', 'idNumber', 'parentPhone']) {
      const col = ROSTER_COLUMNS.findIndex((c) => c.key === key) + 1;
      expect(ws.getColumn(col).numFmt).toBe('@');
    }
    const help = wb.getWorksheet('填写说明')!;
    const text = help.getSheetValues().flat().map(String).join('\n');
    for (const c of ROSTER_COLUMNS) expect(text).toContain(c.header);
    expect(text).toContain('11010519491231002X');
    expect(text).toContain('必填');
  });

  it('xlsx: a filled-in template parses', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await rosterTemplate('xlsx')) as unknown as ExcelJS.Buffer);
    wb.worksheets[0]!.addRow(['张三', '20250101', '男', '七年级', '1班', ID1, '张建国', '13812345678']);
    const { rows, errors } = await parseRosterFile(Buffer.from((await wb.xlsx.writeBuffer()) as unknown as ArrayBuffer), 'filled.xlsx');
    expect(errors).toEqual([]);
    expect(rows).toHaveLength(1);
  }, SLOW);

  it('csv: UTF-8 with BOM, header line only', async () => {
    const buf = await rosterTemplate('csv');
    expect([...buf.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(buf.subarray(3).toString('utf8')).toBe(HEADER.join(',') + '\r\n');
    const { rows } = await parseRosterFile(Buffer.concat([buf, utf8('张三,1,男,七年级,1班,,,\r\n')]), 't.csv');
    expect(rows).toHaveLength(1);
  });
});

describe('robustness', () => {
  /** mulberry32: a small seeded PRNG so failures are reproducible. */
  function prng(seed: number) {
    return () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = seed;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  async function onlyAppErrors(buf: Buffer, name: string): Promise<string> {
    try {
      const r = await parseRosterFile(buf, name);
      expect(Array.isArray(r.rows) && Array.isArray(r.errors)).toBe(true);
      return 'ok';
    } catch (e) {
      if (!(e instanceof AppError)) throw new Error(`non-AppError for ${name} (${buf.length} bytes, head ${buf.subarray(0, 16).toString('hex')}): ${String(e)}`);
      return e.code;
    }
  }

  it('random bytes only ever give AppError or a result (200 seeded iterations per type)', async () => {
    const rnd = prng(20250101);
    const seen = new Map<string, number>();
    for (let i = 0; i < 200; i++) {
      const len = Math.floor(rnd() * 4096);
      const buf = Buffer.alloc(len);
      for (let j = 0; j < len; j++) buf[j] = Math.floor(rnd() * 256);
      // Some iterations get a plausible prefix so the deeper code paths are reached too.
      const prefixes = [[], [0x50, 0x4b, 0x03, 0x04], [0xff, 0xfe], [0xef, 0xbb, 0xbf], [...utf8('姓名,学号,年级,班级\n')]];
      const prefix = prefixes[i % prefixes.length]!;
      buf.set(prefix.slice(0, len), 0);
      for (const name of ['r.csv', 'r.xlsx']) {
        const code = await onlyAppErrors(buf, name);
        seen.set(code, (seen.get(code) ?? 0) + 1);
      }
    }
    console.log('random-bytes outcomes', Object.fromEntries(seen));
  }, SLOW);

  it('random printable text csv only ever gives AppError or a result', async () => {
    const rnd = prng(7);
    const alphabet = ['姓名', '学号', '年级', '班级', ',', '\t', '\n', '\r', '"', '=', '+', '-', '@', '张', '7', '1', '班', ' ', '　', 'x', '\u200b'];
    for (let i = 0; i < 200; i++) {
      let s = '';
      const n = Math.floor(rnd() * 400);
      for (let j = 0; j < n; j++) s += alphabet[Math.floor(rnd() * alphabet.length)];
      await onlyAppErrors(utf8(s), 't.csv');
    }
  }, SLOW);

  it('corrupted and truncated xlsx only ever give AppError or a result', async () => {
    const good = await xlsx([HEADER, ['张三', '1', '男', '7', '1', ID1, '张建国', '13812345678'], ['李四', '2', '女', '7', '2']]);
    const rnd = prng(42);
    const seen = new Map<string, number>();
    for (let i = 0; i < 150; i++) {
      const buf = Buffer.from(good);
      const flips = 1 + Math.floor(rnd() * 8);
      for (let f = 0; f < flips; f++) buf[Math.floor(rnd() * buf.length)] = Math.floor(rnd() * 256);
      const code = await onlyAppErrors(buf, 'c.xlsx');
      seen.set(code, (seen.get(code) ?? 0) + 1);
    }
    for (let cut = 0; cut < good.length; cut += Math.max(1, Math.floor(good.length / 60))) {
      const code = await onlyAppErrors(good.subarray(0, cut), 't.xlsx');
      seen.set(code, (seen.get(code) ?? 0) + 1);
    }
    console.log('corrupt-xlsx outcomes', Object.fromEntries(seen));
  }, SLOW);

  it('xlsx with corrupted XML inside an intact (uncompressed) zip only ever gives AppError or a result', async () => {
    const stored = await xlsx([HEADER, ['张三', '1', '男', '7', '1', ID1, '张建国', '13812345678'], ['李四', '2', '女', '7', '2']], undefined, true);
    expect(stored.includes('<sheetData')).toBe(true); // the XML is visible, so flips corrupt it rather than the deflate stream
    const rnd = prng(99);
    const seen = new Map<string, number>();
    const junk = [...'<>&"\'=/ x0\u0000\u00ff'].map((c) => c.charCodeAt(0));
    for (let i = 0; i < 200; i++) {
      const buf = Buffer.from(stored);
      const flips = 1 + Math.floor(rnd() * 6);
      for (let f = 0; f < flips; f++) {
        buf[Math.floor(rnd() * buf.length)] = rnd() < 0.5 ? junk[Math.floor(rnd() * junk.length)]! : Math.floor(rnd() * 256);
      }
      const code = await onlyAppErrors(buf, 's.xlsx');
      seen.set(code, (seen.get(code) ?? 0) + 1);
    }
    console.log('corrupt-xml outcomes', Object.fromEntries(seen));
  }, SLOW);

  it('parses a 20,000-row xlsx (timing is logged, not asserted)', async () => {
    const data: ExcelJS.CellValue[][] = [HEADER];
    for (let i = 0; i < 20_000; i++) {
      data.push([`学生${'甲乙丙丁'[i % 4]}`, `2025${String(i).padStart(5, '0')}`, i % 2 ? '男' : '女', `${7 + (i % 3)}年级`, `(${1 + (i % 12)})班`, null, '家长', `138${String(i).padStart(8, '0')}`]);
    }
    const buf = await xlsx(data);
    const t0 = performance.now();
    const { rows, errors } = await parseRosterFile(buf, 'big.xlsx');
    const ms = performance.now() - t0;
    console.log(`20,000-row xlsx (${(buf.length / 1024).toFixed(0)} KiB) parsed in ${ms.toFixed(0)} ms`);
    expect(errors).toEqual([]);
    expect(rows).toHaveLength(20_000);
  }, SLOW);
});
