import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KpGraph, validateKpGraph, type GraphProblem, type KpInput } from './kp-graph.js';

let nextRow = 2;
function kp(code: string, prerequisites: string[] = [], extra: Partial<KpInput> = {}): KpInput {
  return { row: nextRow++, code, name: `知识点 ${code}`, subject: 'math', grade: 7, prerequisites, ...extra };
}
function rows(points: KpInput[]): KpInput[] {
  return points.map((p, i) => ({ ...p, row: i + 2 }));
}
function kinds(problems: GraphProblem[]): string[] {
  return problems.map((p) => `${p.row}:${p.kind}`);
}

describe('validateKpGraph', () => {
  it('accepts a valid graph', () => {
    expect(validateKpGraph(rows([kp('A'), kp('B', ['A']), kp('C', ['A', 'B'])]))).toEqual([]);
  });

  it('reports invalid fields', () => {
    const problems = validateKpGraph(
      rows([
        kp('', [], { name: '' }),
        kp('has space'),
        kp('-leading'),
        kp('x'.repeat(65)),
        kp('G0', [], { grade: 0 }),
        kp('G13', [], { grade: 13 }),
        kp('G7.5', [], { grade: 7.5 }),
        kp('LONG', [], { name: '长'.repeat(101) }),
        kp('OK100', [], { name: '长'.repeat(100), grade: 12 }),
        kp('BLANKPRE', ['']),
      ]),
    );
    expect(problems.map((p) => [p.row, p.field])).toEqual([
      [2, 'code'],
      [2, 'name'],
      [3, 'code'],
      [4, 'code'],
      [5, 'code'],
      [6, 'grade'],
      [7, 'grade'],
      [8, 'grade'],
      [9, 'name'],
      [11, 'prerequisites'],
    ]);
    expect(problems.every((p) => p.kind === 'invalid_field')).toBe(true);
    for (const p of problems) {
      expect(p.message.zh).toMatch(/[\u4e00-\u9fff]/);
      expect(p.message.en.length).toBeGreaterThan(10);
    }
    expect(problems.find((p) => p.field === 'name' && p.row === 9)!.message.zh).toContain('101');
    // codes with dots, underscores and hyphens, 64 characters long, are fine
    expect(validateKpGraph(rows([kp('a.b_c-D9'), kp('y'.repeat(64))]))).toEqual([]);
  });

  it('reports every duplicate code, naming the first row', () => {
    const problems = validateKpGraph(rows([kp('A'), kp('B'), kp('A'), kp('A')]));
    expect(kinds(problems)).toEqual(['4:duplicate_code', '5:duplicate_code']);
    expect(problems.every((p) => p.related[0] === '2' && p.field === 'code')).toBe(true);
    expect(problems[0]!.message.zh).toContain('第 2 行');
    expect(problems[0]!.message.en).toContain('row 2');
  });

  it('reports dangling prerequisites, accepting existing codes', () => {
    const points = rows([kp('A', ['X', 'OLD']), kp('B', ['A', 'Y'])]);
    const problems = validateKpGraph(points, { existingCodes: new Set(['OLD']) });
    expect(problems.map((p) => [p.row, p.kind, p.related])).toEqual([
      [2, 'dangling_prerequisite', ['X']],
      [3, 'dangling_prerequisite', ['Y']],
    ]);
    expect(problems[0]!.message.zh).toContain('X');
    expect(validateKpGraph(points).map((p) => p.related[0])).toEqual(['X', 'OLD', 'Y']);
  });

  it('reports a point that requires itself (once, even if listed twice), not as a cycle', () => {
    const problems = validateKpGraph(rows([kp('A', ['A', 'A']), kp('B', ['A'])]));
    expect(problems.map((p) => [p.row, p.kind, p.code, p.field])).toEqual([[2, 'self_prerequisite', 'A', 'prerequisites']]);
  });

  it('reports a 3-cycle once, with its path, on every row that takes part', () => {
    const problems = validateKpGraph(rows([kp('B', ['C']), kp('Z'), kp('A', ['B']), kp('C', ['A']), kp('D', ['C'])]));
    expect(kinds(problems)).toEqual(['2:cycle', '4:cycle', '5:cycle']);
    for (const p of problems) {
      expect(p.related).toEqual(['A', 'B', 'C', 'A']);
      expect(p.message.zh).toContain('A → B → C → A');
      expect(p.message.en).toContain('A → B → C → A');
    }
    expect(problems.map((p) => p.code)).toEqual(['B', 'A', 'C']);
  });

  it('reports two disjoint cycles separately', () => {
    const problems = validateKpGraph(
      rows([kp('P', ['Q']), kp('Q', ['P']), kp('X', ['Y']), kp('Y', ['Z']), kp('Z', ['X']), kp('FREE', ['P', 'X'])]),
    );
    expect(problems.filter((p) => p.kind === 'cycle').map((p) => [p.code, p.related.join('>')])).toEqual([
      ['P', 'P>Q>P'],
      ['Q', 'P>Q>P'],
      ['X', 'X>Y>Z>X'],
      ['Y', 'X>Y>Z>X'],
      ['Z', 'X>Y>Z>X'],
    ]);
    expect(problems).toHaveLength(5);
  });

  it('covers every row of a tangled component (a figure eight)', () => {
    // A → B → A and A → C → A share A: two cycles, A is on both.
    const problems = validateKpGraph(rows([kp('A', ['B', 'C']), kp('B', ['A']), kp('C', ['A'])]));
    const paths = new Set(problems.map((p) => p.related.join('>')));
    expect(paths).toEqual(new Set(['A>B>A', 'A>C>A']));
    expect(new Set(problems.map((p) => p.code))).toEqual(new Set(['A', 'B', 'C']));
    expect(problems.every((p) => p.kind === 'cycle')).toBe(true);
  });

  it('gives every row of a large tangled component one real cycle through it, quickly', () => {
    const n = 5000;
    const code = (i: number) => `T${String(i).padStart(4, '0')}`;
    let seed = 7;
    const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    const graphs: KpInput[][] = [
      // a hub in a 2-cycle with each of 5,000 points
      [kp('HUB', Array.from({ length: n }, (_, i) => code(i))), ...Array.from({ length: n }, (_, i) => kp(code(i), ['HUB']))],
      // a long cycle where every point also requires the first one
      Array.from({ length: n }, (_, i) => kp(code(i), i === 0 ? [code(1)] : [code((i + 1) % n), code(0)])),
      // random points with three prerequisites each (mostly one big component)
      Array.from({ length: n }, (_, i) => kp(code(i), [0, 1, 2].map(() => code(Math.floor(rand() * n))).filter((c) => c !== code(i)))),
    ];
    for (const points of graphs) {
      const edges = new Set(points.flatMap((p) => p.prerequisites.map((q) => `${p.code}>${q}`)));
      const t = performance.now();
      const problems = validateKpGraph(rows(points)).filter((p) => p.kind === 'cycle');
      expect(performance.now() - t).toBeLessThan(5000);
      expect(problems.length).toBeGreaterThan(n / 2);
      expect(new Set(problems.map((p) => p.row)).size).toBe(problems.length); // one per row
      const bad = problems.filter((p) => {
        const path = p.related;
        if (path.length > 200) return true;
        if (path.includes('…')) return false;
        const simple = path[0] === path.at(-1) && new Set(path).size === path.length - 1;
        return !simple || !path.includes(p.code) || path.slice(1).some((c, i) => !edges.has(`${path[i]}>${c}`));
      });
      expect(bad).toEqual([]);
    }
  });

  it('reports all problems of one import at once', () => {
    const problems = validateKpGraph(
      rows([
        kp('A', ['B']), // 2: cycle A-B
        kp('B', ['A', 'MISSING']), // 3: dangling + cycle
        kp('A', ['NOPE']), // 4: duplicate + dangling
        kp('S', ['S']), // 5: self
        kp('bad code', [], { grade: 20 }), // 6: two invalid fields
      ]),
    );
    expect(kinds(problems)).toEqual([
      '2:cycle',
      '3:dangling_prerequisite',
      '3:cycle',
      '4:duplicate_code',
      '4:dangling_prerequisite',
      '5:self_prerequisite',
      '6:invalid_field',
      '6:invalid_field',
    ]);
  });

  it('handles a 10,000-point chain and a 10,000-point cycle without deep recursion', () => {
    const n = 10_000;
    const chain = Array.from({ length: n }, (_, i) =>
      kp(`K${String(i).padStart(5, '0')}`, i === 0 ? [] : [`K${String(i - 1).padStart(5, '0')}`]),
    );
    let t = performance.now();
    expect(validateKpGraph(chain)).toEqual([]);
    expect(performance.now() - t).toBeLessThan(5000);

    const cycle = chain.map((p, i) => (i === 0 ? { ...p, prerequisites: [`K${String(n - 1).padStart(5, '0')}`] } : p));
    t = performance.now();
    const problems = validateKpGraph(cycle);
    expect(performance.now() - t).toBeLessThan(5000);
    expect(problems).toHaveLength(n);
    expect(problems.every((p) => p.kind === 'cycle')).toBe(true);
    // a path of 10,001 codes is abbreviated: 200 entries in related, 12 in the message
    const related = problems[0]!.related;
    expect(related).toHaveLength(200);
    expect(related[0]).toBe('K00000');
    expect(related[1]).toBe('K09999'); // K00000 requires K09999
    expect(related).toContain('…');
    expect(related.at(-1)).toBe('K00000');
    expect(problems[0]!.message.zh).toContain('共 10000 个知识点');
    expect(problems[0]!.message.en.length).toBeLessThan(500);

    const g = new KpGraph(chain);
    expect(g.ancestors('K09999')).toHaveLength(n - 1);
    expect(g.descendants('K00000')[0]).toBe('K00001');
    expect(g.pathTo('K09999', new Set(['K00000']))).toHaveLength(n - 1);
    expect(g.topologicalOrder()[n - 1]).toBe('K09999');
  });
});

