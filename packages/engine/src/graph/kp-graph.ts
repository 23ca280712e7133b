/**
 * Knowledge-point (知识点) prerequisite graphs: validation of an import and queries on a
 * validated graph. Pure functions, no I/O. Every algorithm is iterative, so graphs of tens of
 * thousands of points (or a single chain that long) never hit a recursion-depth limit.
 *
 * Edge direction: a point "requires" each of its prerequisites. Cycle paths are written in that
 * direction, e.g. A → B → C → A means A requires B, B requires C and C requires A.
 */

export interface KpInput {
  row: number;
  code: string;
  name: string;
  description?: string;
  subject: string;
  grade: number;
  /** codes of prerequisite points */
  prerequisites: string[];
}

export type GraphProblemKind =
  | 'duplicate_code'
  | 'dangling_prerequisite'
  | 'cycle'
  | 'self_prerequisite'
  | 'invalid_field';

export interface GraphProblem {
  row: number;
  code: string;
  kind: GraphProblemKind;
  field: string | null;
  message: { zh: string; en: string };
  /**
   * duplicate_code: the first row's number; dangling_prerequisite / self_prerequisite: the code;
   * cycle: the path, starting and ending at its smallest code (A → B → C → A). Paths longer than
   * 200 codes keep their first and last codes around a '…' entry.
   */
  related: string[];
}

export const KP_CODE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const KP_NAME_MAX_LENGTH = 100;
export const KP_GRADE_MIN = 1;
export const KP_GRADE_MAX = 12;

/** Plain code-unit order: deterministic and locale-independent. */
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function show(value: unknown): string {
  const s = typeof value === 'string' ? value : String(value);
  return s.length > 70 ? `${s.slice(0, 67)}…` : s;
}

/**
 * Checks an import of knowledge points and returns every problem found, sorted by row
 * (problems on one row keep the order: fields, duplicate, self-loop / dangling, cycle).
 * `existingCodes` are codes already stored outside this import; prerequisites may refer to them.
 *
 * Duplicates: every row after the first with a code (the first row's edges are the ones used for
 * cycle detection). Cycles: strongly connected components (Tarjan); every row in one gets exactly
 * one `cycle` problem naming a simple cycle through that row, and a cycle is shown on each of its
 * rows that no earlier-found cycle already covered (so disjoint cycles each appear on all their
 * rows). In pathological tangles past a work budget, the remaining rows get a problem without a
 * path.
 */
