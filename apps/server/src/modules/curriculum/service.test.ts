import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../../platform/audit/index.js';
import { openDatabase, type Database } from '../../platform/db/index.js';
import { Curriculum } from './service.js';

let database: Database;
let dir: string;
let curriculum: Curriculum;

const doc = {
  subject: { code: 'demo', name: '演示', nameEn: 'Demo' },
  domains: [{ code: 'NA', name: '数与代数', nameEn: null }],
  points: [
    { code: 'P1', name: '有理数', description: '', grade: 7, domain: 'NA', prerequisites: [] },
    { code: 'P2', name: '有理数的加法', description: '', grade: 7, domain: 'NA', prerequisites: ['P1'] },
    { code: 'P3', name: '一元一次方程', description: '', grade: 7, domain: 'NA', prerequisites: ['P2'] },
  ],
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'zhijiao-curriculum-'));
  database = await openDatabase({ dataDir: dir });
  curriculum = new Curriculum(database.db, new AuditLog(database.db));
  await curriculum.seedIfEmpty([doc]);
}, 60_000);
afterAll(async () => {
  await database.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('published graph versions', () => {
  it('are readable and answer graph queries', async () => {
    const { graph, kp } = await curriculum.published('demo');
    expect(graph.version).toBe(1);
    expect(kp.ancestors('P3')).toEqual(['P2', 'P1']);
    expect(kp.pathTo('P3', new Set(['P1']))).toEqual(['P2', 'P3']);
  });

  it('seeding twice changes nothing', async () => {
    expect(await curriculum.seedIfEmpty([doc])).toBe(0);
  });

  it('cannot be changed even by direct SQL: the database refuses', async () => {
    const attempts = [
      sql`update knowledge_points set name = '改动' where code = 'P1'`,
      sql`delete from kp_prerequisites where point_code = 'P2'`,
      sql`insert into knowledge_points (version_id, code, name, grade, position) select id, 'P9', '新增', 7, 9 from kp_graph_versions where version = 1`,
      sql`update kp_graph_versions set status = 'draft' where version = 1`,
      sql`delete from kp_graph_versions where version = 1`,
    ];
    for (const q of attempts)
      await expect(database.db.execute(q)).rejects.toMatchObject({ cause: { message: expect.stringMatching(/immutable/) } });
    // A fresh instance: no cache between the test and the database.
    const graph = await new Curriculum(database.db, new AuditLog(database.db)).getGraph('demo', 'published');
    expect(graph.points.map((p) => p.name)).toEqual(['有理数', '有理数的加法', '一元一次方程']);
    expect(graph.points[1].prerequisites).toEqual(['P1']);
  });
});
