/**
 * The region cockpit page's model: the API types (inferred from the server's zod schemas), what
 * a click on a figure traces back to, and pure helpers for chart data and query strings.
 */
import type { CockpitTrace, CockpitView } from '@zhijiao/server/api-types';

export type Cockpit = CockpitView;
export type CockpitSchool = Cockpit['schools'][number];
export type AiFigure = CockpitSchool['ai'];
export type TraceData = CockpitTrace;

/** A figure whose rows the drawer shows: a school's participation, a heatmap cell, a school's or the region's AI use. */
export type CockpitTraceTarget =
  | { figure: 'participation'; school: string }
  | { figure: 'mastery'; school: string; kp: string; subject: string }
  | { figure: 'ai'; school?: string };

export interface CockpitFilter {
  region?: string;
  subject?: string;
  from?: string;
  to?: string;
}

const qs = (params: Record<string, string | undefined>) => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
};

export const cockpitPath = (f: CockpitFilter) => `/api/analytics/cockpit${qs({ region: f.region, subject: f.subject, from: f.from, to: f.to })}`;

export const tracePath = (f: CockpitFilter, t: CockpitTraceTarget) =>
  `/api/analytics/cockpit/trace${qs({
    figure: t.figure,
    region: f.region,
    from: f.from,
    to: f.to,
    school: 'school' in t ? t.school : undefined,
    kp: t.figure === 'mastery' ? t.kp : undefined,
    subject: t.figure === 'mastery' ? t.subject : undefined,
  })}`;

/** A share as a percentage with one decimal; null stays null. */
export const pct = (x: number | null | undefined) => (x === null || x === undefined ? null : Math.round(x * 1000) / 10);

/** Heatmap cells as [x = point index, y = school index, value %]; suppressed or missing cells apart (grey). */
export function heatmapCells(c: Cockpit): { shown: [number, number, number][]; hidden: [number, number, number][] } {
  const xs = new Map(c.mastery.points.map((p, i) => [p.code, i]));
  const ys = new Map(c.schools.map((s, i) => [s.id, i]));
  const shown: [number, number, number][] = [];
  const hidden: [number, number, number][] = [];
  for (const cell of c.mastery.cells) {
    const x = xs.get(cell.kp);
    const y = ys.get(cell.school);
    if (x === undefined || y === undefined) continue;
    if (cell.rate === null) hidden.push([x, y, 0]);
    else shown.push([x, y, pct(cell.rate)!]);
  }
  return { shown, hidden };
}

/** Met / not met / unknown (suppressed or no data yet) for a tag. */
export const targetState = (f: AiFigure): 'met' | 'notMet' | 'unknown' => (f.met === null ? 'unknown' : f.met ? 'met' : 'notMet');
