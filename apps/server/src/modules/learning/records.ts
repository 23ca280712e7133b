/**
 * Read-only mastery records of one student for analytics' portrait: the current mastery of each
 * point and its history in a period. No caller here: analytics decides who may see.
 */
import { and, asc, eq, gte, lt } from 'drizzle-orm';
import type { Db } from '../../platform/db/index.js';
import { mastery, masteryHistory } from './tables.js';

/** Upper bound on history rows returned for one portrait (a chart cannot show more). */
const HISTORY_LIMIT = 20_000;

export async function masteryRecordOf(db: Db, studentId: string, opts: { subject?: string; from: Date; to: Date }) {
  const bySubject = (col: typeof mastery.subject | typeof masteryHistory.subject) => (opts.subject ? eq(col, opts.subject) : undefined);
  const now = await db
    .select({ subject: mastery.subject, code: mastery.code, pKnow: mastery.pKnow, observations: mastery.observations, correct: mastery.correct, lastAt: mastery.lastAt })
    .from(mastery)
    .where(and(eq(mastery.studentId, studentId), bySubject(mastery.subject)))
    .orderBy(asc(mastery.subject), asc(mastery.code));
  const history = await db
    .select({ subject: masteryHistory.subject, code: masteryHistory.code, pKnow: masteryHistory.pKnow, at: masteryHistory.at })
    .from(masteryHistory)
    .where(and(eq(masteryHistory.studentId, studentId), bySubject(masteryHistory.subject), gte(masteryHistory.at, opts.from), lt(masteryHistory.at, opts.to)))
    .orderBy(asc(masteryHistory.at), asc(masteryHistory.id))
    .limit(HISTORY_LIMIT);
  return { now, history };
}
