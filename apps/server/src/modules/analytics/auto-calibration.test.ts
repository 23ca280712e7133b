/**
 * The automatic calibration check against a real embedded database: it queues a Rasch
 * calibration once an item has enough students, not again while one is waiting, and again only
 * after the subject's answers have grown by a quarter.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../../platform/audit/index.js';
import { openDatabase, type Database } from '../../platform/db/index.js';
import { JobQueue } from '../../platform/jobs/index.js';
import { jobs } from '../../platform/jobs/tables.js';
import { AUTO_CALIBRATE_GROWTH, Analytics, type AnalyticsDeps } from './service.js';
import { calibrations, responseFacts } from './tables.js';

let database: Database;
let dir: string;
let analytics: Analytics;
const MIN = 10;
const item = randomUUID();
const otherItem = randomUUID();

/** `students` new students each answering `itemId` once (math, marked now). */
async function answers(itemId: string, students: number) {
  await database.db.insert(responseFacts).values(
    Array.from({ length: students }, (_, i) => ({
      assignmentId: randomUUID(),
      submissionId: randomUUID(),
      studentId: randomUUID(),
      classId: randomUUID(),
      subject: 'math',
      kind: 'homework',
      attempt: 1,
      source: 'online',
      itemId,
      itemVersion: 1,
      position: 1,
      type: 'single_choice',
      knowledgePoints: ['M7-NA-01'],
      score: i % 2,
      max: 1,
      correct: i % 2 === 1,
      markedAt: new Date(),
    })),
  );
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'zhijiao-autocal-'));
  database = await openDatabase({ dataDir: dir });
  const log = pino({ level: 'silent' });
  // Only the database, the job queue and the threshold take part in the check; the doors are never called.
  const doors = {} as Omit<AnalyticsDeps, 'minResponses'>;
  analytics = new Analytics(database.db, new AuditLog(database.db), new JobQueue(database.db, log), log, { ...doors, minResponses: MIN });
}, 60_000);
afterAll(async () => {
  await database.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('automatic difficulty calibration', () => {
  it('waits until some item has answers from enough students', async () => {
    await answers(item, MIN - 1);
    await answers(otherItem, MIN - 1);
    expect(await analytics.maybeCalibrate()).toEqual([]);
  });

  it('then queues one Rasch calibration of the subject, as a job, started by nobody', async () => {
    await answers(item, 1);
    const [id] = await analytics.maybeCalibrate();
    expect(id).toBeTruthy();
    const [c] = await database.db.select().from(calibrations).where(eq(calibrations.id, id!));
    expect(c).toMatchObject({ subject: 'math', model: 'rasch', minResponses: MIN, requestedBy: null, status: 'queued', subjectAnswers: 2 * MIN - 1 });
    const queued = await database.db.select().from(jobs).where(eq(jobs.kind, 'analytics.calibrate'));
    expect(queued.map((j) => (j.payload as { calibrationId: string }).calibrationId)).toEqual([id]);
  });

  it('does not queue another while one is waiting, nor after it until answers grow by a quarter', async () => {
    await answers(item, 20);
    expect(await analytics.maybeCalibrate()).toEqual([]); // the first one is still queued
    // It ran, with the subject at 39 answers: due again at 39 × 1.25 = 48.75, i.e. 49 answers.
    await database.db.update(calibrations).set({ status: 'done', subjectAnswers: 39 });
    expect(AUTO_CALIBRATE_GROWTH).toBe(1.25);
    expect(await analytics.maybeCalibrate()).toEqual([]);
    await answers(otherItem, 9); // 48
    expect(await analytics.maybeCalibrate()).toEqual([]);
    await answers(otherItem, 1); // 49
    expect(await analytics.maybeCalibrate()).toHaveLength(1);
  });
});
