/**
 * The demo region seeded on an empty database: 浙江省 > 杭州市 > 西湖区 / 余杭区, three junior
 * middle schools with grades 7–8, twelve classes, 120 students with Chinese names, their
 * teachers, head teacher, parents and administrators. Deterministic, so the README can name
 * the accounts; the password comes from configuration or is generated and printed once.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { cnIdCheckChar, maskCnId, maskPhone } from '@zhijiao/engine';
import type { AuditLog } from '../../platform/audit/index.js';
import { hashPassword, randomPassword, type DataCipher } from '../../platform/crypto/index.js';
import type { Db, Tx } from '../../platform/db/index.js';
import { classes, grades, guardians, regions, roleBindings, schools, students, users } from './tables.js';

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁沈任姚卢傅钟姜崔谭廖范汪陆金石戴贾韦夏邱方侯邹熊孟秦白江阎薛尹段雷黎史龙陶贺顾毛郝龚邵万钱严覃武';
const GIVEN =
  '子涵 一诺 欣怡 梓涵 晨曦 浩宇 宇轩 雨桐 思远 俊熙 诗涵 若汐 博文 明轩 嘉怡 语嫣 梓豪 皓轩 佳琪 子墨 思彤 天佑 沐阳 一鸣 可馨 欣然 泽宇 奕辰 书瑶 雅琪 子轩 昊然 梦瑶 雨萱 宇航 文博 静怡 怡然 俊杰 睿泽 晓彤 嘉豪 紫涵 志远 心怡 逸飞 梓睿 安琪 承泽 慧敏'.split(
    ' ',
  );
const GRADE_NAMES: Record<number, string> = { 7: '七年级', 8: '八年级' };

/** mulberry32: a tiny seeded PRNG so the demo is the same on every machine. */
function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface SchoolPlan {
  code: string;
  name: string;
  county: 0 | 1;
  teachers: { username: string; name: string; subject: string; classes: [number, number][]; headOf?: [number, number] }[];
  admin: string;
}

const SCHOOLS: SchoolPlan[] = [
  {
    code: 'XHSY',
    name: '杭州市西湖区实验中学',
    county: 0,
    admin: 'school_admin1',
    teachers: [
      { username: 'teacher1', name: '王丽华', subject: '数学', classes: [[7, 1], [7, 2]] },
      { username: 'head_teacher1', name: '陈建国', subject: '语文', classes: [[7, 1], [7, 2]], headOf: [7, 1] },
      { username: 'teacher3', name: '刘晓梅', subject: '英语', classes: [[8, 1], [8, 2]] },
    ],
  },
  {
    code: 'XHEZ',
    name: '杭州市西湖区第二中学',
    county: 0,
    admin: 'school_admin2',
    teachers: [
      { username: 'teacher2', name: '张伟', subject: '数学', classes: [[7, 1], [7, 2]] },
      { username: 'teacher4', name: '赵敏', subject: '语文', classes: [[8, 1], [8, 2]], headOf: [8, 1] },
    ],
  },
  {
    code: 'YHWC',
    name: '杭州市余杭区文昌中学',
    county: 1,
    admin: 'school_admin3',
    teachers: [{ username: 'teacher5', name: '孙志强', subject: '数学', classes: [[7, 1], [7, 2], [8, 1], [8, 2]] }],
  },
];

export interface DemoResult {
  password: string;
  generated: boolean;
  usernames: string[];
}

