import { describe, expect, it } from 'vitest';
import { Bm25Index } from './bm25.js';
import { tokenize, tokenizeQuery } from './segment.js';

/** idf and term score exactly as in the BM25 formula (Lucene's non-negative idf). */
function idf(n: number, df: number): number {
  return Math.log(1 + (n - df + 0.5) / (df + 0.5));
}
function termScore(tf: number, dl: number, avgdl: number, k1 = 1.2, b = 0.75): number {
  return (tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * dl) / avgdl));
}

function small(): Bm25Index<number> {
  const ix = new Bm25Index<number>();
  ix.add(1, [{ text: 'apple banana apple' }]);
  ix.add(2, [{ text: 'banana cherry' }]);
  ix.add(3, [{ text: 'cherry date egg fig' }]);
  return ix;
}

describe('Bm25Index scoring', () => {
  it('matches a hand computation', () => {
    const ix = small();
    // N = 3, lengths 3, 2, 4 → avgdl 3. apple: df 1; cherry: df 2.
    const avgdl = (3 + 2 + 4) / 3;
    const s1 = idf(3, 1) * termScore(2, 3, avgdl); // doc 1: apple ×2
    const s2 = idf(3, 2) * termScore(1, 2, avgdl); // doc 2: cherry ×1
    const s3 = idf(3, 2) * termScore(1, 4, avgdl); // doc 3: cherry ×1
    expect(s1).toBeCloseTo(Math.log(8 / 3) * (4.4 / 3.2), 12); // the same by hand
    const hits = ix.search('apple cherry');
    expect(hits.map((h) => h.id)).toEqual([1, 2, 3]);
    expect(Math.abs(hits[0]!.score - s1)).toBeLessThan(1e-6);
    expect(Math.abs(hits[0]!.score - 1.3486402229)).toBeLessThan(1e-6);
    expect(Math.abs(hits[1]!.score - s2)).toBeLessThan(1e-6);
    expect(Math.abs(hits[2]!.score - s3)).toBeLessThan(1e-6);
  });

  it('sums weighted fields into tf and document length', () => {
    const ix = new Bm25Index<string>({ k1: 1.5, b: 0.5 });
    ix.add('a', [{ text: 'apple' }, { text: 'apple pie', weight: 0.5 }]); // tf 1.5, dl 2
    ix.add('b', [{ text: 'pie crust crumb' }]); // dl 3
    const [hit] = ix.search('apple');
    expect(hit!.id).toBe('a');
    const expected = idf(2, 1) * termScore(1.5, 2, 2.5, 1.5, 0.5);
    expect(Math.abs(hit!.score - expected)).toBeLessThan(1e-6);
  });

  it('ignores unknown and repeated query terms; an empty query returns nothing', () => {
    const ix = small();
    const base = ix.search('apple')[0]!.score;
    expect(ix.search('apple zebra')[0]!.score).toBeCloseTo(base, 12);
    expect(ix.search('apple apple')[0]!.score).toBeCloseTo(base, 12);
    expect(ix.search('zebra')).toEqual([]);
    expect(ix.search('')).toEqual([]);
    expect(ix.search('   ')).toEqual([]);
    expect(new Bm25Index<number>().search('apple')).toEqual([]);
  });

  it('breaks ties by ascending id', () => {
    const ix = new Bm25Index<string>();
    for (const id of ['c', 'a', 'b']) ix.add(id, [{ text: 'same words here' }]);
    expect(ix.search('same').map((h) => h.id)).toEqual(['a', 'b', 'c']);
    const nums = new Bm25Index<number>();
    for (const id of [10, 2, 33, 1]) nums.add(id, [{ text: 'x' }]);
    expect(nums.search('x').map((h) => h.id)).toEqual([1, 2, 10, 33]); // numeric, not string order
  });

  it('rejects bad options and weights', () => {
    expect(() => new Bm25Index({ b: 2 })).toThrow(RangeError);
    expect(() => new Bm25Index({ k1: -1 })).toThrow(RangeError);
    expect(() => new Bm25Index().add(1, [{ text: 'a', weight: -1 }])).toThrow(RangeError);
    expect(() => new Bm25Index().add(1, [{ text: 'a', weight: Number.NaN }])).toThrow(RangeError);
  });
});

