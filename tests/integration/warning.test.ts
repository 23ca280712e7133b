/**
 * Early warning over HTTP: attendance entry and import, alerts with evidence, the closed loop,
 * scope, wellbeing referrals, and escalation timing. The server runs in this process (the same
 * composition as `npm start`) so the test can hold the warning module's clock.
 */
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform } from '../../apps/server/src/main.js';
import { loadConfig } from '../../apps/server/src/platform/config.js';
import { Client, DEMO_PASSWORD, freshDatabase } from '../support/server.js';

const HOUR = 3600_000;
/** The warning module's clock, moved by the tests. */
let now = new Date();
let platform: Awaited<ReturnType<typeof startPlatform>>;
let baseUrl: string;
let cleanup: () => Promise<void>;

const day = (offsetDays: number) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(now.getTime() + offsetDays * 86_400_000));

async function as(username: string) {
  const c = new Client(baseUrl);
  await c.login(username);
  return c;
}

let ownClass: string;
let students: { id: string; name: string; studentNo: string }[];

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'zhijiao-warning-'));
  const template = process.env.ZHIJIAO_TEST_TEMPLATE;
  if (template && existsSync(join(template, 'db'))) cpSync(template, dir, { recursive: true });
  const fresh = process.env.TEST_DATABASE_URL ? await freshDatabase(process.env.TEST_DATABASE_URL) : null;
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    ZHIJIAO_DATA_DIR: dir,
    ZHIJIAO_DEMO_PASSWORD: DEMO_PASSWORD,
    // As every test server (tests/support/server.ts): no demo unit test. On a fresh database
    // (PostgreSQL) it would otherwise add an assignment for this class and mark its submissions in
    // the job worker while the tests run, so mastery values (and mastery alerts) would appear at
    // whichever sweep happens to come after the marking, and escalate with the homework alerts.
    ZHIJIAO_DEMO_ACTIVITY: 'false',
    ...(fresh ? { DATABASE_URL: fresh.url } : {}),
  });
  platform = await startPlatform(config, { now: () => new Date(now.getTime()) });
  const addr = platform.app.server.address();
  baseUrl = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  cleanup = async () => {
    await platform.close();
    await fresh?.drop();
    rmSync(dir, { recursive: true, force: true });
  };
  const teacher = await as('teacher1');
  const classes = (await teacher.get('/api/classes')).data as { id: string; name: string; schoolName: string }[];
  ownClass = classes.find((c) => c.name === '七年级(1)班')!.id;
  students = (await teacher.get(`/api/classes/${ownClass}/students`)).data;
}, 120_000);
afterAll(() => cleanup?.());

const enter = (c: Client, date: string, records: { studentId: string; status: string; reason?: string }[]) =>
  c.post('/api/warning/attendance', { classId: ownClass, date, records });

async function workbook(rows: (string | Date)[][]) {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('考勤');
  ws.addRow(['学号', '日期', '状态', '原因']);
  for (const r of rows) ws.addRow(r);
  const fd = new FormData();
  fd.set('classId', ownClass);
  fd.set('file', new Blob([await wb.xlsx.writeBuffer()]), '考勤.xlsx');
  return fd;
}

