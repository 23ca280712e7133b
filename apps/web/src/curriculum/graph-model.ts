/**
 * Pure helpers over a knowledge-point graph: indexes, the layered layout the chart draws, search,
 * and the learning path (used for versions the prerequisites endpoint does not serve).
 */
import type { Graph, KnowledgePoint } from '@zhijiao/server/api-types';

export interface GraphIndex {
  byCode: Map<string, KnowledgePoint>;
  /** code -> codes of the points that list it as a prerequisite */
  dependents: Map<string, string[]>;
}

export function indexGraph(g: Graph): GraphIndex {
  const byCode = new Map(g.points.map((p) => [p.code, p]));
  const dependents = new Map<string, string[]>();
  for (const p of g.points)
    for (const pre of p.prerequisites) {
      const list = dependents.get(pre);
      if (list) list.push(p.code);
      else dependents.set(pre, [p.code]);
    }
  return { byCode, dependents };
}

/** All transitive prerequisites of `code` (breadth-first, nearest first). */
export function ancestorsOf(idx: GraphIndex, code: string): string[] {
  const seen = new Set<string>([code]);
  const out: string[] = [];
  const queue = [code];
  for (let i = 0; i < queue.length; i++) {
    for (const pre of idx.byCode.get(queue[i]!)?.prerequisites ?? []) {
      if (seen.has(pre) || !idx.byCode.has(pre)) continue;
      seen.add(pre);
      out.push(pre);
      queue.push(pre);
    }
  }
  return out;
}

/** The ancestors of `goal` and goal itself, prerequisites first (ties by code), like the server's pathTo. */
export function learningPath(idx: GraphIndex, goal: string): string[] {
  const set = new Set([...ancestorsOf(idx, goal), goal]);
  const indegree = new Map<string, number>();
  for (const c of set) indegree.set(c, (idx.byCode.get(c)?.prerequisites ?? []).filter((p) => set.has(p)).length);
  const ready = [...set].filter((c) => indegree.get(c) === 0).sort();
  const order: string[] = [];
  while (ready.length) {
    const c = ready.shift()!;
    order.push(c);
    for (const d of idx.dependents.get(c) ?? []) {
      const n = indegree.get(d);
      if (n === undefined) continue;
      indegree.set(d, n - 1);
      if (n - 1 === 0) {
        ready.push(d);
        ready.sort();
      }
    }
  }
  return order;
}

/** Points whose code or name contains the query (case-insensitive); exact code matches first. */
export function searchPoints(g: Graph, q: string): KnowledgePoint[] {
  const s = q.trim().toLowerCase();
  if (!s) return [];
  const hits = g.points.filter((p) => p.code.toLowerCase().includes(s) || p.name.toLowerCase().includes(s));
  const rank = (p: KnowledgePoint) => (p.code.toLowerCase() === s ? 0 : p.name.toLowerCase().startsWith(s) ? 1 : 2);
  return hits.sort((a, b) => rank(a) - rank(b) || a.grade - b.grade || (a.code < b.code ? -1 : 1));
}

export interface LaidOutPoint {
  point: KnowledgePoint;
  x: number;
  y: number;
}

export interface Layout {
  points: LaidOutPoint[];
  /** The top of each grade's block, for the grade headings. */
  grades: { grade: number; x: number; y: number }[];
  width: number;
  height: number;
}

/** Spacing of the layout (the chart scales it to its box). */
export const COL_W = 150;
export const GRADE_GAP = 70;
export const ROW_H = 30;
export const BAND_GAP = 22;
/** Columns per grade: few enough that the labels of neighbouring columns do not collide. */
export const COLS_PER_GRADE = 3;

/**
 * Layered layout: one block of COLS_PER_GRADE columns per grade (left to right) and one horizontal
 * band per domain (top to bottom), so each domain's colour forms a stripe. The points of one grade
 * and domain fill their block column by column in prerequisite order (depth: the longest chain of
 * same-grade prerequisites below the point, then the mean row of the prerequisites), so arrows run
 * left to right or downwards inside a column and most edges stay short.
 */
