import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../db/index.js';
import { AuditLog, canonicalJson } from './index.js';

let database: Database;
let dir: string;
let audit: AuditLog;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'zhijiao-audit-'));
  database = await openDatabase({ dataDir: dir });
  audit = new AuditLog(database.db);
}, 60_000);
afterAll(async () => {
  await database.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('canonicalJson', () => {
  it('does not depend on key order, at any depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe(
      canonicalJson({ a: { c: null, d: [1, { x: 1, y: 2 }] }, b: 1 }),
    );
    expect(canonicalJson({ a: 1 })).not.toBe(canonicalJson({ a: 2 }));
  });
});

describe('audit chain', () => {
  it('verifies an intact chain, also with concurrent appends', async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        audit.append({ actor: { userId: null, username: `u${i}` }, action: 'test.write', outcome: 'success', detail: { i, z: 'x', a: [1, 2] } }),
      ),
    );
    const r = await audit.verify();
    expect(r).toEqual({ ok: true, checked: 20, firstBroken: null });
    const page = await audit.query({ action: 'test.', page: 1, pageSize: 5 });
    expect(page.total).toBe(20);
    expect(page.items.map((e) => e.seq)).toEqual([20, 19, 18, 17, 16]);
  });

  it('names the first altered entry', async () => {
    await database.db.execute(sql`update audit_log set detail = '{"i": 999}' where seq = 7`);
    const r = await audit.verify();
    expect(r.ok).toBe(false);
    expect(r.firstBroken).toEqual({ seq: 7, reason: 'content does not match its hash' });
    expect(r.checked).toBe(6);
  });

  it('names a deleted entry as missing', async () => {
    await database.db.execute(sql`delete from audit_log where seq = 3`);
    const r = await audit.verify();
    expect(r.firstBroken).toEqual({ seq: 3, reason: 'entry 3 is missing' });
  });
});
