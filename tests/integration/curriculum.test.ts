/** The knowledge-point graph over HTTP: demo graphs, draft -> publish versioning, import rejection, xlsx round trip. */
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, startServer, type RunningServer } from '../support/server.js';

let server: RunningServer;
let editor: Client;
let teacher: Client;

interface Point { code: string; name: string; description: string; grade: number; domain: string | null; prerequisites: string[] }
interface Graph { version: number | null; status: string; domains: { code: string; name: string; nameEn: string | null }[]; points: Point[] }

beforeAll(async () => {
  server = await startServer();
  editor = new Client(server.baseUrl);
  await editor.login('researcher1');
  teacher = new Client(server.baseUrl);
  await teacher.login('teacher1');
}, 120_000);
afterAll(() => server?.stop());

const graphOf = async (subject: string, version = 'published') =>
  (await teacher.get(`/api/curriculum/subjects/${subject}/graph?version=${version}`)).data as Graph;

function upload(name: string, data: Uint8Array | string, type: string) {
  const fd = new FormData();
  fd.set('file', new Blob([data as BlobPart], { type }), name);
  return fd;
}

describe('curriculum', () => {
  it('seeds the junior maths and English graphs, published as version 1, with every prerequisite resolvable', async () => {
    const subjects = (await teacher.get('/api/curriculum/subjects')).data as { code: string; publishedVersion: number; pointCount: number }[];
    const math = subjects.find((s) => s.code === 'math')!;
    expect(math.publishedVersion).toBe(1);
    expect(math.pointCount).toBeGreaterThanOrEqual(80);
    expect(math.pointCount).toBeLessThanOrEqual(120);
    expect(subjects.find((s) => s.code === 'english')!.pointCount).toBeGreaterThanOrEqual(30);
    const g = await graphOf('math');
    const codes = new Set(g.points.map((p) => p.code));
    for (const p of g.points) for (const pre of p.prerequisites) expect(codes.has(pre), `${p.code} <- ${pre}`).toBe(true);
    expect(new Set(g.points.map((p) => p.domain))).toEqual(new Set(g.domains.map((d) => d.code)));
  });

  it('answers prerequisite queries: the quadratic formula needs completing the square', async () => {
    const g = await graphOf('math');
    const formula = g.points.find((p) => p.name.startsWith('公式法'))!;
    expect(formula).toBeTruthy();
    const r = await teacher.get(`/api/curriculum/subjects/math/points/${formula.code}/prerequisites`);
    expect(r.status).toBe(200);
    const names = new Map(g.points.map((p) => [p.code, p.name]));
    expect(r.data.ancestors.map((c: string) => names.get(c)).join(' ')).toContain('配方');
    // The learning path ends at the goal and respects every edge.
    const path: string[] = r.data.path;
    expect(path.at(-1)).toBe(formula.code);
    const pos = new Map(path.map((c, i) => [c, i]));
    for (const c of path) for (const pre of g.points.find((p) => p.code === c)!.prerequisites) expect(pos.get(pre)!).toBeLessThan(pos.get(c)!);
  });

  it('edits go into a draft; publishing makes version 2 and version 1 stays as it was', async () => {
    const v1 = await graphOf('english');
    const draft = (await editor.post('/api/curriculum/subjects/english/draft')).data as Graph;
    expect(draft.status).toBe('draft');
    expect(draft.points).toEqual(v1.points);
    const added: Point = { code: 'E9-NEW-01', name: '虚拟语气（拓展）', description: '了解 if 引导的虚拟条件句。', grade: 9, domain: v1.points.at(-1)!.domain, prerequisites: [v1.points.at(-1)!.code] };
    const put = await editor.request('PUT', '/api/curriculum/subjects/english/draft', { domains: v1.domains, points: [...v1.points, added] });
    expect(put.status).toBe(200);
    expect((await graphOf('english')).points).toHaveLength(v1.points.length); // readers still see v1
    const pub = await editor.post('/api/curriculum/subjects/english/draft/publish', { note: '增加拓展知识点' });
    expect(pub.status).toBe(200);
    expect(pub.data.version).toBe(2);
    expect((await graphOf('english')).points).toHaveLength(v1.points.length + 1);
    expect((await graphOf('english', '1')).points).toEqual(v1.points);
    expect((await editor.post('/api/curriculum/subjects/english/draft/publish', {})).data.code).toBe('curriculum.no_draft');
  });

  it('rejects a graph with a cycle, a dangling prerequisite and a duplicate code whole, naming every row', async () => {
    await editor.post('/api/curriculum/subjects/math/draft');
    const before = await graphOf('math', 'draft');
    const bad = {
      domains: [{ code: 'D', name: '领域' }],
      points: [
        { code: 'A', name: '甲', grade: 7, domain: 'D', prerequisites: ['C'] },
        { code: 'B', name: '乙', grade: 7, domain: 'D', prerequisites: ['A'] },
        { code: 'C', name: '丙', grade: 7, domain: 'D', prerequisites: ['B'] },
        { code: 'D1', name: '丁', grade: 7, domain: 'D', prerequisites: ['NOPE'] },
        { code: 'A', name: '重复', grade: 7, domain: 'D', prerequisites: [] },
      ],
    };
    const r = await editor.request('PUT', '/api/curriculum/subjects/math/draft', bad, { 'accept-language': 'en' });
    expect(r.status).toBe(422);
    expect(r.data.code).toBe('curriculum.invalid_graph');
    const kinds = r.data.problems.map((p: { row: number; kind: string }) => `${p.row}:${p.kind}`);
    expect(kinds).toEqual(expect.arrayContaining(['1:cycle', '2:cycle', '3:cycle', '4:dangling_prerequisite', '5:duplicate_code']));
    expect(await graphOf('math', 'draft')).toEqual(before); // nothing written
  });

  it('exports a version as .xlsx and imports it back into the draft unchanged; a bad sheet row is named', async () => {
    const v = await graphOf('math');
    const x = await teacher.get('/api/curriculum/subjects/math/graph/export?format=xlsx');
    expect(x.status).toBe(200);
    const buf = Buffer.from(x.data as ArrayBuffer);
    const imp = await editor.post('/api/curriculum/subjects/math/draft/import', upload('math.xlsx', buf, 'application/octet-stream'));
    expect(imp.status).toBe(200);
    expect(imp.data.points).toEqual(v.points);
    expect(imp.data.domains).toEqual(v.domains);

    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(buf as unknown as ArrayBuffer);
    const sheet = wb.getWorksheet('知识点')!;
    sheet.getRow(10).getCell(6).value = 'NOT-A-CODE';
    sheet.getRow(20).getCell(4).value = 15;
    const bad = await editor.post('/api/curriculum/subjects/math/draft/import', upload('bad.xlsx', Buffer.from(await wb.xlsx.writeBuffer()), 'application/octet-stream'));
    expect(bad.status).toBe(422);
    const rows = bad.data.problems.map((p: { row: number; kind: string; field: string | null }) => `${p.row}:${p.kind}`);
    expect(rows).toEqual(expect.arrayContaining(['10:dangling_prerequisite', '20:invalid_field']));
    expect((await graphOf('math', 'draft')).points).toEqual(v.points);
  });

  it('a teacher may read but not edit', async () => {
    expect((await teacher.post('/api/curriculum/subjects/math/draft')).status).toBe(403);
    expect((await teacher.request('PUT', '/api/curriculum/subjects/math/draft', { domains: [], points: [] })).status).toBe(403);
  });
});