/** Seeds the demo region if the database has no region yet; returns null when it already had data. */
export async function seedDemoIfEmpty(
  db: Db,
  audit: AuditLog,
  cipher: DataCipher,
  configuredPassword: string | undefined,
): Promise<DemoResult | null> {
  const password = configuredPassword ?? randomPassword();
  // One hash for all demo accounts keeps the first start fast (scrypt is deliberately slow).
  const hash = await hashPassword(password);
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(4242)`);
    const [{ n }] = await tx.select({ n: sql<number>`count(*)::int` }).from(regions);
    if (n > 0) return null;
    const usernames = await seed(tx, hash, cipher);
    await audit.append(
      { actor: null, action: 'system.seed_demo', outcome: 'success', detail: { accounts: usernames.length } },
      tx,
    );
    return { password, generated: !configuredPassword, usernames };
  });
}

async function seed(tx: Tx, passwordHash: string, cipher: DataCipher): Promise<string[]> {
  const rnd = prng(20261125);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  const usernames: string[] = [];

  const user = async (username: string, displayName: string, withPassword = true) => {
    const id = randomUUID();
    await tx.insert(users).values({ id, username, displayName, passwordHash: withPassword ? passwordHash : null });
    usernames.push(username);
    return id;
  };
  const bind = (userId: string, role: string, scopeType: 'global' | 'region' | 'school' | 'class', scopeId: string | null, subject?: string) =>
    tx.insert(roleBindings).values({ userId, role, scopeType, scopeId, subject: subject ?? null });
  const region = async (parent: { id: string; path: string } | null, level: 'province' | 'city' | 'county', name: string, code: string) => {
    const id = randomUUID();
    const path = `${parent?.path ?? '/'}${id}/`;
    await tx.insert(regions).values({ id, parentId: parent?.id ?? null, level, name, code, path });
    return { id, path };
  };

  const province = await region(null, 'province', '浙江省', '330000');
  const city = await region(province, 'city', '杭州市', '330100');
  const counties = [await region(city, 'county', '西湖区', '330106'), await region(city, 'county', '余杭区', '330110')];

  await bind(await user('sysadmin', '系统管理员'), 'sysadmin', 'global', null);
  await bind(await user('auditor1', '审计员'), 'auditor', 'global', null);
  await bind(await user('province_admin', '省教育厅管理员'), 'province_admin', 'region', province.id);
  await bind(await user('city_admin1', '杭州市教育局管理员'), 'city_admin', 'region', city.id);
  await bind(await user('county_admin1', '西湖区教育局管理员'), 'county_admin', 'region', counties[0].id);
  await bind(await user('county_admin2', '余杭区教育局管理员'), 'county_admin', 'region', counties[1].id);
  await bind(await user('researcher1', '省教研员'), 'researcher', 'region', province.id);

  let studentSeq = 0;
  for (const [si, plan] of SCHOOLS.entries()) {
    const schoolId = randomUUID();
    await tx.insert(schools).values({ id: schoolId, regionId: counties[plan.county].id, name: plan.name, code: plan.code });
    await bind(await user(plan.admin, `${plan.name.replace(/^杭州市/, '')}教务管理员`), 'school_admin', 'school', schoolId);
    const classIds = new Map<string, string>();
    for (const level of [7, 8]) {
      const gradeId = randomUUID();
      await tx.insert(grades).values({ id: gradeId, schoolId, level, name: GRADE_NAMES[level] });
      for (const no of [1, 2]) {
        const classId = randomUUID();
        await tx.insert(classes).values({ id: classId, schoolId, gradeId, classNo: no, name: `${GRADE_NAMES[level]}(${no})班` });
        classIds.set(`${level}:${no}`, classId);
        for (let k = 1; k <= 10; k++) {
          studentSeq++;
          const name = pick([...SURNAMES]) + pick(GIVEN);
          const studentNo = `${2026 - (level - 6)}${si + 1}${no}${String(k).padStart(2, '0')}`;
          const id = await user(`student${studentSeq}`, name);
          const birthYear = 2026 - level - 6;
          const id17 = `330106${birthYear}${String(1 + Math.floor(rnd() * 12)).padStart(2, '0')}${String(1 + Math.floor(rnd() * 28)).padStart(2, '0')}${String(Math.floor(rnd() * 1000)).padStart(3, '0')}`;
          const idNumber = id17 + cnIdCheckChar(id17);
          const gender = Number(id17[16]) % 2 === 1 ? 'M' : 'F';
          await tx.insert(students).values({
            userId: id,
            schoolId,
            classId,
            studentNo,
            name,
            gender,
            idNumberEnc: cipher.encrypt(idNumber),
            idNumberMasked: maskCnId(idNumber),
          });
          await bind(id, 'student', 'class', classId);
          if (studentSeq === 1) {
            const phone = '13800000001';
            const parentId = await user('parent1', `${name}的家长`);
            await bind(parentId, 'parent', 'school', schoolId);
            await tx.insert(guardians).values({
              parentId,
              studentId: id,
              name: `${name}的家长`,
              phoneEnc: cipher.encrypt(phone),
              phoneMasked: maskPhone(phone),
              phoneHash: cipher.blindIndex(phone),
            });
          }
        }
      }
    }
    for (const t of plan.teachers) {
      const id = await user(t.username, t.name);
      for (const [level, no] of t.classes) await bind(id, 'teacher', 'class', classIds.get(`${level}:${no}`)!, t.subject);
      if (t.headOf) await bind(id, 'head_teacher', 'class', classIds.get(`${t.headOf[0]}:${t.headOf[1]}`)!);
    }
  }
  return usernames;
}
