import { describe, expect, it } from 'vitest';
import {
  chinaToday,
  dayRange,
  entitledSoFar,
  fenToYuan,
  guardrailFacts,
  guardrailSummary,
  parseLexicon,
  percentOf,
  requestEnd,
  scopeTreeData,
  splitScopeValues,
  treeValues,
  usageSeries,
  yuanToFen,
  type ScopeTree,
  type Usage,
} from './model';

describe('money', () => {
  it('shows 分 as 元 with two decimals and reads 元 back as whole 分', () => {
    expect(fenToYuan(123456, 'zh-CN')).toBe('1,234.56');
    expect(fenToYuan(5, 'en')).toBe('0.05');
    expect(fenToYuan(0.37, 'zh-CN', 4)).toBe('0.0037');
    expect(yuanToFen(8)).toBe(800);
    expect(yuanToFen(0.29)).toBe(29); // not 28.999…
    expect(yuanToFen(12.345)).toBe(1235);
  });
  it('percentages of a limit', () => {
    expect(percentOf(50, 200)).toBe(25);
    expect(percentOf(1, 3)).toBe(33.3);
    expect(percentOf(10, null)).toBe(0);
    expect(percentOf(10, 0)).toBe(0);
  });
});

const tree: ScopeTree = {
  regions: [
    { id: 'p', parentId: null, name: '浙江省', level: 'province' },
    { id: 'c', parentId: 'p', name: '杭州市', level: 'city' },
    { id: 'k', parentId: 'c', name: '西湖区', level: 'county' },
    { id: 'e', parentId: 'c', name: '空区', level: 'county' },
  ],
  schools: [
    { id: 's1', regionId: 'k', name: '实验中学' },
    { id: 's2', regionId: 'c', name: '市直学校' },
    { id: 's3', regionId: 'elsewhere', name: '外区学校' },
  ],
};

describe('scope tree', () => {
  it('nests regions by parent and hangs schools under their region; unknown parents become roots', () => {
    const data = scopeTreeData(tree, 'mixed');
    expect(data.map((n) => n.title)).toEqual(['浙江省', '外区学校']);
    const city = data[0]!.children![0]!;
    expect(city.value).toBe('r:c');
    expect(city.children!.map((n) => n.value)).toEqual(['r:k', 'r:e', 's:s2']);
    expect(city.children![0]!.children!.map((n) => n.value)).toEqual(['s:s1']);
    expect(treeValues(data)).toHaveLength(7);
  });
  it('school mode drops empty branches and makes regions unchoosable; region mode has no schools', () => {
    const schools = scopeTreeData(tree, 'school');
    expect(treeValues(schools)).not.toContain('r:e');
    expect(schools[0]!.selectable).toBe(false);
    const regions = scopeTreeData(tree, 'region', (r) => `${r.name}(${r.level})`);
    expect(treeValues(regions)).toEqual(['r:p', 'r:c', 'r:k', 'r:e']);
    expect(regions[0]!.title).toBe('浙江省(province)');
  });
  it('splits picked values back into region and school ids', () => {
    expect(splitScopeValues(['r:c', 's:s1', 's:s3', 'junk'])).toEqual({ regionIds: ['c'], schoolIds: ['s1', 's3'] });
  });
});

describe('dates', () => {
  it('takes today in China time', () => {
    expect(chinaToday(new Date('2026-11-25T17:30:00Z'))).toBe('2026-11-26');
    expect(chinaToday(new Date('2026-11-25T15:59:00Z'))).toBe('2026-11-25');
  });
});