describe('Bm25Index maintenance', () => {
  it('replaces a document on re-add', () => {
    const ix = small();
    ix.add(1, [{ text: 'kiwi' }]);
    expect(ix.size).toBe(3);
    expect(ix.search('apple')).toEqual([]);
    expect(ix.search('kiwi').map((h) => h.id)).toEqual([1]);
    // Statistics follow the replacement: same as a fresh index with the new text.
    const fresh = new Bm25Index<number>();
    fresh.add(2, [{ text: 'banana cherry' }]);
    fresh.add(3, [{ text: 'cherry date egg fig' }]);
    fresh.add(1, [{ text: 'kiwi' }]);
    expect(ix.search('cherry kiwi')).toEqual(fresh.search('cherry kiwi'));
  });

  it('removes documents', () => {
    const ix = small();
    ix.remove(2);
    ix.remove(99); // unknown: ignored
    expect(ix.size).toBe(2);
    expect(ix.search('banana').map((h) => h.id)).toEqual([1]);
    const fresh = new Bm25Index<number>();
    fresh.add(1, [{ text: 'apple banana apple' }]);
    fresh.add(3, [{ text: 'cherry date egg fig' }]);
    expect(ix.search('apple cherry banana')).toEqual(fresh.search('apple cherry banana'));
    ix.remove(1);
    ix.remove(3);
    expect(ix.size).toBe(0);
    expect(ix.search('cherry')).toEqual([]);
    ix.add(3, [{ text: 'cherry' }]);
    expect(ix.search('cherry').map((h) => h.id)).toEqual([3]);
  });

  it('stays correct across compaction after many removals and re-adds', () => {
    const ix = new Bm25Index<number>();
    const fresh = new Bm25Index<number>();
    const text = (i: number, round: number) => `w${i % 7} w${i % 13} r${round} common${i % 3 === 0 ? ' rare' : ''}`;
    for (let i = 0; i < 500; i++) ix.add(i, [{ text: text(i, 0) }]);
    for (let i = 0; i < 500; i += 2) ix.remove(i);
    for (let i = 1; i < 500; i += 2) ix.add(i, [{ text: text(i, 1) }]);
    for (let i = 0; i < 200; i += 2) ix.add(i, [{ text: text(i, 2) }]);
    for (let i = 1; i < 500; i += 2) fresh.add(i, [{ text: text(i, 1) }]);
    for (let i = 0; i < 200; i += 2) fresh.add(i, [{ text: text(i, 2) }]);
    expect(ix.size).toBe(fresh.size);
    for (const q of ['w3 rare', 'r0', 'r1 w5', 'r2 common', 'w12 w6 rare r2']) {
      expect(ix.search(q, { limit: 50 }), q).toEqual(fresh.search(q, { limit: 50 }));
    }
  });

  it('applies filter and limit', () => {
    const ix = new Bm25Index<number>();
    for (let i = 1; i <= 20; i++) ix.add(i, [{ text: `topic ${'extra '.repeat(i)}` }]);
    const all = ix.search('topic', { limit: 100 });
    expect(all).toHaveLength(20);
    expect(all.map((h) => h.id)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1)); // shorter first
    expect(ix.search('topic').map((h) => h.id)).toEqual(all.slice(0, 10).map((h) => h.id)); // default 10
    expect(ix.search('topic', { limit: 3 })).toEqual(all.slice(0, 3));
    expect(ix.search('topic', { limit: 0 })).toEqual([]);
    const unfiltered = ix.search('topic extra', { limit: 100 });
    const seen: number[] = [];
    const even = ix.search('topic extra', {
      limit: 4,
      filter: (id) => {
        seen.push(id);
        return id % 2 === 0;
      },
    });
    expect(even).toEqual(unfiltered.filter((h) => h.id % 2 === 0).slice(0, 4));
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1)); // once per doc
    expect(ix.search('topic', { filter: () => false })).toEqual([]);
    expect(() => ix.search('topic', { filter: () => { throw new Error('boom'); } })).toThrow('boom');
    expect(ix.search('topic', { limit: 2 }).map((h) => h.id)).toEqual([1, 2]); // scratch reset after a throw
  });
});

