/** Types and small pure helpers of the portrait and check-up pages (no React). */
import type { Checkup, Portrait, QualityDomain, QualityRecord, TeacherList } from '@zhijiao/server/api-types';
import { query } from '../shell/api';

export type { Checkup, Portrait, QualityDomain, QualityRecord, TeacherList };

/** 德智体美劳, in the order schools list them. */
export const DOMAINS: QualityDomain[] = ['moral', 'intellectual', 'physical', 'aesthetic', 'labour'];
export const DOMAIN_COLORS: Record<QualityDomain, string> = { moral: '#cf1322', intellectual: '#1677ff', physical: '#389e0d', aesthetic: '#c41d7f', labour: '#d48806' };

/** Today in China time as YYYY-MM-DD, the way the server counts days. */
export const chinaToday = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
/** `days` before a YYYY-MM-DD day. */
export const daysBefore = (day: string, days: number) => new Date(new Date(`${day}T00:00:00Z`).getTime() - days * 86_400_000).toISOString().slice(0, 10);

export const portraitPath = (studentId: string, p: { from: string; to: string; subject?: string }) =>
  `/api/analytics/students/${encodeURIComponent(studentId)}/portrait${query({ from: p.from, to: p.to, subject: p.subject })}`;
export const qualityPath = (studentId: string) => `/api/analytics/students/${encodeURIComponent(studentId)}/quality`;
export const checkupPath = (teacherId: string, p: { from: string; to: string }) =>
  `/api/analytics/teachers/${encodeURIComponent(teacherId)}/checkup${query({ from: p.from, to: p.to })}`;

/** Mastery history grouped into one series per point, most recently practised first, at most `max`. */
export function masterySeries(p: Portrait, max: number) {
  const names = new Map(p.mastery.points.map((x) => [`${x.subject}|${x.code}`, x.name]));
  const by = new Map<string, { key: string; code: string; name: string; data: [string, number][] }>();
  for (const h of p.mastery.history) {
    const key = `${h.subject}|${h.code}`;
    const s = by.get(key) ?? { key, code: h.code, name: names.get(key) ?? h.code, data: [] };
    s.data.push([h.at, Math.round(h.pKnow * 1000) / 10]);
    by.set(key, s);
  }
  return [...by.values()].sort((a, b) => (a.data[a.data.length - 1]![0] < b.data[b.data.length - 1]![0] ? 1 : -1)).slice(0, max);
}

/** Percent with one decimal, or a dash. */
export const pct = (x: number | null | undefined) => (x === null || x === undefined ? '—' : `${Math.round(x * 1000) / 10}%`);
