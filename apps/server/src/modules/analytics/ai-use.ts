/**
 * AI use per person and the AI regular-use KPI (区域驾驶舱: 常态化应用率).
 *
 * Sources, pulled through door functions by a periodic sync (not events: the hub writes its call
 * log in batches outside any transaction and has no event outbox, and a weekly figure does not
 * need to be fresher than a few minutes):
 *   - the hub: answered /v1 calls whose OpenAI `user` field named a platform user (the platform's
 *     own modules set it to the person they act for, e.g. the student whose answer is marked);
 *   - the learning companion: personalised practice answered by a student (no model call);
 *   - AI-assisted marking: a teacher's review of a mark a model suggested (accept or adjust).
 *
 * Each sync re-reads the last M complete weeks and the current one (late call-log batches land in
 * the right week), replaces those weeks in `analytics_ai_use`, and recomputes per school and role
 * how many active people used AI in k of the last M complete weeks (k = 0..M). A person is a
 * regular user when k ≥ N; the cockpit reads only these few rows. It also stores the active
 * students of each school (participation's denominator).
 */
import { gte, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Db, Tx } from '../../platform/db/index.js';
import { aiRegular, aiSchoolWeeks, aiUse, enrolment } from './tables.js';

const CN_OFFSET_MS = 8 * 3600_000;
const DAY_MS = 86_400_000;

/** The Monday (YYYY-MM-DD) of the China-time week an instant falls in. */
export function weekOf(t: Date | number): string {
  const d = new Date(+t + CN_OFFSET_MS);
  const monday = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return new Date(monday).toISOString().slice(0, 10);
}

/** A week (its Monday, YYYY-MM-DD) moved by k weeks. */
export const addWeeks = (week: string, k: number) => new Date(Date.parse(`${week}T00:00:00Z`) + k * 7 * DAY_MS).toISOString().slice(0, 10);

/** The M complete weeks before the week of `now`, oldest first. */
export function kpiWeeks(now: number, m: number): string[] {
  const current = weekOf(now);
  return Array.from({ length: m }, (_, i) => addWeeks(current, i - m));
}

export interface AiRegularSetting {
  /** Weeks with use needed to count as a regular user. */
  n: number;
  /** Complete weeks looked at. */
  m: number;
}

export interface AiUseRow {
  userId: string;
  week: string;
  uses: number;
  schoolId?: string | null;
}

export interface AiUseDeps {
  hub: { aiUseSince(since: Date): Promise<AiUseRow[]> };
  learning: { practiceUseSince(since: Date): Promise<AiUseRow[]> };
  assessment: { aiReviewUseSince(since: Date): Promise<AiUseRow[]> };
  directory: {
    regionTree(): Promise<{ schools: { id: string }[] }>;
    activeMembers(schoolIds: string[]): Promise<Map<string, { teachers: string[]; students: string[] }>>;
  };
  aiRegular?: AiRegularSetting;
}

/** Inserts many rows in one statement per chunk (json_populate_recordset: cheap to build, one round trip). */
export async function bulkInsert(q: Db | Tx, table: string, columns: string[], rows: Record<string, unknown>[], chunk = 20_000): Promise<void> {
  const cols = columns.join(', ');
  for (let i = 0; i < rows.length; i += chunk)
    await q.execute(sql`insert into ${sql.raw(table)} (${sql.raw(cols)}) select ${sql.raw(cols)} from json_populate_recordset(null::${sql.raw(table)}, ${JSON.stringify(rows.slice(i, i + chunk))}::json)`);
}