describe('usage chart', () => {
  it('lists every day of the range and pivots rows into tokens per model and calls per day', () => {
    expect(dayRange('2025-02-27', '2025-03-02')).toEqual(['2025-02-27', '2025-02-28', '2025-03-01', '2025-03-02']);
    expect(dayRange('2025-03-02', '2025-03-01')).toEqual([]);
    const u: Usage = {
      from: '2025-03-01',
      to: '2025-03-03',
      rows: [
        { day: '2025-03-01', model: 'b', calls: 2, promptTokens: 10, completionTokens: 5, costFen: 1, blocked: 1, errors: 0 },
        { day: '2025-03-01', model: 'a', calls: 1, promptTokens: 1, completionTokens: 1, costFen: 1, blocked: 0, errors: 1 },
        { day: '2025-03-03T00:00:00.000Z', model: 'a', calls: 4, promptTokens: 100, completionTokens: 0, costFen: 1, blocked: 0, errors: 0 },
        { day: '2025-04-01', model: 'a', calls: 9, promptTokens: 9, completionTokens: 9, costFen: 1, blocked: 0, errors: 0 },
      ],
      totals: { calls: 7, promptTokens: 111, completionTokens: 6, costFen: 3, p50LatencyMs: null, p95LatencyMs: null },
      bySchool: [],
    };
    const s = usageSeries(u);
    expect(s.days).toEqual(['2025-03-01', '2025-03-02', '2025-03-03']);
    expect(s.models).toEqual(['a', 'b']);
    expect(s.tokens).toEqual({ a: [2, 0, 100], b: [15, 0, 0] });
    expect(s.calls).toEqual([3, 0, 4]);
    expect(s.blocked).toEqual([1, 0, 0]);
    expect(s.errors).toEqual([1, 0, 0]);
  });
});

describe('lexicon bulk input', () => {
  it('reads term,category,action lines with ASCII or Chinese commas or tabs, and reports the rest by line', () => {
    const p = parseLexicon(['# 注释', '赌博,违法,block', '', '  打游戏，沉迷，flag ', 'x\t类\t拦截', '坏行', '缺动作,类别,', 'a,b,c,d', '赌博,违法,flag'].join('\n'));
    expect(p.terms).toEqual([
      { term: '赌博', category: '违法', action: 'block' },
      { term: '打游戏', category: '沉迷', action: 'flag' },
      { term: 'x', category: '类', action: 'block' },
    ]);
    expect(p.errors.map((e) => e.line)).toEqual([6, 7, 8]);
  });
});

describe('guardrails of a call', () => {
  it('flattens counts, flags, short lists and nested objects', () => {
    const f = guardrailFacts({ pii: { name: 2, phone: 0 }, lexicon: { flagged: ['赌博'] }, blocked: false, scanned: true, n: null });
    expect(f).toEqual([
      { key: 'pii.name', value: '2', empty: false },
      { key: 'pii.phone', value: '0', empty: true },
      { key: 'lexicon.flagged', value: '赌博', empty: false },
      { key: 'blocked', value: '✗', empty: true },
      { key: 'scanned', value: '✓', empty: false },
    ]);
    expect(guardrailFacts(null)).toEqual([]);
  });
  it('reads the gateway\'s masked / flags / blocked record', () => {
    expect(
      guardrailSummary({ masked: { name: 2, phone: 0, student_no: 1 }, flags: ['flag:沉迷', 'out:block:违法'], blocked: ['output'], extra: 3 }),
    ).toEqual([
      { kind: 'masked', what: 'name', count: 2 },
      { kind: 'masked', what: 'student_no', count: 1 },
      { kind: 'flag', stage: 'input', action: 'flag', category: '沉迷' },
      { kind: 'flag', stage: 'output', action: 'block', category: '违法' },
      { kind: 'blocked', stage: 'output' },
      { kind: 'other', key: 'extra', value: '3' },
    ]);
    expect(guardrailSummary({})).toEqual([]);
  });
});

describe('compute requests', () => {
  it('computes the last day and the volume requested so far', () => {
    expect(requestEnd('2025-01-30', 3)).toBe('2025-02-01');
    const r = { startsOn: '2025-03-01', days: 60, monthlyTokens: 3000 };
    expect(entitledSoFar(r, '2025-02-28')).toBe(0);
    expect(entitledSoFar(r, '2025-03-01')).toBe(100);
    expect(entitledSoFar(r, '2025-03-30')).toBe(3000);
    expect(entitledSoFar(r, '2026-01-01')).toBe(6000);
  });
});