describe('attendance and the attendance rule', () => {
  it('raises an alert on the third consecutive unexcused absence, with the records as evidence', async () => {
    const teacher = await as('teacher1');
    const s = students[0]!;
    const others = students.slice(1).map((x) => ({ studentId: x.id, status: 'present' }));
    expect((await enter(teacher, day(-10), [{ studentId: s.id, status: 'absent' }, ...others])).data).toMatchObject({ saved: 10, alertsRaised: 0 });
    expect((await enter(teacher, day(-9), [{ studentId: s.id, status: 'excused_absence', reason: '病假' }])).data.alertsRaised).toBe(0);
    expect((await enter(teacher, day(-8), [{ studentId: s.id, status: 'absent' }])).data.alertsRaised).toBe(0);
    const third = await enter(teacher, day(-7), [{ studentId: s.id, status: 'absent' }]);
    expect(third.status).toBe(200);
    expect(third.data.alertsRaised).toBe(1);
    // Entering the same day again changes nothing and raises no second alert.
    expect((await enter(teacher, day(-7), [{ studentId: s.id, status: 'absent' }])).data).toMatchObject({ saved: 1, corrected: 0, alertsRaised: 0 });

    const list = (await teacher.get('/api/warning/alerts?kind=attendance')).data as any[];
    const mine = list.filter((a) => a.student.id === s.id);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ status: 'open', level: 'owner', owner: { name: '陈建国' }, student: { name: s.name }, headline: { count: 3 } });
    const detail = (await teacher.get(`/api/warning/alerts/${mine[0].id}`)).data;
    expect(detail.evidence.records.map((r: any) => r.date)).toEqual([day(-10), day(-8), day(-7)]);
    expect(detail.evidence.records.every((r: any) => r.status === 'absent' && r.source === 'entry')).toBe(true);
    expect(detail.actions.map((a: any) => a.action)).toEqual(['raised']);
  });

  it('reads a class’s attendance back for a date range', async () => {
    const teacher = await as('teacher1');
    const r = await teacher.get(`/api/warning/classes/${ownClass}/attendance?from=${day(-10)}&to=${day(-7)}`);
    expect(r.status).toBe(200);
    expect(r.data.records.filter((x: any) => x.studentId === students[0]!.id).map((x: any) => x.status)).toEqual(['absent', 'excused_absence', 'absent', 'absent']);
  });

  it('refuses a student outside the class and a day in the future, saving nothing', async () => {
    const teacher = await as('teacher1');
    const bad = await enter(teacher, day(-6), [{ studentId: students[1]!.id, status: 'absent' }, { studentId: '00000000-0000-4000-8000-000000000000', status: 'absent' }]);
    expect(bad.status).toBe(422);
    expect(bad.data.code).toBe('warning.attendance_invalid');
    expect(bad.data.problems).toEqual([{ index: 1, studentId: '00000000-0000-4000-8000-000000000000', problem: 'not_in_class' }]);
    const future = await enter(teacher, day(3), [{ studentId: students[1]!.id, status: 'present' }]);
    expect(future.data.code).toBe('warning.date_in_future');
    const read = await teacher.get(`/api/warning/classes/${ownClass}/attendance?from=${day(-6)}&to=${day(5)}`);
    expect(read.data.records).toEqual([]);
  });

  it('imports a workbook all or nothing: a bad row changes nothing and is reported', async () => {
    const head = await as('head_teacher1');
    const [a, b] = [students[2]!, students[3]!];
    const bad = await head.post('/api/warning/attendance/import', await workbook([
      [a.studentNo, day(-5), '缺勤', '未请假'],
      [b.studentNo, day(-5), '旷到', ''],
      ['99999999', day(-5), '出勤', ''],
    ]));
    expect(bad.status).toBe(422);
    expect(bad.data.code).toBe('warning.import_invalid');
    expect(bad.data.errors.map((e: any) => [e.row, e.column, e.code])).toEqual([
      [3, '状态', 'warning.import_status_invalid'],
      [4, '学号', 'warning.import_student_unknown'],
    ]);
    expect(bad.data.errors[0].message.zh).toContain('出勤、缺勤、迟到 或 请假');
    expect(bad.data.errors[0].message.en).toContain('Row 3');
    let read = await head.get(`/api/warning/classes/${ownClass}/attendance?from=${day(-5)}&to=${day(-5)}`);
    expect(read.data.records).toEqual([]);

    const good = await head.post('/api/warning/attendance/import', await workbook([
      [a.studentNo, day(-5), '缺勤', '未请假'],
      [b.studentNo, day(-5).replaceAll('-', '/'), '请假', '家中有事'],
    ]));
    expect(good.status).toBe(200);
    expect(good.data).toMatchObject({ saved: 2 });
    read = await head.get(`/api/warning/classes/${ownClass}/attendance?from=${day(-5)}&to=${day(-5)}`);
    expect(read.data.records.map((r: any) => [r.studentId, r.status, r.source])).toEqual(
      expect.arrayContaining([
        [a.id, 'absent', 'import'],
        [b.id, 'excused_absence', 'import'],
      ]),
    );
  });
});

