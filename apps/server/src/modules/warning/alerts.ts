/**
 * Alerts: the rules (attendance, homework, mastery) turned into alerts with an owner and their
 * evidence, the escalation sweep (owner -> head teacher -> school admin while unverified), and the
 * closed loop (verify -> follow up -> close, or dismiss as a false positive). Every step is kept
 * as an action on the alert and audited. Time comes from the injected clock only.
 */
import { and, asc, desc, eq, inArray, lt, or, sql, type SQL } from 'drizzle-orm';
import { consecutiveAbsence, escalationAt, masteryDrop, missingHomework, type EscalationLevel } from '@zhijiao/engine';
import type { AuditLog } from '../../platform/audit/index.js';
import type { Principal } from '../../platform/auth/principal.js';
import type { Db } from '../../platform/db/index.js';
import { AppError } from '../../platform/http/errors.js';
import { schoolDate, type Clock, type WarningDeps, type WarningSettings } from './deps.js';
import { actsOn, COUNT_ROLES, forbidden, requireSchoolStaff } from './policies.js';
import type { AlertDetail, AlertSummary } from './schema.js';
import { alertActions, alerts, attendance } from './tables.js';

type Kind = 'attendance' | 'homework' | 'mastery';
type AlertRow = typeof alerts.$inferSelect;
type Status = AlertRow['status'];
const ACTIVE: Status[] = ['open', 'verified', 'followed_up'];

/** What a rule found for one student: where they are, the evidence, and whom the rule makes owner. */
interface Finding {
  kind: Kind;
  studentId: string;
  classId: string;
  schoolId: string;
  /** Record keys behind the finding (dates, assignment ids, point@time): decides new vs. already handled. */
  keys: string[];
  evidence: Record<string, unknown>;
  /** The owner the rule chose (assignment author, subject teacher); null: the class's head teacher. */
  ownerId: string | null;
}

const notFound = () => new AppError(404, 'warning.alert_not_found', { zh: '没有找到这条预警。', en: 'No such alert.' });

/** The transitions of the closed loop: which statuses each action starts from and where it leads. */
const TRANSITIONS = {
  verify: { from: ['open'], to: 'verified' },
  follow_up: { from: ['verified', 'followed_up'], to: 'followed_up' },
  close: { from: ['followed_up'], to: 'closed' },
  dismiss: { from: ['open', 'verified'], to: 'dismissed' },
} as const satisfies Record<string, { from: readonly Status[]; to: Status }>;
export type AlertAction = keyof typeof TRANSITIONS;

const ACTION_LOG = { verify: 'verified', follow_up: 'followed_up', close: 'closed', dismiss: 'dismissed' } as const;

