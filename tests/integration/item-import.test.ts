/** Item import and export over HTTP: the .xlsx template, all-or-nothing imports, QTI 3.0 packages. */
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, startServer, type RunningServer } from '../support/server.js';

let server: RunningServer;
let teacher1: Client;
let teacher2: Client;
let student: Client;
let points: { code: string; name: string }[];
const codeOf = (prefix: string) => points.find((p) => p.name.startsWith(prefix))!.code;

async function workbook(rows: (string | number)[][]): Promise<Blob> {
  const template = await teacher1.get('/api/items/template.xlsx');
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(template.data as ArrayBuffer);
  const ws = wb.getWorksheet('题目')!;
  rows.forEach((r, i) => (ws.getRow(i + 2).values = r));
  return new Blob([await wb.xlsx.writeBuffer()]);
}
const upload = (file: Blob, name: string, fields: Record<string, string> = {}) => {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) fd.set(k, v);
  fd.set('file', file, name);
  return fd;
};
const mine = async (c: Client) => (await c.get('/api/items?owner=mine&pageSize=100')).data as { total: number; items: any[] };
const content = (it: any) => ({
  subject: it.subject,
  grade: it.grade,
  body: it.body,
  explanation: it.explanation,
  knowledgePoints: it.knowledgePoints,
  difficulty: it.difficulty,
  score: it.score,
});

beforeAll(async () => {
  server = await startServer();
  [teacher1, teacher2, student] = await Promise.all(
    ['teacher1', 'teacher2', 'student1'].map(async (u) => {
      const c = new Client(server.baseUrl);
      await c.login(u);
      return c;
    }),
  );
  points = (await teacher1.get('/api/curriculum/subjects/math/graph')).data.points;
}, 120_000);
afterAll(() => server?.stop());