export class AiUseSync {
  private running: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  readonly setting: AiRegularSetting;

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    private readonly d: AiUseDeps,
    private readonly now: () => number = Date.now,
  ) {
    const m = d.aiRegular?.m ?? 4;
    this.setting = { m, n: Math.min(d.aiRegular?.n ?? 3, m) };
  }

  /** Syncs now and then every `everyMs` (default 10 minutes). */
  start(everyMs = 600_000): void {
    const run = () => void this.sync().catch((err: unknown) => this.log.error({ err }, 'AI-use sync failed'));
    setTimeout(run, 1000).unref();
    this.timer = setInterval(run, everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One sync (concurrent callers share the one in flight). */
  sync(): Promise<void> {
    this.running ??= this.run().finally(() => (this.running = null));
    return this.running;
  }

  private async run(): Promise<void> {
    const now = this.now();
    const weeks = kpiWeeks(now, this.setting.m);
    const first = weeks[0]!;
    const since = new Date(Date.parse(`${first}T00:00:00Z`) - CN_OFFSET_MS);
    // Door functions first, outside the transaction (embedded PGlite has one connection).
    const calls = await this.d.hub.aiUseSince(since);
    const practice = await this.d.learning.practiceUseSince(since);
    const reviews = await this.d.assessment.aiReviewUseSince(since);
    const tree = await this.d.directory.regionTree();
    const members = await this.d.directory.activeMembers(tree.schools.map((s) => s.id));
    const use = [
      ...calls.map((r) => ({ user_id: r.userId, week: r.week, source: 'model', school_id: r.schoolId ?? null, uses: r.uses })),
      ...practice.map((r) => ({ user_id: r.userId, week: r.week, source: 'practice', school_id: null, uses: r.uses })),
      ...reviews.map((r) => ({ user_id: r.userId, week: r.week, source: 'review', school_id: null, uses: r.uses })),
    ].filter((r) => r.week >= first);
    const stats = regularStats(use.map((r) => ({ userId: r.user_id, week: r.week })), members, weeks);
    const computedAt = new Date(now).toISOString();
    const windowEnd = weeks[weeks.length - 1]!;
    await this.db.transaction(async (tx) => {
      await tx.delete(aiUse).where(gte(aiUse.week, first));
      await bulkInsert(tx, 'analytics_ai_use', ['user_id', 'week', 'source', 'school_id', 'uses'], use);
      await tx.delete(aiRegular);
      await tx.delete(aiSchoolWeeks);
      await bulkInsert(
        tx,
        'analytics_ai_regular',
        ['school_id', 'role', 'weeks_used', 'people', 'window_end', 'computed_at'],
        stats.histogram.map((h) => ({ school_id: h.schoolId, role: h.role, weeks_used: h.weeksUsed, people: h.people, window_end: windowEnd, computed_at: computedAt })),
      );
      await tx.delete(enrolment);
      await bulkInsert(
        tx,
        'analytics_enrolment',
        ['school_id', 'student_id'],
        [...members].flatMap(([schoolId, m]) => m.students.map((studentId) => ({ school_id: schoolId, student_id: studentId }))),
      );
      await bulkInsert(tx, 'analytics_ai_school_weeks', ['school_id', 'role', 'week', 'users'], stats.weekly.map((w) => ({ school_id: w.schoolId, role: w.role, week: w.week, users: w.users })));
    });
  }
}

/**
 * For each school and role: how many active people used AI in exactly k of `weeks` (k = 0..M,
 * every k present so that the counts sum to the active people), and how many used it in each week.
 */
export function regularStats(
  use: { userId: string; week: string }[],
  members: Map<string, { teachers: string[]; students: string[] }>,
  weeks: string[],
): {
  histogram: { schoolId: string; role: 'teacher' | 'student'; weeksUsed: number; people: number }[];
  weekly: { schoolId: string; role: 'teacher' | 'student'; week: string; users: number }[];
} {
  const index = new Map(weeks.map((w, i) => [w, i]));
  /** user -> bit mask of the window's weeks with use */
  const mask = new Map<string, number>();
  for (const u of use) {
    const i = index.get(u.week);
    if (i !== undefined) mask.set(u.userId, (mask.get(u.userId) ?? 0) | (1 << i));
  }
  const histogram: ReturnType<typeof regularStats>['histogram'] = [];
  const weekly: ReturnType<typeof regularStats>['weekly'] = [];
  for (const [schoolId, m] of members)
    for (const role of ['teacher', 'student'] as const) {
      const ids = role === 'teacher' ? m.teachers : m.students;
      const hist = new Array<number>(weeks.length + 1).fill(0);
      const perWeek = new Array<number>(weeks.length).fill(0);
      for (const id of ids) {
        const b = mask.get(id) ?? 0;
        let k = 0;
        for (let i = 0; i < weeks.length; i++)
          if (b & (1 << i)) {
            k++;
            perWeek[i]!++;
          }
        hist[k]!++;
      }
      hist.forEach((people, weeksUsed) => histogram.push({ schoolId, role, weeksUsed, people }));
      perWeek.forEach((users, i) => weekly.push({ schoolId, role, week: weeks[i]!, users }));
    }
  return { histogram, weekly };
}