describe('KpGraph', () => {
  // A ← B ← D, A ← C ← D, D ← E; F is isolated.
  const g = new KpGraph([
    { code: 'A', prerequisites: [] },
    { code: 'B', prerequisites: ['A'] },
    { code: 'C', prerequisites: ['A'] },
    { code: 'D', prerequisites: ['C', 'B'] },
    { code: 'E', prerequisites: ['D'] },
    { code: 'F', prerequisites: [] },
  ]);

  it('gives direct prerequisites and dependents', () => {
    expect(g.prerequisitesOf('D')).toEqual(['C', 'B']);
    expect(g.dependentsOf('A')).toEqual(['B', 'C']);
    expect(g.dependentsOf('E')).toEqual([]);
    expect(g.prerequisitesOf('UNKNOWN')).toEqual([]);
  });

  it('gives ancestors and descendants nearest first', () => {
    expect(g.ancestors('E')).toEqual(['D', 'C', 'B', 'A']);
    expect(g.ancestors('A')).toEqual([]);
    expect(g.descendants('A')).toEqual(['B', 'C', 'D', 'E']);
    expect(g.descendants('F')).toEqual([]);
  });

  it('plans a path to a goal', () => {
    expect(g.pathTo('E')).toEqual(['A', 'B', 'C', 'D', 'E']);
    expect(g.pathTo('E', new Set(['A', 'C']))).toEqual(['B', 'D', 'E']);
    expect(g.pathTo('D', new Set(['D']))).toEqual(['A', 'B', 'C']);
    expect(g.pathTo('A')).toEqual(['A']);
    expect(g.pathTo('UNKNOWN')).toEqual(['UNKNOWN']);
  });

  it('orders a subgraph topologically, ties by code', () => {
    expect(g.topologicalOrder()).toEqual(['A', 'B', 'C', 'D', 'E', 'F']);
    expect(g.topologicalOrder(['E', 'B', 'F', 'B'])).toEqual(['B', 'E', 'F']);
    expect(() => new KpGraph([{ code: 'X', prerequisites: ['Y'] }, { code: 'Y', prerequisites: ['X'] }]).topologicalOrder()).toThrow(/cycle/);
  });

  it('respects every edge on a random DAG (seeded)', () => {
    let seed = 20240901;
    const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    const n = 2000;
    // Node i may only require nodes with a smaller index, then codes are shuffled so the
    // index order is not the code order.
    const codes = Array.from({ length: n }, (_, i) => `N${i}`);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [codes[i], codes[j]] = [codes[j]!, codes[i]!];
    }
    const points = codes.map((code, i) => {
      const prerequisites = new Set<string>();
      const k = i === 0 ? 0 : Math.floor(rand() * 4);
      for (let e = 0; e < k; e++) prerequisites.add(codes[Math.floor(rand() * i)]!);
      return { code, prerequisites: [...prerequisites] };
    });
    expect(validateKpGraph(points.map((p, i) => ({ ...p, row: i + 2, name: p.code, subject: 'math', grade: 7 })))).toEqual([]);

    const graph = new KpGraph(points);
    const order = graph.topologicalOrder();
    expect(new Set(order).size).toBe(n);
    const pos = new Map(order.map((c, i) => [c, i]));
    for (const p of points) for (const q of p.prerequisites) expect(pos.get(q)!).toBeLessThan(pos.get(p.code)!);
    expect(graph.topologicalOrder()).toEqual(order); // deterministic

    const goal = codes[n - 1]!;
    const known = new Set(codes.slice(0, 300));
    const path = graph.pathTo(goal, known);
    expect(path.at(-1)).toBe(goal);
    expect(new Set(path)).toEqual(new Set([...graph.ancestors(goal).filter((c) => !known.has(c)), goal]));
    const ppos = new Map(path.map((c, i) => [c, i]));
    for (const c of path) for (const q of graph.prerequisitesOf(c)) if (ppos.has(q)) expect(ppos.get(q)!).toBeLessThan(ppos.get(c)!);
  });
});

