/**
 * Early-warning rules: pure functions over a student's records that say whether an alert is due
 * and which records are its evidence (so every alert can be traced back to what triggered it).
 * Also the escalation clock that moves an unverified alert up from its owner to the head teacher
 * and then the school admin. No I/O, no wall clock: callers pass `now`.
 */

const HOUR_MS = 3600_000;
const DAY_MS = 24 * HOUR_MS;

/** One school day of a student's attendance as recorded by the school. */
export interface AttendanceDay {
  /** ISO date (yyyy-mm-dd) of the school day. */
  date: string;
  status: 'present' | 'absent' | 'late' | 'excused_absence';
}

/**
 * The latest run of consecutive unexcused absences, over recorded school days only.
 *
 * Records exist only for school days, so weekends and holidays (no record) never break a run.
 * An excused absence (请假) neither counts nor breaks the run; presence or lateness ends it.
 * Returns the absent days of the run ending at the latest absence, when no present/late day was
 * recorded after it; null when the student's latest record shows them back in school.
 */
export function currentAbsenceRun(days: readonly AttendanceDay[]): { count: number; dates: string[] } | null {
  const sorted = [...days].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  const dates: string[] = [];
  for (let i = sorted.length - 1; i >= 0; i--) {
    const d = sorted[i]!;
    if (d.status === 'excused_absence') continue;
    if (d.status === 'absent') dates.unshift(d.date);
    else break;
  }
  return dates.length ? { count: dates.length, dates } : null;
}

/** Attendance alert: the current run has at least `threshold` unexcused absences. */
export function consecutiveAbsence(days: readonly AttendanceDay[], threshold: number): { count: number; dates: string[] } | null {
  const run = currentAbsenceRun(days);
  return run && run.count >= threshold ? run : null;
}

/** An assignment of a student with its due time and whether the student submitted it. */
export interface HomeworkRecord {
  assignmentId: string;
  dueAt: Date;
  submitted: boolean;
}

/**
 * Missing-homework alert: `threshold` or more assignments that fell due within the last
 * `windowDays` days (up to `now`) and have no submission. Returns those assignments, oldest first.
 */
export function missingHomework<T extends HomeworkRecord>(
  records: readonly T[],
  opts: { threshold: number; windowDays: number; now: Date },
): T[] | null {
  const since = opts.now.getTime() - opts.windowDays * DAY_MS;
  const missing = records
    .filter((r) => !r.submitted && r.dueAt.getTime() <= opts.now.getTime() && r.dueAt.getTime() >= since)
    .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
  return missing.length >= opts.threshold ? missing : null;
}

/** One value of a knowledge point's mastery series (probability the student knows it). */
export interface MasteryPoint {
  at: Date;
  pKnow: number;
}

/**
 * Mastery-drop alert: within the last `windowDays` days the mastery of a knowledge point fell by
 * at least `minDrop` from its highest value to the latest one. The last value before the window is
 * the baseline the window starts from. Returns the peak and the latest value (the evidence), or
 * null when the fall is smaller or the student has recovered.
 */
export function masteryDrop(
  series: readonly MasteryPoint[],
  opts: { minDrop: number; windowDays: number; now: Date },
): { from: MasteryPoint; to: MasteryPoint; drop: number } | null {
  const start = opts.now.getTime() - opts.windowDays * DAY_MS;
  const sorted = [...series].filter((p) => p.at.getTime() <= opts.now.getTime()).sort((a, b) => a.at.getTime() - b.at.getTime());
  const before = sorted.filter((p) => p.at.getTime() < start);
  const inside = sorted.filter((p) => p.at.getTime() >= start);
  if (inside.length === 0) return null;
  const candidates = [...before.slice(-1), ...inside];
  const to = candidates[candidates.length - 1]!;
  let from: MasteryPoint | null = null;
  for (const p of candidates.slice(0, -1)) if (!from || p.pKnow > from.pKnow) from = p;
  if (!from) return null;
  const drop = from.pKnow - to.pKnow;
  // A small epsilon so 0.7 - 0.5 (0.19999…) counts as a drop of 0.2.
  return drop + 1e-9 >= opts.minDrop ? { from, to, drop: Math.round(drop * 1000) / 1000 } : null;
}

/** Who is responsible for an alert: its owner, then the head teacher, then the school admin. */
export const ESCALATION_LEVELS = ['owner', 'head_teacher', 'school_admin'] as const;
export type EscalationLevel = (typeof ESCALATION_LEVELS)[number];

/** How long each level has to verify an alert before it moves up (plain durations, in hours). */
export interface EscalationPolicy {
  ownerHours: number;
  headTeacherHours: number;
}

/** Defaults: 2 days for the owner, then 2 more days for the head teacher. */
export const DEFAULT_ESCALATION: EscalationPolicy = { ownerHours: 48, headTeacherHours: 48 };

/**
 * The level an unverified alert has reached at `now`, and when the next escalation is due (null at
 * the top). A deadline is inclusive: at exactly the owner's deadline the alert is still the
 * owner's; it moves up only once the deadline has passed.
 */
export function escalationAt(
  raisedAt: Date,
  now: Date,
  policy: EscalationPolicy = DEFAULT_ESCALATION,
): { level: EscalationLevel; dueAt: Date | null } {
  const ownerDue = raisedAt.getTime() + policy.ownerHours * HOUR_MS;
  const headDue = ownerDue + policy.headTeacherHours * HOUR_MS;
  const t = now.getTime();
  if (t <= ownerDue) return { level: 'owner', dueAt: new Date(ownerDue) };
  if (t <= headDue) return { level: 'head_teacher', dueAt: new Date(headDue) };
  return { level: 'school_admin', dueAt: null };
}