describe('item import and export', () => {
  let rows: (string | number)[][];
  let importedIds: string[];

  it('serves the template to staff only', async () => {
    const r = await teacher1.get('/api/items/template.xlsx');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('spreadsheetml');
    expect(r.headers.get('content-disposition')).toContain('attachment');
    expect((await student.get('/api/items/template.xlsx')).status).toBe(403);
  });

  it('rejects a sheet with one bad row, naming it, and writes nothing', async () => {
    const formula = codeOf('公式法');
    const square = codeOf('配方法');
    //      题型 学科 年级 题干 A B C D E F 答案 解析 知识点 难度 分值
    rows = [
      ['单选题', 'math', 9, '导入测试：用公式法解方程 $x^2-5x+6=0$，较大的根是', '$2$', '$3$', '$5$', '$6$', '', '', 'B', '$x=\\frac{5\\pm1}{2}$。', formula, 2, 3],
      ['多选题', 'math', 9, '导入测试：下列方程中，可以用配方法求解的有', '$x^2+2x-3=0$', '$x^2=4$', '$2x+1=0$', '', '', '', 'A,B', '', `${square}、${formula}`, 3, 4],
      ['判断题', 'math', 9, '导入测试：方程 $x^2+1=0$ 有两个实数根。', '', '', '', '', '', '', '错', '判别式 $\\Delta=-4<0$。', formula, 2, 2],
      ['填空题', 'math', 9, '导入测试：配方 $x^2+6x+${{1}}$=(x+${{2}}$)^2$', '', '', '', '', '', '', '1=9;2=3', '', 'NO-SUCH-POINT', 2, 2],
      ['数学题', 'math', 9, '导入测试：方程 $x^2-2x-3=0$ 两根之积为', '', '', '', '', '', '', '-3', '', formula, 3, 5],
    ];
    const before = (await mine(teacher1)).total;
    const r = await teacher1.post('/api/items/import', upload(await workbook(rows), 'items.xlsx'));
    expect(r.status).toBe(422);
    expect(r.data.code).toBe('item.import_invalid');
    expect(r.data.errors).toHaveLength(1);
    expect(r.data.errors[0]).toMatchObject({ row: 5, code: 'item.unknown_knowledge_point', column: 'knowledgePoints' });
    expect(r.data.errors[0].message.zh).toContain('第 5 行');
    expect(r.data.errors[0].message.zh).toContain('NO-SUCH-POINT');
    expect((await mine(teacher1)).total).toBe(before);

    const bad = await teacher1.post('/api/items/import', upload(await workbook([rows[0], ['判断题', 'math', 9, '题', '', '', '', '', '', '', '也许', '', codeOf('公式法'), 2, 1]]), 'items.xlsx'));
    expect(bad.status).toBe(422);
    expect(bad.data.errors).toEqual([expect.objectContaining({ row: 3, column: '答案', code: 'item.xlsx.invalid_answer', value: '也许' })]);
    expect((await mine(teacher1)).total).toBe(before);
  });

  it('imports the fixed sheet in one go, searchable at once', async () => {
    rows[3][12] = codeOf('配方法');
    const before = (await mine(teacher1)).total;
    const r = await teacher1.post('/api/items/import', upload(await workbook(rows), 'items.xlsx'));
    expect(r.status, JSON.stringify(r.data)).toBe(201);
    expect(r.data.imported).toBe(5);
    expect(r.data.ids).toHaveLength(5);
    importedIds = r.data.ids;
    expect((await mine(teacher1)).total).toBe(before + 5);
    const found = await teacher1.get(`/api/items?owner=mine&q=${encodeURIComponent('导入测试 配方')}`);
    expect(found.data.items.map((i: { id: string }) => i.id)).toEqual(expect.arrayContaining([importedIds[1], importedIds[3]]));
    const fill = (await teacher1.get(`/api/items/${importedIds[3]}`)).data;
    expect(fill.body.blanks.map((b: { accepted: string[] }) => b.accepted)).toEqual([['9'], ['3']]);
    expect(fill.owner).toMatchObject({ type: 'teacher' });
    // Other teachers do not see them.
    expect((await teacher2.get(`/api/items/${importedIds[0]}`)).status).toBe(403);
    expect((await teacher2.get(`/api/items/export.qti.zip?ids=${importedIds[0]}`)).status).toBe(403);
  });

  it('exports them as a QTI 3.0 package that another teacher imports with equal content', async () => {
    const exp = await teacher1.get(`/api/items/export.qti.zip?ids=${importedIds.join(',')}`);
    expect(exp.status).toBe(200);
    expect(exp.headers.get('content-type')).toContain('application/zip');
    expect(exp.headers.get('x-item-count')).toBe('5');
    const back = await teacher2.post('/api/items/import', upload(new Blob([exp.data]), 'items.qti.zip'));
    expect(back.status, JSON.stringify(back.data)).toBe(201);
    expect(back.data.imported).toBe(5);
    for (const [i, id] of back.data.ids.entries()) {
      const copy = (await teacher2.get(`/api/items/${id}`)).data;
      const original = (await teacher1.get(`/api/items/${importedIds[i]}`)).data;
      expect(copy.owner).toEqual({ type: 'teacher', id: expect.any(String) });
      expect(copy.owner.id).not.toBe(original.owner.id);
      expect(content(copy)).toEqual(content(original));
    }
    // The search-filter form of the export.
    const bySearch = await teacher2.get(`/api/items/export.qti.zip?owner=mine&q=${encodeURIComponent('导入测试')}`);
    expect(bySearch.status).toBe(200);
    expect(bySearch.headers.get('x-item-count')).toBe('5');
  });

  it('reports unreadable uploads clearly', async () => {
    const zip = await teacher1.post('/api/items/import', upload(new Blob(['not a zip']), 'x.zip'), { 'accept-language': 'en' });
    expect(zip.status).toBe(400);
    expect(zip.data.code).toBe('item.qti_unreadable');
    const other = await teacher1.post('/api/items/import', upload(new Blob(['a,b']), 'x.csv'));
    expect(other.data.code).toBe('item.unsupported_format');
    const none = await teacher1.post('/api/items/import', new FormData());
    expect(none.data.code).toBe('item.file_missing');
  });
});