describe('Bm25Index on Chinese maths items', () => {
  const items: [number, string, string?][] = [
    [1, '用求根公式解一元二次方程 x^2-4x+1=0', '由求根公式 x=\\frac{-b\\pm\\sqrt{b^2-4ac}}{2a} 得'],
    [2, '一元二次方程 2x^2+3x-2=0 的根是多少？请用求根公式求解。'],
    [3, '用配方法解一元二次方程 x^2+6x-7=0'],
    [4, '用因式分解法解方程 x^2-5x+6=0'],
    [5, '判断一元二次方程 x^2+2x+5=0 根的判别式的符号'],
    [6, '已知一元二次方程的两根之和为 3，两根之积为 -4，写出这个方程（根与系数的关系）'],
    [7, '因式分解：a^2-9b^2', '利用平方差公式'],
    [8, '因式分解：x^2+4x+4', '利用完全平方公式'],
    [9, '在直角三角形中，两条直角边分别为 6 和 8，用勾股定理求斜边的长'],
    [10, '用赵爽弦图证明勾股定理'],
    [11, '一个三角形的三边长为 5、12、13，判断它是否为直角三角形', '勾股定理逆定理'],
    [12, '梯子长 10 米斜靠在墙上，底端离墙 6 米，求梯子顶端到地面的距离', '勾股定理的应用'],
    [13, '一次函数 y=2x-3 的图像经过哪些象限？'],
    [14, '已知一次函数的图像经过点 (1,2) 和 (3,6)，求函数解析式'],
    [15, '画出一次函数 y=-x+4 的图像并求它与坐标轴的交点'],
    [16, '平行四边形的判定：两组对边分别平行的四边形是平行四边形'],
    [17, '四边形 ABCD 中 AB=CD，AB∥CD，求证四边形 ABCD 是平行四边形', '一组对边平行且相等的四边形是平行四边形（判定定理）'],
    [18, '平行四边形的性质：对角线互相平分'],
    [19, '有一个角是直角的平行四边形是矩形，判断真假'],
    [20, '菱形的两条对角线长分别为 6 和 8，求菱形的面积'],
    [21, '如图，AB=AD，∠BAC=∠DAC，求证 △ABC≌△ADC'],
    [22, '全等三角形的对应边相等，对应角相等，判断真假'],
    [23, '等腰三角形的顶角为 40°，求它的底角'],
    [24, '求二次函数 y=x^2-2x-3 的顶点坐标和对称轴'],
    [25, '二次函数 y=x^2-4 的图像与 x 轴有几个交点'],
    [26, '反比例函数 y=6/x 的图像位于哪些象限'],
    [27, '同弧所对的圆周角等于圆心角的一半，已知圆心角为 80°，求圆周角'],
    [28, '垂径定理：垂直于弦的直径平分弦，已知弦长 8，半径 5，求弦心距'],
    [29, '求一组数据 3，5，7，9 的平均数和方差'],
    [30, '掷一枚质地均匀的骰子，点数为偶数的概率是多少'],
    [31, '解二元一次方程组 x+y=5，x-y=1', '可用代入消元法或加减消元法'],
    [32, '计算 \\frac{1}{2}+\\frac{1}{3} 的值'],
  ];
  const ix = new Bm25Index<number>({ tokenize, tokenizeQuery });
  for (const [id, stem, explanation] of items) {
    ix.add(id, explanation ? [{ text: stem }, { text: explanation, weight: 0.5 }] : [{ text: stem }]);
  }
  const top = (q: string, n: number) => ix.search(q, { limit: n }).map((h) => h.id);

  it('ranks the relevant items first', () => {
    expect(new Set(top('一元二次方程 求根公式', 2))).toEqual(new Set([1, 2]));
    expect(new Set(top('勾股定理 直角三角形', 2))).toEqual(new Set([9, 11])); // both terms
    expect(new Set(top('勾股定理 直角三角形', 3))).toEqual(new Set([9, 10, 11]));
    expect(top('配方法 解方程', 1)).toEqual([3]); // 解方程 reaches 解一元二次方程 through the sub-word 方程
    expect(new Set(top('勾股定理', 4))).toEqual(new Set([9, 10, 11, 12]));
    expect(top('配方法', 1)).toEqual([3]);
    expect(new Set(top('一次函数 图像', 3))).toEqual(new Set([13, 14, 15]));
    expect(new Set(top('平行四边形 判定', 2))).toEqual(new Set([16, 17]));
    expect(new Set(top('因式分解', 3))).toEqual(new Set([4, 7, 8]));
    expect(top('全等三角形', 1)).toEqual([22]);
    expect(top('圆周角', 1)).toEqual([27]);
    expect(top('方差 平均数', 1)).toEqual([29]);
    expect(top('二元一次方程组', 1)).toEqual([31]);
    expect(top('\\frac{1}{2}', 1)).toEqual([32]);
    expect(top('余弦', 5)).toEqual([]); // in no item
    for (const id of top('韦达定理', 5)) expect([9, 10, 11, 12, 27, 28]).toContain(id); // only through 定理
  });

  it('finds a long term by its sub-word', () => {
    const hits = top('方程', 50);
    for (const id of [1, 2, 3, 4, 5, 6, 31]) expect(hits).toContain(id);
    expect(hits).not.toContain(9);
  });

  it('filters during scoring (e.g. by chapter)', () => {
    const algebra = new Set([1, 2, 3, 4, 5, 6, 7, 8, 31, 32]);
    const hits = ix.search('方程 三角形', { limit: 50, filter: (id) => algebra.has(id) });
    expect(hits.length).toBeGreaterThan(0);
    for (const h of hits) expect(algebra.has(h.id)).toBe(true);
  });
});
