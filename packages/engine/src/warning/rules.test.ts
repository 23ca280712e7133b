import { describe, expect, it } from 'vitest';
import { consecutiveAbsence, currentAbsenceRun, escalationAt, masteryDrop, missingHomework, type AttendanceDay } from './rules.js';

const day = (date: string, status: AttendanceDay['status']): AttendanceDay => ({ date, status });

describe('consecutive absences', () => {
  it('counts a run over recorded school days, across a weekend with no records', () => {
    // Thu, Fri absent; Sat/Sun not school days (no record); Mon absent.
    const days = [day('2026-11-19', 'present'), day('2026-11-26', 'absent'), day('2026-11-27', 'absent'), day('2026-11-30', 'absent')];
    expect(consecutiveAbsence(days, 3)).toEqual({ count: 3, dates: ['2026-11-26', '2026-11-27', '2026-11-30'] });
  });

  it('an excused absence inside the run neither counts nor breaks it', () => {
    const days = [day('2026-12-01', 'absent'), day('2026-12-02', 'excused_absence'), day('2026-12-03', 'absent')];
    expect(currentAbsenceRun(days)).toEqual({ count: 2, dates: ['2026-12-01', '2026-12-03'] });
    expect(consecutiveAbsence(days, 3)).toBeNull();
    expect(consecutiveAbsence([...days, day('2026-12-04', 'absent')], 3)?.count).toBe(3);
  });

  it('only excused absences: no run', () => {
    expect(currentAbsenceRun([day('2026-12-01', 'excused_absence'), day('2026-12-02', 'excused_absence')])).toBeNull();
  });

  it('presence or lateness ends the run; the student back in school means no alert', () => {
    const days = [day('2026-12-01', 'absent'), day('2026-12-02', 'absent'), day('2026-12-03', 'late'), day('2026-12-04', 'absent')];
    expect(currentAbsenceRun(days)).toEqual({ count: 1, dates: ['2026-12-04'] });
    const back = [day('2026-12-01', 'absent'), day('2026-12-02', 'absent'), day('2026-12-03', 'absent'), day('2026-12-04', 'present')];
    expect(consecutiveAbsence(back, 3)).toBeNull();
  });

  it('does not depend on the order records arrive in', () => {
    const days = [day('2026-12-03', 'absent'), day('2026-12-01', 'absent'), day('2026-12-02', 'absent')];
    expect(consecutiveAbsence(days, 3)?.dates).toEqual(['2026-12-01', '2026-12-02', '2026-12-03']);
  });

  it('exactly at the threshold alerts, one below does not', () => {
    const two = [day('2026-12-01', 'absent'), day('2026-12-02', 'absent')];
    expect(consecutiveAbsence(two, 3)).toBeNull();
    expect(consecutiveAbsence(two, 2)?.count).toBe(2);
  });
});

describe('missing homework', () => {
  const now = new Date('2026-12-10T12:00:00Z');
  const hw = (id: string, due: string, submitted = false) => ({ assignmentId: id, dueAt: new Date(due), submitted });

  it('counts past-due assignments without a submission within the window', () => {
    const r = missingHomework(
      [hw('a', '2026-12-09T10:00:00Z'), hw('b', '2026-12-05T10:00:00Z'), hw('c', '2026-12-08T10:00:00Z', true)],
      { threshold: 2, windowDays: 7, now },
    );
    expect(r?.map((x) => x.assignmentId)).toEqual(['b', 'a']);
  });

  it('ignores assignments not yet due and those due before the window', () => {
    const r = missingHomework([hw('future', '2026-12-11T10:00:00Z'), hw('old', '2026-12-01T10:00:00Z'), hw('a', '2026-12-09T10:00:00Z')], {
      threshold: 2,
      windowDays: 7,
      now,
    });
    expect(r).toBeNull();
  });

  it('an assignment due exactly now counts', () => {
    expect(missingHomework([hw('a', now.toISOString())], { threshold: 1, windowDays: 7, now })?.length).toBe(1);
  });
});

describe('mastery drop', () => {
  const now = new Date('2026-12-10T00:00:00Z');
  const pt = (at: string, pKnow: number) => ({ at: new Date(at), pKnow });

  it('finds a fall from the peak to the latest value within the window', () => {
    const r = masteryDrop([pt('2026-12-02T00:00:00Z', 0.5), pt('2026-12-05T00:00:00Z', 0.8), pt('2026-12-09T00:00:00Z', 0.5)], { minDrop: 0.3, windowDays: 14, now });
    expect(r).toMatchObject({ drop: 0.3, from: { pKnow: 0.8 }, to: { pKnow: 0.5 } });
  });

  it('a drop just below the threshold does not alert', () => {
    expect(masteryDrop([pt('2026-12-05T00:00:00Z', 0.8), pt('2026-12-09T00:00:00Z', 0.52)], { minDrop: 0.3, windowDays: 14, now })).toBeNull();
  });

  it('uses the last value before the window as the baseline', () => {
    const series = [pt('2026-11-01T00:00:00Z', 0.9), pt('2026-11-20T00:00:00Z', 0.85), pt('2026-12-08T00:00:00Z', 0.4)];
    // The window of 7 days starts on 12-03: 0.85 (the baseline) -> 0.4.
    expect(masteryDrop(series, { minDrop: 0.3, windowDays: 7, now })).toMatchObject({ drop: 0.45, from: { pKnow: 0.85 } });
  });

  it('a student who recovered is not flagged; no update in the window is not flagged', () => {
    expect(masteryDrop([pt('2026-12-02T00:00:00Z', 0.9), pt('2026-12-04T00:00:00Z', 0.4), pt('2026-12-08T00:00:00Z', 0.85)], { minDrop: 0.3, windowDays: 14, now })).toBeNull();
    expect(masteryDrop([pt('2026-11-01T00:00:00Z', 0.9), pt('2026-11-02T00:00:00Z', 0.2)], { minDrop: 0.3, windowDays: 7, now })).toBeNull();
  });
});

describe('escalation clock', () => {
  const raised = new Date('2026-12-01T08:00:00Z');
  const policy = { ownerHours: 48, headTeacherHours: 48 };
  const at = (h: number) => new Date(raised.getTime() + h * 3600_000);

  it('stays with the owner up to and including the deadline', () => {
    expect(escalationAt(raised, raised, policy)).toEqual({ level: 'owner', dueAt: at(48) });
    expect(escalationAt(raised, at(48), policy).level).toBe('owner');
  });

  it('moves to the head teacher just after the owner deadline, then to the school admin', () => {
    expect(escalationAt(raised, new Date(at(48).getTime() + 1), policy)).toEqual({ level: 'head_teacher', dueAt: at(96) });
    expect(escalationAt(raised, at(96), policy).level).toBe('head_teacher');
    expect(escalationAt(raised, new Date(at(96).getTime() + 1), policy)).toEqual({ level: 'school_admin', dueAt: null });
  });

  it('uses plain durations (no business hours) and is configurable', () => {
    expect(escalationAt(raised, at(2), { ownerHours: 1, headTeacherHours: 1 }).level).toBe('head_teacher');
    expect(escalationAt(raised, at(2.5), { ownerHours: 1, headTeacherHours: 1 }).level).toBe('school_admin');
  });
});
