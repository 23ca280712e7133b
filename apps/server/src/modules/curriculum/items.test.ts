import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../../platform/audit/index.js';
import type { Principal } from '../../platform/auth/principal.js';
import { openDatabase, type Database } from '../../platform/db/index.js';
import type { ItemInput } from './item-schema.js';
import { ItemBank } from './items.js';
import { Curriculum } from './service.js';

let database: Database;
let dir: string;
let bank: ItemBank;

const teacher: Principal = {
  userId: '11111111-1111-4111-8111-111111111111',
  username: 't',
  displayName: '老师',
  roles: [{ role: 'teacher', scopeType: 'class', scopeId: null, scopeName: null, subject: '数学' }],
  via: 'session',
  ip: null,
};
const item = (stem: string): ItemInput => ({
  subject: 'demo',
  grade: 7,
  body: { type: 'true_false', stem, answer: true },
  explanation: '',
  knowledgePoints: ['P1'],
  difficulty: 2,
  score: 2,
});

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'zhijiao-items-'));
  database = await openDatabase({ dataDir: dir });
  const audit = new AuditLog(database.db);
  const curriculum = new Curriculum(database.db, audit);
  await curriculum.seedIfEmpty([
    { subject: { code: 'demo', name: '演示', nameEn: 'Demo' }, domains: [], points: [{ code: 'P1', name: '有理数', description: '', grade: 7, domain: null, prerequisites: [] }] },
  ]);
  // The identity module's door, answered for a teacher who belongs to no school bank.
  bank = new ItemBank(database.db, audit, curriculum, { schoolIdsOf: async () => [] });
}, 60_000);
afterAll(async () => {
  await database.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('item versions', () => {
  it('an edit after a student answered makes a new version; the answered one stays as it was', async () => {
    const created = await bank.create(teacher, item('有理数包括整数和分数。'));
    expect(created.version).toBe(1);
    await bank.markAnswered(created.id, 1);
    const edited = await bank.update(teacher, created.id, item('有理数包括正整数、0、负整数和分数。'));
    expect(edited.version).toBe(2);
    expect(edited.locked).toBe(false);
    const v1 = await bank.get(teacher, created.id, 1);
    expect(v1.body.stem).toBe('有理数包括整数和分数。');
    expect(v1.locked).toBe(true);
    expect((await bank.versions(teacher, created.id)).map((v) => [v.version, v.locked])).toEqual([
      [1, true],
      [2, false],
    ]);
    // A second edit before anyone answers version 2 stays in version 2.
    expect((await bank.update(teacher, created.id, item('第三稿'))).version).toBe(2);
    // Search sees the current version only.
    const found = await bank.search(teacher, { q: '第三稿', page: 1, pageSize: 10 });
    expect(found.items.map((i) => i.id)).toEqual([created.id]);
  });

  it('records calibrated IRT parameters and refuses impossible ones', async () => {
    const created = await bank.create(teacher, item('待标定'));
    expect(created.irt).toBeNull();
    const cal = await bank.recordCalibration(created.id, { model: '2pl', a: 1.2, b: -0.4, seA: 0.1, seB: 0.08, n: 312 });
    expect(cal.irt).toMatchObject({ model: '2pl', a: 1.2, b: -0.4, n: 312 });
    expect((await bank.get(teacher, created.id)).irt?.seB).toBe(0.08);
    await expect(bank.recordCalibration(created.id, { model: 'rasch', a: 1, b: 0, seA: null, seB: null, n: 1.5 })).rejects.toThrow();
    await expect(bank.recordCalibration('00000000-0000-4000-8000-000000000000', { model: 'rasch', a: 1, b: 0, seA: null, seB: null, n: 10 })).rejects.toMatchObject({ code: 'item.not_found' });
  });

  it('once calibrated, search and assembly filter on the calibrated level instead of the author estimate', async () => {
    const hard = await bank.create(teacher, item('作者以为简单，其实很难'));
    const inBand = async (min: number, max: number) =>
      (await bank.search(teacher, { subject: 'demo', difficultyMin: min, difficultyMax: max, page: 1, pageSize: 100 })).items.map((i) => i.id);
    expect(await inBand(2, 2)).toContain(hard.id);
    const cal = await bank.recordCalibration(hard.id, { model: 'rasch', a: 1, b: 1.7, seA: null, seB: 0.2, n: 240 });
    expect(cal.irt?.level).toBe(5);
    expect(cal.difficulty).toBe(2); // the author's estimate is kept as it was
    expect(await inBand(2, 2)).not.toContain(hard.id);
    expect(await inBand(5, 5)).toContain(hard.id);
    // A fresh bank (e.g. after a restart) builds its index with the calibrated level too.
    const reopened = new ItemBank(database.db, new AuditLog(database.db), new Curriculum(database.db, new AuditLog(database.db)), { schoolIdsOf: async () => [] });
    const found = await reopened.search(teacher, { subject: 'demo', difficultyMin: 5, difficultyMax: 5, page: 1, pageSize: 100 });
    expect(found.items.map((i) => i.id)).toEqual([hard.id]);
  });

  it('the database refuses to change an answered version', async () => {
    const created = await bank.create(teacher, item('冻结'));
    await bank.markAnswered(created.id, 1);
    await expect(
      database.db.execute(sql`update item_versions set body = '{}' where item_id = ${created.id} and version = 1`),
    ).rejects.toMatchObject({ cause: { message: expect.stringMatching(/immutable/) } });
  });
});