export function validateKpGraph(
  points: KpInput[],
  opts: { existingCodes?: ReadonlySet<string> } = {},
): GraphProblem[] {
  const existing = opts.existingCodes ?? new Set<string>();
  const problems: GraphProblem[] = [];
  const add = (p: KpInput, kind: GraphProblemKind, field: string | null, zh: string, en: string, related: string[] = []) =>
    problems.push({ row: p.row, code: typeof p.code === 'string' ? p.code : '', kind, field, message: { zh, en }, related });

  // 1. Fields.
  for (const p of points) {
    const code = p.code;
    if (typeof code !== 'string' || code.trim() === '') {
      add(p, 'invalid_field', 'code', '知识点编码不能为空。', 'The knowledge point code is empty.');
    } else if (!KP_CODE_PATTERN.test(code)) {
      add(
        p,
        'invalid_field',
        'code',
        `知识点编码“${show(code)}”格式不正确：须以字母或数字开头，只能包含字母、数字、点（.）、下划线（_）和连字符（-），最长 64 个字符，不能含空格。`,
        `The code "${show(code)}" is not valid: it must start with a letter or digit and contain only letters, digits, dots (.), underscores (_) and hyphens (-), no spaces, at most 64 characters.`,
      );
    }

    const name = p.name;
    if (typeof name !== 'string' || name.trim() === '') {
      add(p, 'invalid_field', 'name', '知识点名称不能为空。', 'The knowledge point name is empty.');
    } else {
      const len = [...name].length;
      if (len > KP_NAME_MAX_LENGTH) {
        add(
          p,
          'invalid_field',
          'name',
          `知识点名称过长（${len} 个字符），最多 ${KP_NAME_MAX_LENGTH} 个字符；较长的说明请写在“描述”中。`,
          `The name is too long (${len} characters); at most ${KP_NAME_MAX_LENGTH} are allowed. Put longer explanations in the description.`,
        );
      }
    }

    const grade = p.grade;
    if (typeof grade !== 'number' || !Number.isInteger(grade) || grade < KP_GRADE_MIN || grade > KP_GRADE_MAX) {
      add(
        p,
        'invalid_field',
        'grade',
        `年级“${show(grade)}”无效：须为 ${KP_GRADE_MIN}–${KP_GRADE_MAX} 的整数（例如七年级填 7，高一填 10）。`,
        `The grade "${show(grade)}" is not valid: it must be a whole number from ${KP_GRADE_MIN} to ${KP_GRADE_MAX} (e.g. 7 for grade 7, 10 for senior 1).`,
      );
    }

    if (!Array.isArray(p.prerequisites)) {
      add(p, 'invalid_field', 'prerequisites', '前置知识点列表格式不正确。', 'The list of prerequisites is not valid.');
    } else if (p.prerequisites.some((q) => typeof q !== 'string' || q.trim() === '')) {
      add(
        p,
        'invalid_field',
        'prerequisites',
        '前置知识点中有空白的编码，请删除多余的分隔符或空项。',
        'One of the prerequisites is blank; remove the extra separator or empty entry.',
      );
    }
  }

  // 2. Duplicate codes: the first row with a code owns it.
  const firstRow = new Map<string, KpInput>();
  for (const p of points) {
    if (typeof p.code !== 'string' || p.code === '') continue;
    const first = firstRow.get(p.code);
    if (first === undefined) {
      firstRow.set(p.code, p);
    } else {
      add(
        p,
        'duplicate_code',
        'code',
        `知识点编码“${show(p.code)}”重复：第 ${first.row} 行已使用该编码。请为本行换一个编码，或删除重复的行。`,
        `The code "${show(p.code)}" is already used on row ${first.row}. Give this row a different code or remove the duplicate row.`,
        [String(first.row)],
      );
    }
  }

  // 3. Self-loops and dangling prerequisites (on every row, duplicates included).
  const prereqsOf = (p: KpInput): string[] =>
    Array.isArray(p.prerequisites)
      ? [...new Set(p.prerequisites.filter((q): q is string => typeof q === 'string' && q.trim() !== ''))]
      : [];
  for (const p of points) {
    for (const q of prereqsOf(p)) {
      if (q === p.code) {
        add(
          p,
          'self_prerequisite',
          'prerequisites',
          `知识点“${show(p.code)}”把自己列为前置知识点，请删除这一项。`,
          `The point "${show(p.code)}" lists itself as a prerequisite; remove that entry.`,
          [q],
        );
      } else if (!firstRow.has(q) && !existing.has(q)) {
        add(
          p,
          'dangling_prerequisite',
          'prerequisites',
          `前置知识点“${show(q)}”不存在：本次导入和已有知识点中都找不到这个编码。请检查拼写，或先添加该知识点。`,
          `The prerequisite "${show(q)}" was not found in this import or among the existing knowledge points. Check the spelling, or add that point first.`,
          [q],
        );
      }
    }
  }

  // 4. Cycles among the points of this import (first row of each code; self-loops excluded).
  const owners = [...firstRow.values()];
  const id = new Map<string, number>();
  owners.forEach((p, i) => id.set(p.code, i));
  const adj: number[][] = owners.map((p) => {
    const out: number[] = [];
    for (const q of prereqsOf(p)) {
      const j = id.get(q);
      if (j !== undefined && q !== p.code) out.push(j);
    }
    return out;
  });

  const radj: number[][] = owners.map(() => []);
  adj.forEach((out, v) => out.forEach((w) => radj[w]!.push(v)));
  const budget = { steps: CYCLE_WORK_BUDGET };
  for (const scc of stronglyConnectedComponents(adj)) {
    if (scc.length < 2) continue;
    const codeOf = (i: number) => owners[i]!.code;
    for (const [v, cycle] of cyclesThrough(scc, adj, radj, codeOf, budget)) {
      const p = owners[v]!;
      if (cycle === null) {
        add(
          p,
          'cycle',
          'prerequisites',
          `本行的知识点“${show(p.code)}”处在一组相互循环依赖的知识点中（共 ${scc.length} 个），无法排出学习顺序。循环过多，未能逐一列出，请先修正其他行报告的循环。`,
          `This row's point "${show(p.code)}" belongs to a group of ${scc.length} points whose prerequisites loop back on each other, so no learning order exists. There are too many cycles to list each one; fix the cycles reported on other rows first.`,
        );
        continue;
      }
      const text = abbreviate(cycle.full, CYCLE_MESSAGE_MAX).join(' → ');
      const n = cycle.full.length - 1;
      const zhCount = n > CYCLE_MESSAGE_MAX ? `（共 ${n} 个知识点）` : '';
      const enCount = n > CYCLE_MESSAGE_MAX ? ` (${n} points)` : '';
      add(
        p,
        'cycle',
        'prerequisites',
        `前置关系形成了循环：${text}${zhCount}（箭头表示“需要先学”）。循环中的知识点无法排出学习顺序，请删除其中至少一条前置关系。本行的知识点“${show(p.code)}”在这个循环中。`,
        `The prerequisites form a cycle: ${text}${enCount} (each arrow means "requires"). Points in a cycle cannot be put in a learning order; remove at least one of these prerequisite links. This row's point "${show(p.code)}" is part of the cycle.`,
        cycle.related,
      );
    }
  }

  const rank: Record<GraphProblemKind, number> = {
    invalid_field: 0,
    duplicate_code: 1,
    self_prerequisite: 2,
    dangling_prerequisite: 2,
    cycle: 3,
  };
  return problems
    .map((p, i) => ({ p, i }))
    .sort((a, b) => a.p.row - b.p.row || rank[a.p.kind] - rank[b.p.kind] || a.i - b.i)
    .map(({ p }) => p);
}