describe('scope', () => {
  it('only the school’s own staff see alerts and attendance; region admins get counts without names', async () => {
    const alertId = ((await (await as('teacher1')).get('/api/warning/alerts')).data as any[])[0].id;
    for (const u of ['teacher2', 'student1', 'parent1', 'researcher1']) {
      const c = await as(u);
      expect((await c.get(`/api/warning/alerts/${alertId}`)).status, u).toBe(403);
      expect((await c.get(`/api/warning/classes/${ownClass}/attendance?from=${day(-10)}&to=${day(0)}`)).status, u).toBe(403);
      expect((await enter(c, day(-4), [{ studentId: students[0]!.id, status: 'present' }])).status, u).toBe(403);
    }
    expect((await (await as('teacher2')).get('/api/warning/alerts')).data).toEqual([]);
    expect((await (await as('student1')).get('/api/warning/alerts')).status).toBe(403);
    expect((await (await as('county_admin1')).get('/api/warning/alerts')).status).toBe(403);
    const counts = await (await as('county_admin1')).get('/api/warning/counts');
    expect(counts.status).toBe(200);
    expect(counts.data.schools.map((s: any) => s.schoolName).sort()).toEqual(['杭州市西湖区实验中学', '杭州市西湖区第二中学'].sort());
    expect(counts.data.schools.find((s: any) => s.schoolName === '杭州市西湖区实验中学').byKind.attendance).toBe(1);
    expect(JSON.stringify(counts.data)).not.toContain(students[0]!.name);
    expect((await (await as('researcher1')).get('/api/warning/counts')).status).toBe(403);
  });
});

describe('the closed loop', () => {
  it('verify → follow up → close by the owner, each step logged; a class teacher who is not the owner may not act', async () => {
    const teacher = await as('teacher1');
    const head = await as('head_teacher1');
    const [alert] = ((await head.get('/api/warning/alerts?kind=attendance&status=open')).data as any[]).filter((a) => a.student.id === students[0]!.id);
    expect(alert.canAct).toBe(true);
    expect((await teacher.post(`/api/warning/alerts/${alert.id}/verify`, {})).status).toBe(403);
    const early = await head.post(`/api/warning/alerts/${alert.id}/close`, {});
    expect(early.status).toBe(409);
    expect(early.data.code).toBe('warning.invalid_transition');
    expect((await head.post(`/api/warning/alerts/${alert.id}/follow-up`, { note: '' })).status).toBe(400);

    now = new Date(now.getTime() + HOUR);
    const verified = await head.post(`/api/warning/alerts/${alert.id}/verify`, { note: '已电话联系家长，确认孩子在家' });
    expect(verified.data).toMatchObject({ status: 'verified', dueAt: null });
    expect((await head.post(`/api/warning/alerts/${alert.id}/follow-up`, { note: '家访，约定下周一返校' })).data.status).toBe('followed_up');
    const closed = await head.post(`/api/warning/alerts/${alert.id}/close`, { note: '已返校' });
    expect(closed.data.status).toBe('closed');
    expect(closed.data.actions.map((a: any) => [a.action, a.actor?.name ?? null, a.note])).toEqual([
      ['raised', null, null],
      ['verified', '陈建国', '已电话联系家长，确认孩子在家'],
      ['followed_up', '陈建国', '家访，约定下周一返校'],
      ['closed', '陈建国', '已返校'],
    ]);
    // The same absences do not raise the alert again once it has been handled.
    await platform.warning.sweep();
    expect(((await head.get('/api/warning/alerts?kind=attendance')).data as any[]).filter((a) => a.student.id === students[0]!.id)).toHaveLength(1);

    const auditor = await as('auditor1');
    const log = await auditor.get(`/api/audit?action=warning.alert.close&pageSize=10`);
    expect(log.data.items.some((e: any) => e.resourceId === alert.id && e.actorName === 'head_teacher1')).toBe(true);
  });
});