export function layoutGraph(g: Graph): Layout {
  const byCode = new Map(g.points.map((p) => [p.code, p]));
  const grades = [...new Set(g.points.map((p) => p.grade))].sort((a, b) => a - b);

  // depth within the grade, in topological order (a stored graph has no cycle; leftovers get 0)
  const depth = new Map<string, number>();
  const indegree = new Map(g.points.map((p) => [p.code, p.prerequisites.filter((q) => byCode.has(q)).length]));
  const dependents = new Map<string, string[]>();
  for (const p of g.points) for (const q of p.prerequisites) dependents.set(q, [...(dependents.get(q) ?? []), p.code]);
  const ready = g.points.filter((p) => indegree.get(p.code) === 0).map((p) => p.code);
  for (let i = 0; i < ready.length; i++) {
    const p = byCode.get(ready[i]!)!;
    const same = p.prerequisites.filter((q) => byCode.get(q)?.grade === p.grade);
    depth.set(p.code, same.reduce((m, q) => Math.max(m, (depth.get(q) ?? -1) + 1), 0));
    for (const d of dependents.get(p.code) ?? []) {
      const n = (indegree.get(d) ?? 0) - 1;
      indegree.set(d, n);
      if (n === 0) ready.push(d);
    }
  }

  const domainOrder: (string | null)[] = [...g.domains.map((d) => d.code), null];
  const known = new Set(g.domains.map((d) => d.code));
  const domainKey = (p: KnowledgePoint) => (p.domain && known.has(p.domain) ? p.domain : null);
  const cells = new Map<string, KnowledgePoint[]>();
  const cellKey = (grade: number, domain: string | null) => `${grade}|${domain ?? ''}`;
  for (const p of g.points) {
    const k = cellKey(p.grade, domainKey(p));
    const list = cells.get(k);
    if (list) list.push(p);
    else cells.set(k, [p]);
  }
  const colsOf = (n: number) => Math.min(COLS_PER_GRADE, n);
  const rowsOf = (n: number) => (n === 0 ? 0 : Math.ceil(n / colsOf(n)));

  // bands: as tall as the fullest grade of the domain
  const bandTop = new Map<string | null, number>();
  let y = 0;
  for (const d of domainOrder) {
    const rows = Math.max(0, ...grades.map((gr) => rowsOf(cells.get(cellKey(gr, d))?.length ?? 0)));
    if (rows === 0) continue;
    bandTop.set(d, y);
    y += rows * ROW_H + BAND_GAP;
  }
  const height = Math.max(0, y - BAND_GAP - ROW_H);

  const pos = new Map<string, { x: number; y: number }>();
  const gradeX: { grade: number; x: number }[] = [];
  let x = 0;
  for (const gr of grades) {
    gradeX.push({ grade: gr, x: x + ((COLS_PER_GRADE - 1) * COL_W) / 2 });
    for (const d of domainOrder) {
      const list = cells.get(cellKey(gr, d));
      if (!list) continue;
      const bary = (p: KnowledgePoint) => {
        const ys = p.prerequisites.map((q) => pos.get(q)?.y).filter((v): v is number => v !== undefined);
        return ys.length ? ys.reduce((a, b) => a + b, 0) / ys.length : Number.POSITIVE_INFINITY;
      };
      const sorted = [...list].sort(
        (a, b) => (depth.get(a.code) ?? 0) - (depth.get(b.code) ?? 0) || bary(a) - bary(b) || (a.code < b.code ? -1 : 1),
      );
      const rows = rowsOf(sorted.length);
      sorted.forEach((p, i) => {
        const col = Math.floor(i / rows);
        // odd columns sit half a row lower, so labels of neighbouring columns do not line up
        const stagger = col % 2 === 1 ? ROW_H / 2 : 0;
        pos.set(p.code, { x: x + col * COL_W, y: bandTop.get(d)! + (i % rows) * ROW_H + stagger });
      });
    }
    x += COLS_PER_GRADE * COL_W + GRADE_GAP;
  }

  return {
    points: g.points.map((p) => ({ point: p, ...pos.get(p.code)! })),
    grades: gradeX.map((gx) => ({ grade: gx.grade, x: gx.x, y: -ROW_H * 1.5 })),
    width: Math.max(0, x - COL_W - GRADE_GAP),
    height,
  };
}

/** A label short enough not to run into the next column. */
export function shortLabel(name: string, maxWidth = 16): string {
  // CJK characters are about twice as wide as Latin ones
  const w = (ch: string) => (ch.charCodeAt(0) > 0x2e80 ? 2 : 1);
  let used = 0;
  const chars = [...name];
  if (chars.reduce((s, ch) => s + w(ch), 0) <= maxWidth) return name;
  let out = '';
  for (const ch of chars) {
    if (used + w(ch) > maxWidth - 1) break;
    used += w(ch);
    out += ch;
  }
  return `${out}…`;
}