interface DemoFile {
  subject: { code: string; name: string; nameEn: string };
  gradeBand: string;
  domains: { code: string; name: string; nameEn: string }[];
  points: { code: string; name: string; description: string; grade: number; domain: string; prerequisites: string[] }[];
}

describe.each([
  ['math-junior.json', 90, 110],
  ['english-junior.json', 35, 50],
])('demo curriculum %s', (file, min, max) => {
  const doc = JSON.parse(
    readFileSync(new URL(`../../../../apps/server/src/modules/curriculum/demo/${file}`, import.meta.url), 'utf8'),
  ) as DemoFile;
  const points: KpInput[] = doc.points.map((p, i) => ({ ...p, row: i + 2, subject: doc.subject.code }));

  it('validates with zero problems and is acyclic', () => {
    expect(doc.gradeBand).toBe('junior');
    expect(points.length).toBeGreaterThanOrEqual(min);
    expect(points.length).toBeLessThanOrEqual(max);
    expect(validateKpGraph(points)).toEqual([]);
    const order = new KpGraph(points).topologicalOrder();
    expect(order).toHaveLength(points.length);
  });

  it('uses known domains, grades 7–9, described points and no later-grade prerequisites', () => {
    const domains = new Set(doc.domains.map((d) => d.code));
    const grade = new Map(doc.points.map((p) => [p.code, p.grade]));
    for (const p of doc.points) {
      expect(domains.has(p.domain), p.code).toBe(true);
      expect([7, 8, 9]).toContain(p.grade);
      expect(p.description.length, p.code).toBeGreaterThan(10);
      expect(p.code.startsWith(`${doc.subject.code === 'math' ? 'M' : 'E'}${p.grade}-`), p.code).toBe(true);
      for (const q of p.prerequisites) expect(grade.get(q)!, `${p.code} ← ${q}`).toBeLessThanOrEqual(p.grade);
    }
    for (const d of domains) expect(doc.points.some((p) => p.domain === d), d).toBe(true);
    const edges = doc.points.reduce((n, p) => n + p.prerequisites.length, 0);
    expect(edges / doc.points.length).toBeGreaterThanOrEqual(1);
    expect(edges / doc.points.length).toBeLessThanOrEqual(2);
  });
});

describe('junior mathematics prerequisites', () => {
  const doc = JSON.parse(
    readFileSync(new URL('../../../../apps/server/src/modules/curriculum/demo/math-junior.json', import.meta.url), 'utf8'),
  ) as DemoFile;
  const g = new KpGraph(doc.points);
  const code = (name: string) => doc.points.find((p) => p.name === name)!.code;

  it('follows the expected chains', () => {
    expect(g.ancestors(code('公式法与根的判别式'))).toEqual(expect.arrayContaining([code('配方法'), code('完全平方公式')]));
    expect(g.ancestors(code('勾股定理'))).toEqual(expect.arrayContaining([code('三角形的有关概念'), code('二次根式及其性质')]));
    expect(g.ancestors(code('二次函数的概念'))).toEqual(
      expect.arrayContaining([code('一次函数的概念、图象与性质'), code('一元二次方程的概念')]),
    );
    const path = g.pathTo(code('公式法与根的判别式'));
    expect(path.indexOf(code('完全平方公式'))).toBeLessThan(path.indexOf(code('配方法')));
    expect(path.at(-1)).toBe(code('公式法与根的判别式'));
  });
});
