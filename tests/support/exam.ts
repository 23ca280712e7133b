/**
 * A marked exam made over HTTP as users would: teacher1 writes single-choice items and sets them
 * as an exam for their 七年级 classes, and demo students answer online (choice questions are
 * marked at once by the server's worker).
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { Client } from './server.js';

export interface ChoiceExam {
  title: string;
  /** Stem prefix: question i is `${stem}第${i}题`. */
  stem: string;
  /** The key of each question (options A–D). */
  keys: string[];
  /** The knowledge point of each question. */
  knowledgePoints: string[];
  /** Points per question. */
  score: number;
  /** Each student's options, question by question. */
  answers: Record<string, string[]>;
}

/** Creates the items and the exam, submits every student's answers; the assignment's id. */
export async function answeredChoiceExam(baseUrl: string, exam: ChoiceExam): Promise<string> {
  const teacher = new Client(baseUrl);
  await teacher.login('teacher1');
  const classes = (await teacher.get('/api/classes')).data as { id: string; name: string }[];
  const itemIds: string[] = [];
  for (const [i, key] of exam.keys.entries()) {
    const r = await teacher.post('/api/items', {
      subject: 'math',
      grade: 7,
      body: { type: 'single_choice', stem: `${exam.stem}第${i + 1}题`, options: ['A', 'B', 'C', 'D'].map((k) => ({ key: k, text: `选项${k}` })), answer: key },
      knowledgePoints: [exam.knowledgePoints[i]],
      difficulty: 2,
      score: exam.score,
    });
    expect(r.status, JSON.stringify(r.data)).toBe(201);
    itemIds.push(r.data.id);
  }
  const a = await teacher.post('/api/assignments', {
    kind: 'exam',
    title: exam.title,
    classIds: classes.filter((c) => c.name.startsWith('七年级')).map((c) => c.id),
    openAt: new Date(Date.now() - 3600_000).toISOString(),
    dueAt: new Date(Date.now() + 86_400_000).toISOString(),
    items: itemIds.map((itemId) => ({ itemId })),
  });
  expect(a.status, JSON.stringify(a.data)).toBe(201);
  await Promise.all(
    Object.entries(exam.answers).map(async ([username, options]) => {
      const c = new Client(baseUrl);
      await c.login(username);
      const r = await c.post(`/api/assignments/${a.data.id}/submissions`, { clientId: randomUUID(), answers: Object.fromEntries(options.map((x, i) => [String(i + 1), x])) });
      expect(r.status, JSON.stringify(r.data)).toBe(201);
    }),
  );
  return a.data.id as string;
}