describe('missing homework and escalation with a controllable clock', () => {
  let alertId: string;
  let raisedAt: number;

  it('raises a missing-homework alert owned by the assignment’s author', async () => {
    const teacher = await as('teacher1');
    const realNow = Date.now();
    for (const [title, dueOffset] of [['第一周作业', -2], ['第二周作业', -1]] as const) {
      const r = await teacher.post('/api/assignments', {
        title,
        classIds: [ownClass],
        openAt: new Date(realNow - 3 * 24 * HOUR).toISOString(),
        dueAt: new Date(realNow + dueOffset * HOUR).toISOString(),
        blueprint: { subject: 'math', grade: 7, rows: [{ knowledgePoints: ['M7-NA-01'], type: 'single_choice', count: 1, score: 2 }] },
      });
      expect(r.status, JSON.stringify(r.data)).toBe(201);
    }
    now = new Date(realNow);
    raisedAt = now.getTime();
    await platform.warning.sweep();
    const list = (await teacher.get('/api/warning/alerts?kind=homework')).data as any[];
    expect(list).toHaveLength(students.length);
    const a = list.find((x) => x.student.id === students[0]!.id);
    expect(a).toMatchObject({ status: 'open', level: 'owner', owner: { name: '王丽华' }, headline: { count: 2 } });
    expect(new Date(a.dueAt).getTime()).toBe(raisedAt + 48 * HOUR);
    const detail = (await teacher.get(`/api/warning/alerts/${a.id}`)).data;
    expect(detail.evidence.assignments.map((x: any) => x.title)).toEqual(['第一周作业', '第二周作业']);
    alertId = a.id;
  });

  it('moves to the head teacher only after the owner’s deadline, then to the school admin', async () => {
    const teacher = await as('teacher1');
    const owner = async () => (await teacher.get(`/api/warning/alerts/${alertId}`)).data;

    now = new Date(raisedAt + 48 * HOUR); // exactly at the deadline: still the owner's
    expect((await platform.warning.sweep()).escalated).toBe(0);
    expect((await owner()).owner.name).toBe('王丽华');

    now = new Date(raisedAt + 48 * HOUR + 60_000);
    expect((await platform.warning.sweep()).escalated).toBe(students.length);
    expect(await owner()).toMatchObject({ level: 'head_teacher', owner: { name: '陈建国' } });
    expect(new Date((await owner()).dueAt).getTime()).toBe(raisedAt + 96 * HOUR);

    now = new Date(raisedAt + 96 * HOUR);
    await platform.warning.sweep();
    expect((await owner()).level).toBe('head_teacher');

    now = new Date(raisedAt + 96 * HOUR + 60_000);
    await platform.warning.sweep();
    const top = await owner();
    expect(top).toMatchObject({ level: 'school_admin', owner: { name: '西湖区实验中学教务管理员' }, dueAt: null });
    expect(top.actions.filter((x: any) => x.action === 'escalated').map((x: any) => [x.detail.from, x.detail.to])).toEqual([
      ['owner', 'head_teacher'],
      ['head_teacher', 'school_admin'],
    ]);
    // The school admin now owns it and may dismiss it as a false positive (with a reason).
    const admin = await as('school_admin1');
    expect((await admin.post(`/api/warning/alerts/${alertId}/dismiss`, {})).status).toBe(400);
    const dismissed = await admin.post(`/api/warning/alerts/${alertId}/dismiss`, { note: '作业已线下提交' });
    expect(dismissed.data).toMatchObject({ status: 'dismissed', dismissReason: '作业已线下提交' });
  });

  it('a verified alert no longer escalates', async () => {
    const head = await as('head_teacher1');
    const open = ((await head.get('/api/warning/alerts?kind=homework&status=open')).data as any[]).find((a) => a.student.id === students[1]!.id);
    expect(open.level).toBe('school_admin');
    await head.post(`/api/warning/alerts/${open.id}/verify`, { note: '已核实' });
    now = new Date(now.getTime() + 500 * HOUR);
    await platform.warning.sweep();
    expect((await head.get(`/api/warning/alerts/${open.id}`)).data).toMatchObject({ status: 'verified', dueAt: null });
  });
});

