/**
 * Demo activity: right after the demo region is first seeded, each demo maths teacher sets one
 * grade-7 unit test for their classes and the demo students answer it, so the reports, the
 * cockpit and the portraits have real marked answers to show on a fresh install. It goes through
 * the modules' own doors (create, submit, the marking job, the `submission.marked` event), as the
 * demo accounts would over HTTP, so every figure is produced the way production produces it.
 * Off with ZHIJIAO_DEMO_ACTIVITY=false (the test suites start without it).
 */
import { randomUUID } from 'node:crypto';
import { mulberry32 } from '@zhijiao/engine';
import type { Logger } from 'pino';
import type { Principal } from './platform/auth/principal.js';
import type { Item } from './modules/curriculum/index.js';

export interface DemoActivityDeps {
  identity: {
    demoPrincipal(username: string): Promise<Principal | null>;
    demoPrincipalOf(userId: string): Promise<Principal>;
    classMembers(classIds: string[]): Promise<{ id: string; classId: string }[]>;
    enrolment(studentId: string): Promise<{ gradeLevel: number } | null>;
  };
  curriculum: { searchItems(p: Principal, f: { subject: string; grade: number; type: string; page: number; pageSize: number }): Promise<{ items: Item[] }> };
  assessment: {
    createAssignment(p: Principal, input: Record<string, unknown>): Promise<string>;
    submit(p: Principal, id: string, clientId: string, answers: Record<string, unknown>): Promise<unknown>;
  };
}

/** The demo maths teachers (one per demo school) whose classes take the unit test. */
const TEACHERS = ['teacher1', 'teacher2', 'teacher5'];
/** Share of students who do not hand the test in (so completion is not a flat 100 %). */
const ABSENT = 0.08;

/** A student's answer: right with the Rasch probability of ability θ against the item, else a wrong option. */
function answer(item: Item, theta: number, rnd: () => number): unknown {
  const b = item.irt?.b ?? item.difficulty - 3;
  const right = rnd() < 1 / (1 + Math.exp(-(theta - b)));
  const body = item.body;
  if (body.type === 'true_false') return right ? body.answer : !body.answer;
  if (body.type === 'single_choice') {
    if (right) return body.answer;
    const wrong = body.options.map((o) => o.key).filter((k) => k !== body.answer);
    return wrong[Math.floor(rnd() * wrong.length)] ?? body.answer;
  }
  return null;
}

/** Standard normal draw (Box–Muller) from a seeded uniform source. */
const normal = (rnd: () => number) => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());

export async function seedDemoActivity(d: DemoActivityDeps, log: Logger): Promise<number> {
  const rnd = mulberry32(20261206);
  let submitted = 0;
  const now = Date.now();
  for (const username of TEACHERS) {
    const teacher = await d.identity.demoPrincipal(username);
    if (!teacher) continue;
    const classIds = [...new Set(teacher.roles.filter((r) => r.role === 'teacher' && r.scopeType === 'class' && r.scopeId).map((r) => r.scopeId!))];
    const choice = (await d.curriculum.searchItems(teacher, { subject: 'math', grade: 7, type: 'single_choice', page: 1, pageSize: 100 })).items;
    const tf = (await d.curriculum.searchItems(teacher, { subject: 'math', grade: 7, type: 'true_false', page: 1, pageSize: 100 })).items;
    const items = [...choice.slice(0, 12), ...tf.slice(0, 3)];
    if (items.length < 5 || classIds.length === 0) continue;
    const members = await d.identity.classMembers(classIds);
    // A grade-7 test goes to the teacher's grade-7 classes only (teacher5 also teaches grade 8).
    const grade7 = new Set<string>();
    for (const c of classIds) {
      const first = members.find((m) => m.classId === c);
      if (first && (await d.identity.enrolment(first.id))?.gradeLevel === 7) grade7.add(c);
    }
    if (grade7.size === 0) continue;
    const id = await d.assessment.createAssignment(teacher, {
      kind: 'exam',
      title: '七年级数学单元测验（演示）',
      classIds: [...grade7],
      openAt: new Date(now - 3 * 86_400_000),
      dueAt: new Date(now + 4 * 86_400_000),
      items: items.map((it) => ({ itemId: it.id, score: it.body.type === 'true_false' ? 2 : 4 })),
    });
    for (const s of members.filter((m) => grade7.has(m.classId))) {
      const theta = normal(rnd);
      if (rnd() < ABSENT) continue;
      const student = await d.identity.demoPrincipalOf(s.id);
      const answers = Object.fromEntries(items.map((it, i) => [String(i + 1), answer(it, theta, rnd)]));
      await d.assessment.submit(student, id, randomUUID(), answers);
      submitted++;
    }
  }
  log.info({ submitted }, 'demo activity: unit tests set and answered (marking runs in the worker)');
  return submitted;
}