export class Alerts {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
    private readonly d: WarningDeps,
    private readonly settings: WarningSettings,
    private readonly now: Clock,
  ) {}

  // ───────────── rules → alerts ─────────────

  /** Re-evaluates the attendance rule for these students from their recorded school days. */
  async evaluateAttendance(studentIds: string[]): Promise<number> {
    if (studentIds.length === 0) return 0;
    const since = schoolDate(new Date(this.now().getTime() - 120 * 86_400_000));
    const rows = await this.db
      .select()
      .from(attendance)
      .where(and(inArray(attendance.studentId, [...new Set(studentIds)]), sql`${attendance.date} >= ${since}`))
      .orderBy(asc(attendance.date));
    const byStudent = new Map<string, (typeof rows)[number][]>();
    for (const r of rows) byStudent.set(r.studentId, [...(byStudent.get(r.studentId) ?? []), r]);
    const findings: Finding[] = [];
    for (const [studentId, days] of byStudent) {
      const run = consecutiveAbsence(days, this.settings.absenceDays);
      if (!run) continue;
      const latest = days[days.length - 1]!;
      const used = days.filter((d) => run.dates.includes(d.date) && d.status === 'absent');
      findings.push({
        kind: 'attendance',
        studentId,
        classId: latest.classId,
        schoolId: latest.schoolId,
        keys: run.dates,
        ownerId: null,
        evidence: {
          rule: 'consecutive_absence',
          threshold: this.settings.absenceDays,
          count: run.count,
          records: used.map((d) => ({ id: d.id, date: d.date, status: d.status, reason: d.reason, source: d.source, recordedBy: d.recordedBy })),
        },
      });
    }
    return this.apply(findings);
  }

  /** Missing homework over the given classes (null: all), from the assessment module. */
  async evaluateHomework(classIds: string[] | null): Promise<number> {
    const now = this.now();
    const since = new Date(now.getTime() - this.settings.homeworkWindowDays * 86_400_000);
    const missing = await this.d.assessment.missingHomework(classIds, since, now);
    const placements = await this.d.directory.classSchools(missing.map((m) => m.classId));
    const findings: Finding[] = [];
    for (const m of missing) {
      const records = m.assignments.map((a) => ({ ...a, assignmentId: a.id, dueAt: new Date(a.dueAt), submitted: false }));
      const hit = missingHomework(records, { threshold: this.settings.homeworkCount, windowDays: this.settings.homeworkWindowDays, now });
      const schoolId = placements.get(m.classId);
      if (!hit || !schoolId) continue;
      findings.push({
        kind: 'homework',
        studentId: m.studentId,
        classId: m.classId,
        schoolId,
        keys: hit.map((a) => a.id),
        ownerId: hit[hit.length - 1]!.authorId,
        evidence: {
          rule: 'missing_homework',
          threshold: this.settings.homeworkCount,
          windowDays: this.settings.homeworkWindowDays,
          count: hit.length,
          assignments: hit.map((a) => ({ id: a.id, title: a.title, subject: a.subject, dueAt: a.dueAt.toISOString() })),
        },
      });
    }
    return this.apply(findings);
  }

  /** Sharp mastery drops, from the learning module's mastery history. */
  async evaluateMastery(): Promise<number> {
    const now = this.now();
    const windowDays = this.settings.masteryWindowDays;
    const series = await this.d.learning.masteryHistorySince(new Date(now.getTime() - windowDays * 86_400_000));
    const drops = new Map<string, { subject: string; code: string; from: { at: string; pKnow: number }; to: { at: string; pKnow: number }; drop: number }[]>();
    for (const s of series) {
      const hit = masteryDrop(s.series, { minDrop: this.settings.masteryDrop, windowDays, now });
      if (!hit) continue;
      const list = drops.get(s.studentId) ?? [];
      list.push({ subject: s.subject, code: s.code, drop: hit.drop, from: { at: hit.from.at.toISOString(), pKnow: hit.from.pKnow }, to: { at: hit.to.at.toISOString(), pKnow: hit.to.pKnow } });
      drops.set(s.studentId, list);
    }
    if (drops.size === 0) return 0;
    const placements = await this.d.directory.studentPlacements([...drops.keys()]);
    const staff = await this.d.directory.classStaff([...new Set([...placements.values()].map((p) => p.classId))]);
    const subjectNames = new Map((await this.d.curriculum.listSubjects()).map((s) => [s.code, s.name]));
    const findings: Finding[] = [];
    for (const [studentId, points] of drops) {
      const place = placements.get(studentId);
      if (!place) continue;
      points.sort((a, b) => b.drop - a.drop);
      const subject = points[0]!.subject;
      const teacher = staff.find((s) => s.classId === place.classId && s.role === 'teacher' && (s.subject === subject || s.subject === subjectNames.get(subject)));
      findings.push({
        kind: 'mastery',
        studentId,
        ...place,
        keys: points.map((p) => `${p.subject}:${p.code}@${p.to.at}`),
        ownerId: teacher?.userId ?? null,
        evidence: { rule: 'mastery_drop', minDrop: this.settings.masteryDrop, windowDays, count: points.length, points },
      });
    }
    return this.apply(findings);
  }

  /** Raises or updates one alert per finding; returns how many alerts were raised. */
  private async apply(findings: Finding[]): Promise<number> {
    if (findings.length === 0) return 0;
    const owners = await this.owners(findings);
    let raised = 0;
    for (const f of findings) if ((await this.raise(f, owners)) === 'raised') raised++;
    return raised;
  }

  /**
   * One alert per student and kind while it is active: a rule that fires again updates the
   * evidence. A finding whose records were all behind an alert already closed or dismissed is
   * not raised again (a new absence, a new missing assignment is).
   */
  private async raise(f: Finding, owners: Owners): Promise<'raised' | 'updated' | 'unchanged' | 'handled'> {
    const now = this.now();
    return this.db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`warning:${f.studentId}:${f.kind}`}))`);
      const evidence = { ...f.evidence, keys: f.keys };
      const [active] = await tx
        .select()
        .from(alerts)
        .where(and(eq(alerts.studentId, f.studentId), eq(alerts.kind, f.kind), inArray(alerts.status, ACTIVE)));
      if (active) {
        const before = ((active.evidence as { keys?: string[] }).keys ?? []).join('|');
        if (before === f.keys.join('|')) return 'unchanged';
        await tx.update(alerts).set({ evidence, updatedAt: now }).where(eq(alerts.id, active.id));
        await tx.insert(alertActions).values({ alertId: active.id, actorId: null, action: 'updated', detail: { count: f.evidence.count ?? null }, at: now });
        await this.audit.append({ actor: null, action: 'warning.alert.update', resourceType: 'alert', resourceId: active.id, outcome: 'success', detail: { kind: f.kind, keys: f.keys } }, tx);
        return 'updated';
      }
      const [ended] = await tx
        .select({ evidence: alerts.evidence })
        .from(alerts)
        .where(and(eq(alerts.studentId, f.studentId), eq(alerts.kind, f.kind), inArray(alerts.status, ['closed', 'dismissed'])))
        .orderBy(desc(alerts.updatedAt))
        .limit(1);
      const handled = new Set((ended?.evidence as { keys?: string[] } | undefined)?.keys ?? []);
      if (f.keys.every((k) => handled.has(k))) return 'handled';
      const ownerId = owners.at('owner', f.classId, f.schoolId, f.ownerId);
      const { dueAt } = escalationAt(now, now, this.settings.escalation);
      const [row] = await tx
        .insert(alerts)
        .values({ kind: f.kind, studentId: f.studentId, classId: f.classId, schoolId: f.schoolId, evidence, ownerId, originalOwnerId: ownerId, level: 'owner', dueAt, raisedAt: now, updatedAt: now })
        .returning({ id: alerts.id });
      await tx.insert(alertActions).values({ alertId: row!.id, actorId: null, action: 'raised', detail: { ownerId, count: f.evidence.count ?? null }, at: now });
      await this.audit.append({ actor: null, action: 'warning.alert.raise', resourceType: 'alert', resourceId: row!.id, outcome: 'success', detail: { kind: f.kind, classId: f.classId, ownerId, keys: f.keys } }, tx);
      return 'raised';
    });
  }

  /** The staff who may own alerts of these findings' classes and schools. */
  private async owners(places: { classId: string; schoolId: string }[]): Promise<Owners> {
    const staff = await this.d.directory.classStaff([...new Set(places.map((p) => p.classId))]);
    const admins = await this.d.directory.schoolAdmins([...new Set(places.map((p) => p.schoolId))]);
    return new Owners(staff, admins);
  }

  // ───────────── escalation ─────────────

  /**
   * Moves every open (unverified) alert whose stage deadline has passed to the level the clock
   * says, and gives it that level's owner. Returns how many alerts moved.
   */
  async escalate(): Promise<number> {
    const now = this.now();
    const due = await this.db
      .select()
      .from(alerts)
      .where(and(eq(alerts.status, 'open'), lt(alerts.dueAt, now)));
    if (due.length === 0) return 0;
    const owners = await this.owners(due);
    let moved = 0;
    for (const a of due) {
      const { level, dueAt } = escalationAt(a.raisedAt, now, this.settings.escalation);
      if (level === a.level) continue;
      const ownerId = owners.at(level, a.classId, a.schoolId, a.originalOwnerId);
      const done = await this.db.transaction(async (tx) => {
        const [row] = await tx
          .update(alerts)
          .set({ level, dueAt, ownerId, updatedAt: now })
          .where(and(eq(alerts.id, a.id), eq(alerts.status, 'open'), eq(alerts.level, a.level)))
          .returning({ id: alerts.id });
        if (!row) return false;
        await tx.insert(alertActions).values({ alertId: a.id, actorId: null, action: 'escalated', detail: { from: a.level, to: level, ownerId }, at: now });
        await this.audit.append({ actor: null, action: 'warning.alert.escalate', resourceType: 'alert', resourceId: a.id, outcome: 'success', detail: { from: a.level, to: level, ownerId } }, tx);
        return true;
      });
      if (done) moved++;
    }
    return moved;
  }

  /** The periodic sweep: every rule over every class, then escalations. */
  async sweep(): Promise<{ raised: number; escalated: number }> {
    const since = schoolDate(new Date(this.now().getTime() - 30 * 86_400_000));
    const absent = await this.db
      .selectDistinct({ id: attendance.studentId })
      .from(attendance)
      .where(and(eq(attendance.status, 'absent'), sql`${attendance.date} >= ${since}`));
    const raised = (await this.evaluateAttendance(absent.map((r) => r.id))) + (await this.evaluateHomework(null)) + (await this.evaluateMastery());
    return { raised, escalated: await this.escalate() };
  }

  // ───────────── reading ─────────────

  async list(p: Principal, f: { status?: Status; kind?: Kind; classId?: string }): Promise<AlertSummary[]> {
    const s = requireSchoolStaff(p, 'warning.alert.read');
    const visible: SQL[] = [eq(alerts.ownerId, s.userId)];
    if (s.classes.size) visible.push(inArray(alerts.classId, [...s.classes]));
    if (s.schools.size) visible.push(inArray(alerts.schoolId, [...s.schools]));
    const rows = await this.db
      .select()
      .from(alerts)
      .where(and(or(...visible), f.status ? eq(alerts.status, f.status) : undefined, f.kind ? eq(alerts.kind, f.kind) : undefined, f.classId ? eq(alerts.classId, f.classId) : undefined))
      .orderBy(desc(alerts.raisedAt))
      .limit(500);
    const out = await this.summaries(p, rows);
    await this.audit.append({ actor: p, action: 'warning.alert.list', resourceType: 'alert', outcome: 'success', detail: { returned: rows.length, ...f }, ip: p.ip });
    return out;
  }

  async get(p: Principal, id: string): Promise<AlertDetail> {
    const a = await this.visible(p, id);
    const [summary] = await this.summaries(p, [a]);
    const actions = await this.db.select().from(alertActions).where(eq(alertActions.alertId, id)).orderBy(asc(alertActions.id));
    const names = await this.d.directory.userNames(actions.map((x) => x.actorId).filter((x): x is string => !!x));
    await this.audit.append({ actor: p, action: 'warning.alert.read', resourceType: 'alert', resourceId: id, outcome: 'success', detail: { studentId: a.studentId }, ip: p.ip });
    return {
      ...summary!,
      evidence: a.evidence as Record<string, unknown>,
      dismissReason: a.dismissReason,
      closedAt: a.closedAt?.toISOString() ?? null,
      actions: actions.map((x) => ({
        action: x.action,
        actor: x.actorId ? { id: x.actorId, name: names.get(x.actorId) ?? '' } : null,
        note: x.note,
        detail: x.detail ?? null,
        at: x.at.toISOString(),
      })),
    };
  }

  /** The alert if the caller may see it: 404 when it does not exist, 403 when it is someone else's. */
  private async visible(p: Principal, id: string): Promise<AlertRow> {
    const s = requireSchoolStaff(p, 'warning.alert.read');
    const [a] = await this.db.select().from(alerts).where(eq(alerts.id, id));
    if (!a) throw notFound();
    if (a.ownerId !== s.userId && !s.classes.has(a.classId) && !s.schools.has(a.schoolId)) throw forbidden('warning.alert.read', { type: 'alert', id });
    return a;
  }

  private async summaries(p: Principal, rows: AlertRow[]): Promise<AlertSummary[]> {
    const s = requireSchoolStaff(p, 'warning.alert.read');
    const classIds = [...new Set(rows.map((r) => r.classId))];
    const members = new Map((await this.d.directory.classMembers(classIds)).map((m) => [m.id, m]));
    const classNames = await this.d.directory.classNames(classIds);
    const owners = await this.d.directory.userNames(rows.map((r) => r.ownerId).filter((x): x is string => !!x));
    return rows.map((r) => {
      const m = members.get(r.studentId);
      const ev = r.evidence as { count?: number; records?: { date: string }[]; assignments?: unknown[]; points?: { drop: number }[] };
      return {
        id: r.id,
        kind: r.kind,
        status: r.status,
        level: r.level,
        student: { id: r.studentId, name: m?.name ?? '', studentNo: m?.studentNo ?? '' },
        classId: r.classId,
        className: classNames.get(r.classId) ?? '',
        owner: r.ownerId ? { id: r.ownerId, name: owners.get(r.ownerId) ?? '' } : null,
        dueAt: r.dueAt?.toISOString() ?? null,
        raisedAt: r.raisedAt.toISOString(),
        updatedAt: r.updatedAt.toISOString(),
        headline: {
          count: ev.count ?? 0,
          ...(ev.records ? { lastDate: ev.records[ev.records.length - 1]?.date ?? null } : {}),
          ...(ev.points ? { maxDrop: Math.max(...ev.points.map((x) => x.drop)) } : {}),
        },
        canAct: actsOn(s, r),
      };
    });
  }

  /** Alert counts per school by status and kind, without any names (school and region admins). */
  async counts(p: Principal) {
    if (!p.roles.some((r) => COUNT_ROLES.includes(r.role))) throw forbidden('warning.counts');
    const tree = await this.d.directory.regionTree();
    const schoolIds = new Set<string>();
    for (const b of p.roles) {
      if (!COUNT_ROLES.includes(b.role)) continue;
      for (const sc of tree.schools) {
        if (b.scopeType === 'global' || (b.scopeType === 'school' && b.scopeId === sc.id) || (b.scopeType === 'region' && b.scopeId && sc.path.includes(`/${b.scopeId}/`))) schoolIds.add(sc.id);
      }
    }
    const rows = schoolIds.size
      ? await this.db
          .select({ schoolId: alerts.schoolId, status: alerts.status, kind: alerts.kind, n: sql<number>`count(*)::int` })
          .from(alerts)
          .where(inArray(alerts.schoolId, [...schoolIds]))
          .groupBy(alerts.schoolId, alerts.status, alerts.kind)
      : [];
    const zero = <K extends string>(keys: readonly K[]) => Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
    return {
      schools: tree.schools
        .filter((sc) => schoolIds.has(sc.id))
        .map((sc) => {
          const byStatus = zero(['open', 'verified', 'followed_up', 'closed', 'dismissed'] as const);
          const byKind = zero(['attendance', 'homework', 'mastery'] as const);
          for (const r of rows.filter((x) => x.schoolId === sc.id)) {
            byStatus[r.status] += r.n;
            byKind[r.kind] += r.n;
          }
          return { schoolId: sc.id, schoolName: sc.name, byStatus, byKind };
        }),
    };
  }

  // ───────────── the closed loop ─────────────

  /** Verify, follow up, close or dismiss: recorded as an action on the alert and audited. */
  async act(p: Principal, id: string, action: AlertAction, note: string | undefined): Promise<AlertDetail> {
    const s = requireSchoolStaff(p, `warning.alert.${action}`);
    const a = await this.visible(p, id);
    if (!actsOn(s, a)) throw forbidden(`warning.alert.${action}`, { type: 'alert', id });
    const t = TRANSITIONS[action];
    if (!(t.from as readonly Status[]).includes(a.status))
      throw new AppError(
        409,
        'warning.invalid_transition',
        {
          zh: `这条预警当前状态为“${STATUS_ZH[a.status]}”，不能${ACTION_ZH[action]}。`,
          en: `The alert is ${a.status.replace('_', ' ')}; it cannot be ${ACTION_LOG[action].replace('_', ' ')} now.`,
        },
        { details: { status: a.status, action } },
      );
    const now = this.now();
    await this.db.transaction(async (tx) => {
      const [row] = await tx
        .update(alerts)
        .set({
          status: t.to,
          updatedAt: now,
          // Verified (or ended): nothing left to escalate.
          dueAt: null,
          ...(action === 'dismiss' ? { dismissReason: note ?? null } : {}),
          ...(t.to === 'closed' || t.to === 'dismissed' ? { closedAt: now } : {}),
        })
        .where(and(eq(alerts.id, id), eq(alerts.status, a.status)))
        .returning({ id: alerts.id });
      if (!row) throw new AppError(409, 'warning.changed', { zh: '这条预警刚被他人处理，请刷新后再试。', en: 'Someone else just changed this alert; reload and try again.' });
      await tx.insert(alertActions).values({ alertId: id, actorId: p.userId, action: ACTION_LOG[action], note: note ?? null, at: now });
      await this.audit.append({ actor: p, action: `warning.alert.${action}`, resourceType: 'alert', resourceId: id, outcome: 'success', detail: { from: a.status, to: t.to }, ip: p.ip }, tx);
    });
    return this.get(p, id);
  }
}

const STATUS_ZH: Record<Status, string> = { open: '待核实', verified: '已核实', followed_up: '已跟进', closed: '已关闭', dismissed: '已排除' };
const ACTION_ZH: Record<AlertAction, string> = { verify: '核实', follow_up: '记录跟进', close: '关闭', dismiss: '排除' };

/** Whom an alert belongs to at each level: the rule's owner, the class's head teacher, the school admin. */
class Owners {
  constructor(
    private readonly staff: { userId: string; role: string; classId: string }[],
    private readonly admins: { userId: string; schoolId: string }[],
  ) {}

  at(level: EscalationLevel, classId: string, schoolId: string, ruleOwner: string | null): string | null {
    const head = this.staff.find((s) => s.classId === classId && s.role === 'head_teacher')?.userId ?? null;
    const admin = this.admins.find((a) => a.schoolId === schoolId)?.userId ?? null;
    if (level === 'owner') return ruleOwner ?? head ?? admin;
    if (level === 'head_teacher') return head ?? admin;
    return admin ?? head;
  }
}
