import { describe, expect, it } from 'vitest';
import { kpiWeeks, regularStats, weekOf } from './ai-use.js';

describe('weeks in China time', () => {
  it('start on Monday 00:00 UTC+8', () => {
    // Sunday 23:30 in Beijing is still the week of Monday 30 Nov; 00:10 on Monday starts the next.
    expect(weekOf(Date.parse('2026-12-06T15:30:00Z'))).toBe('2026-11-30');
    expect(weekOf(Date.parse('2026-12-06T16:10:00Z'))).toBe('2026-12-07');
  });

  it('the KPI looks at the M complete weeks before the current one', () => {
    expect(kpiWeeks(Date.parse('2026-12-09T04:00:00Z'), 4)).toEqual(['2026-11-09', '2026-11-16', '2026-11-23', '2026-11-30']);
  });
});

describe('regular use', () => {
  const weeks = ['2026-11-09', '2026-11-16', '2026-11-23', '2026-11-30'];
  const use = [
    ...['2026-11-09', '2026-11-16', '2026-11-30'].map((week) => ({ userId: 's1', week })), // 3 of 4
    ...['2026-11-16', '2026-11-23'].map((week) => ({ userId: 's2', week })), // 2 of 4
    ...['2026-11-16', '2026-11-16', '2026-12-07'].map((week) => ({ userId: 't1', week })), // 1 week (twice), current week ignored
    ...weeks.map((week) => ({ userId: 'gone', week })), // not an active member
  ];
  const members = new Map([['school', { teachers: ['t1'], students: ['s1', 's2', 's3'] }]]);
  const stats = regularStats(use, members, weeks);

  it('counts each active person once by the number of weeks with use, 0 to M', () => {
    const hist = (role: string) => stats.histogram.filter((h) => h.role === role).map((h) => h.people);
    expect(hist('student')).toEqual([1, 0, 1, 1, 0]);
    expect(hist('teacher')).toEqual([0, 1, 0, 0, 0]);
  });

  it('counts active people with use in each week', () => {
    expect(stats.weekly.filter((w) => w.role === 'student').map((w) => w.users)).toEqual([1, 2, 1, 1]);
    expect(stats.weekly.filter((w) => w.role === 'teacher').map((w) => w.users)).toEqual([0, 1, 0, 0]);
  });
});