describe('wellbeing referrals', () => {
  it('reach the named person only (and the school admin), with the note; never another teacher', async () => {
    const teacher = await as('teacher1');
    const recipients = (await teacher.get(`/api/warning/students/${students[4]!.id}/referral-recipients`)).data as { id: string; name: string }[];
    const head = recipients.find((r) => r.name === '陈建国')!;
    expect(recipients.some((r) => r.name === '张伟')).toBe(false); // another school's teacher
    const note = '近两周情绪低落，课间独处，建议心理老师关注';
    const created = await teacher.post('/api/warning/referrals', { studentId: students[4]!.id, referredTo: head.id, note });
    expect(created.status).toBe(201);
    expect(created.data).toMatchObject({ note, status: 'open', referredTo: { name: '陈建国' }, referredBy: { name: '王丽华' } });

    expect(((await (await as('head_teacher1')).get('/api/warning/referrals')).data as any[]).map((r) => r.note)).toEqual([note]);
    expect(((await (await as('school_admin1')).get('/api/warning/referrals')).data as any[]).map((r) => r.id)).toEqual([created.data.id]);
    expect((await (await as('teacher3')).get('/api/warning/referrals')).data).toEqual([]);
    expect((await (await as('teacher2')).get('/api/warning/referrals')).data).toEqual([]);
    for (const u of ['student1', 'parent1', 'researcher1']) expect((await (await as(u)).get('/api/warning/referrals')).status, u).toBe(403);
    // Not a named person of the school: refused.
    const teacher2Id = (await (await as('teacher2')).get('/api/me')).data.id;
    const wrong = await teacher.post('/api/warning/referrals', { studentId: students[4]!.id, referredTo: teacher2Id, note });
    expect(wrong.status).toBe(422);
    expect(wrong.data.code).toBe('warning.referral_recipient_invalid');
    // No rule ever produces a wellbeing label: alerts are only attendance, homework and mastery.
    const kinds = new Set(((await (await as('school_admin1')).get('/api/warning/alerts')).data as any[]).map((a) => a.kind));
    expect([...kinds].every((k) => ['attendance', 'homework', 'mastery'].includes(k))).toBe(true);
    // The referrer cannot close it; the named person can.
    expect((await teacher.post(`/api/warning/referrals/${created.data.id}/close`)).status).toBe(403);
    expect((await (await as('head_teacher1')).post(`/api/warning/referrals/${created.data.id}/close`)).data.status).toBe('closed');
  });
});

describe('mastery drop', () => {
  it('a sharp fall of a knowledge point’s mastery raises an alert for the subject teacher, with the values as evidence', async () => {
    now = new Date(Date.now() + 60_000);
    const teacher = await as('teacher1');
    const items = (await teacher.get('/api/items?owner=region&subject=math&type=single_choice&pageSize=50')).data.items as any[];
    const item = items.find((it) => it.knowledgePoints.length === 1)!;
    const code = item.knowledgePoints[0] as string;
    const right = item.body.answer as string;
    const wrong = item.body.options.map((o: any) => o.key).find((k: string) => k !== right);
    // Nothing earlier in this file produces mastery values: the alert checked below is this test's.
    expect(((await teacher.get('/api/warning/alerts?kind=mastery')).data as any[]).filter((x) => x.student.id === students[0]!.id)).toEqual([]);
    const student = await as('student1');
    const marks: number[] = [];
    for (const answer of [right, right, right, right, wrong, wrong, wrong, wrong, wrong]) {
      const r = await student.post('/api/learning/practice', { itemId: item.id, answer });
      expect(r.status, JSON.stringify(r.data)).toBe(200);
      marks.push(r.data.mastery.find((m: any) => m.code === code).after);
    }
    expect(Math.max(...marks) - marks[marks.length - 1]!).toBeGreaterThanOrEqual(0.3);

    await platform.warning.sweep();
    const list = (await teacher.get('/api/warning/alerts?kind=mastery')).data as any[];
    const a = list.find((x) => x.student.id === students[0]!.id);
    expect(a).toMatchObject({ status: 'open', owner: { name: '王丽华' }, headline: { count: 1 } });
    const detail = (await teacher.get(`/api/warning/alerts/${a.id}`)).data;
    expect(detail.evidence.points).toEqual([
      expect.objectContaining({ subject: 'math', code, from: expect.objectContaining({ pKnow: expect.closeTo(Math.max(...marks), 2) }), to: expect.objectContaining({ pKnow: expect.closeTo(marks[marks.length - 1]!, 2) }) }),
    ]);
    // Sweeping again with nothing new changes nothing.
    await platform.warning.sweep();
    expect(((await teacher.get('/api/warning/alerts?kind=mastery')).data as any[]).filter((x) => x.student.id === students[0]!.id)).toHaveLength(1);
  });
});