/** Longest cycle path (in codes) shown in a message, and kept in `related`. */
const CYCLE_MESSAGE_MAX = 12;
const CYCLE_RELATED_MAX = 200;
/** Total cycle length walked per validation before the remaining rows get a shorter report. */
const CYCLE_WORK_BUDGET = 2_000_000;

/**
 * A long cycle path A → … → A shortened to its first and last codes around a '…' marker,
 * so that a cycle through thousands of points does not make every row's problem huge.
 */
function abbreviate(path: string[], max: number): string[] {
  if (path.length <= max) return path;
  const head = Math.ceil((max - 1) / 2);
  const tail = max - 1 - head;
  return [...path.slice(0, head), '…', ...path.slice(path.length - tail)];
}

/** Tarjan's algorithm, iterative. Returns the components (arrays of node ids). */
function stronglyConnectedComponents(adj: readonly (readonly number[])[]): number[][] {
  const n = adj.length;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  const result: number[][] = [];
  const callNode: number[] = [];
  const callEdge: number[] = [];
  let next = 0;

  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    index[root] = low[root] = next++;
    stack.push(root);
    onStack[root] = 1;
    callNode.push(root);
    callEdge.push(0);
    while (callNode.length > 0) {
      const top = callNode.length - 1;
      const v = callNode[top]!;
      const edges = adj[v]!;
      const e = callEdge[top]!;
      if (e < edges.length) {
        callEdge[top] = e + 1;
        const w = edges[e]!;
        if (index[w] === -1) {
          index[w] = low[w] = next++;
          stack.push(w);
          onStack[w] = 1;
          callNode.push(w);
          callEdge.push(0);
        } else if (onStack[w]) {
          low[v] = Math.min(low[v]!, index[w]!);
        }
        continue;
      }
      callNode.pop();
      callEdge.pop();
      if (low[v] === index[v]) {
        const comp: number[] = [];
        let w: number;
        do {
          w = stack.pop()!;
          onStack[w] = 0;
          comp.push(w);
        } while (w !== v);
        result.push(comp);
      }
      if (callNode.length > 0) {
        const parent = callNode[callNode.length - 1]!;
        low[parent] = Math.min(low[parent]!, low[v]!);
      }
    }
  }
  return result;
}

interface FoundCycle {
  /** codes, closed: first === last, starting at the smallest code */
  full: string[];
  /** `full` abbreviated to CYCLE_RELATED_MAX entries */
  related: string[];
}

/**
 * For every node of one strongly connected component (size ≥ 2), a simple cycle through it.
 *
 * Two BFS trees are grown from the component's smallest-code node r: F along the edges
 * (r → … → v) and B against them (v → … → r). For a node v, walk B from v until the first node
 * x that is an ancestor of v in F; then x →(F)→ v →(B)→ x is a simple cycle through v. Nodes are
 * taken farthest first and skip nodes already on a found cycle, so one long cycle covers many
 * nodes; each found cycle is then reported on every node it covered. The total length of the
 * walks is capped by `budget`; past it, the remaining nodes get `null` (no path listed).
 */
function cyclesThrough(
  scc: number[],
  adj: readonly (readonly number[])[],
  radj: readonly (readonly number[])[],
  code: (v: number) => string,
  budget: { steps: number },
): Map<number, FoundCycle | null> {
  const inScc = new Set(scc);
  let r = scc[0]!;
  for (const v of scc) if (cmp(code(v), code(r)) < 0) r = v;

  const bfs = (edges: readonly (readonly number[])[]) => {
    const parent = new Map<number, number>([[r, -1]]);
    const depth = new Map<number, number>([[r, 0]]);
    const queue = [r];
    for (let h = 0; h < queue.length; h++) {
      const v = queue[h]!;
      for (const w of edges[v]!) {
        if (!inScc.has(w) || parent.has(w)) continue;
        parent.set(w, v);
        depth.set(w, depth.get(v)! + 1);
        queue.push(w);
      }
    }
    return { parent, depth };
  };
  const F = bfs(adj); // parent in F: the node that requires v on the way from r
  const B = bfs(radj); // parent in B: the next node on the way from v back to r

  // Entry/exit times of an iterative DFS over F, for O(1) ancestor tests.
  const children = new Map<number, number[]>();
  for (const [v, p] of F.parent) if (p !== -1) (children.get(p) ?? children.set(p, []).get(p)!).push(v);
  const tin = new Map<number, number>();
  const tout = new Map<number, number>();
  let clock = 0;
  const stack: [number, number][] = [[r, 0]];
  tin.set(r, clock++);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const kids = children.get(top[0]) ?? [];
    if (top[1] < kids.length) {
      const c = kids[top[1]++]!;
      tin.set(c, clock++);
      stack.push([c, 0]);
    } else {
      tout.set(top[0], clock++);
      stack.pop();
    }
  }
  const isAncestorF = (a: number, v: number) => tin.get(a)! <= tin.get(v)! && tout.get(v)! <= tout.get(a)!;

  const result = new Map<number, FoundCycle | null>();
  const found = (nodes: number[]) => {
    budget.steps -= nodes.length;
    let m = 0;
    for (let i = 1; i < nodes.length; i++) if (cmp(code(nodes[i]!), code(nodes[m]!)) < 0) m = i;
    const rotated = [...nodes.slice(m), ...nodes.slice(0, m)];
    const full = [...rotated, rotated[0]!].map(code);
    const cycle: FoundCycle = { full, related: abbreviate(full, CYCLE_RELATED_MAX) };
    for (const v of nodes) if (!result.has(v)) result.set(v, cycle);
  };

  const order = scc
    .filter((v) => v !== r)
    .sort((a, b) => F.depth.get(b)! + B.depth.get(b)! - F.depth.get(a)! - B.depth.get(a)! || cmp(code(a), code(b)));
  for (const v of order) {
    if (result.has(v)) continue;
    if (budget.steps <= 0) {
      result.set(v, null);
      continue;
    }
    const back: number[] = []; // v and the B-path after it, up to (not including) x
    let x = v;
    do {
      back.push(x);
      x = B.parent.get(x)!;
    } while (!isAncestorF(x, v));
    const down: number[] = []; // F-path from x down to the parent of v
    for (let u = F.parent.get(v)!; u !== x; u = F.parent.get(u)!) down.push(u);
    found([x, ...down.reverse(), ...back]);
  }
  if (!result.has(r)) {
    // r → w along the edge with the shortest way back, then B from w to r.
    let w = -1;
    for (const c of adj[r]!) if (inScc.has(c) && (w === -1 || B.depth.get(c)! < B.depth.get(w)!)) w = c;
    const nodes = [r];
    for (let u = w; u !== r; u = B.parent.get(u)!) nodes.push(u);
    found(nodes);
  }
  return result;
}

/** Binary min-heap of strings in code-unit order. */
class StringHeap {
  private readonly items: string[] = [];
  get size(): number {
    return this.items.length;
  }
  push(s: string): void {
    const a = this.items;
    a.push(s);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (cmp(a[p]!, a[i]!) <= 0) break;
      [a[p], a[i]] = [a[i]!, a[p]!];
      i = p;
    }
  }
  pop(): string {
    const a = this.items;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && cmp(a[l]!, a[m]!) < 0) m = l;
        if (r < a.length && cmp(a[r]!, a[m]!) < 0) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i]!, a[m]!];
        i = m;
      }
    }
    return top;
  }
}

/**
 * Queries on a validated (acyclic) prerequisite graph. Codes that appear only as prerequisites
 * are treated as points without prerequisites of their own; unknown codes as isolated points.
 */
export class KpGraph {
  private readonly prereqs = new Map<string, string[]>();
  private readonly dependents = new Map<string, string[]>();

  constructor(points: { code: string; prerequisites: string[] }[]) {
    const node = (code: string) => {
      if (!this.prereqs.has(code)) {
        this.prereqs.set(code, []);
        this.dependents.set(code, []);
      }
    };
    for (const p of points) {
      node(p.code);
      const list = this.prereqs.get(p.code)!;
      for (const q of p.prerequisites) {
        if (q === p.code || list.includes(q)) continue;
        node(q);
        list.push(q);
        this.dependents.get(q)!.push(p.code);
      }
    }
  }

  /** Every code in the graph, in first-seen order. */
  codes(): string[] {
    return [...this.prereqs.keys()];
  }

  has(code: string): boolean {
    return this.prereqs.has(code);
  }

  /** Direct prerequisites, in the order given. */
  prerequisitesOf(code: string): string[] {
    return [...(this.prereqs.get(code) ?? [])];
  }

  /** Points that list `code` as a direct prerequisite. */
  dependentsOf(code: string): string[] {
    return [...(this.dependents.get(code) ?? [])];
  }

  /** All transitive prerequisites, nearest first (breadth-first). */
  ancestors(code: string): string[] {
    return this.bfs(code, this.prereqs);
  }

  /** All points that transitively depend on `code`, nearest first (breadth-first). */
  descendants(code: string): string[] {
    return this.bfs(code, this.dependents);
  }

  /**
   * What a learner who already knows `known` still has to study to reach `goal`: every ancestor
   * of goal not in `known`, then goal itself (unless known), in topological order.
   */
  pathTo(goal: string, known: ReadonlySet<string> = new Set()): string[] {
    const need = this.ancestors(goal).filter((c) => !known.has(c));
    if (!known.has(goal)) need.push(goal);
    return this.topologicalOrder(need);
  }

  /**
   * Kahn's algorithm over the subgraph induced by `codes` (default: the whole graph):
   * prerequisites before dependents, ties broken by code. Throws if the subgraph has a cycle.
   */
  topologicalOrder(codes?: Iterable<string>): string[] {
    const set = new Set(codes ?? this.prereqs.keys());
    const indegree = new Map<string, number>();
    for (const c of set) {
      let d = 0;
      for (const q of this.prereqs.get(c) ?? []) if (set.has(q)) d++;
      indegree.set(c, d);
    }
    const heap = new StringHeap();
    for (const [c, d] of indegree) if (d === 0) heap.push(c);
    const order: string[] = [];
    while (heap.size > 0) {
      const c = heap.pop();
      order.push(c);
      for (const dep of this.dependents.get(c) ?? []) {
        const d = indegree.get(dep);
        if (d === undefined) continue;
        indegree.set(dep, d - 1);
        if (d === 1) heap.push(dep);
      }
    }
    if (order.length < set.size) {
      const stuck = [...set].filter((c) => (indegree.get(c) ?? 0) > 0).sort(cmp);
      throw new Error(`Knowledge-point graph has a cycle among: ${stuck.slice(0, 20).join(', ')}`);
    }
    return order;
  }

  private bfs(start: string, edges: Map<string, string[]>): string[] {
    const seen = new Set<string>([start]);
    const out: string[] = [];
    const queue = [start];
    for (let h = 0; h < queue.length; h++) {
      for (const w of edges.get(queue[h]!) ?? []) {
        if (seen.has(w)) continue;
        seen.add(w);
        out.push(w);
        queue.push(w);
      }
    }
    return out;
  }
}
