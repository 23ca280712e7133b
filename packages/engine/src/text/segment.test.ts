import { describe, expect, it } from 'vitest';
import { CURRICULUM_TERMS, STOP_WORDS, SUBWORD_QUERY_WEIGHT, tokenize, tokenizeIntl, tokenizeQuery } from './segment.js';

describe('tokenize (jieba)', () => {
  it('keeps curriculum terms whole and adds their sub-words', () => {
    const t = tokenize('一元二次方程');
    expect(t).toContain('一元二次方程');
    expect(t).toContain('方程');
    expect(t).toContain('二次');
    for (const term of ['求根公式', '勾股定理', '平行四边形', '全等三角形', '一次函数', '配方法', '等腰三角形', '韦达定理']) {
      expect(tokenize(term), term).toContain(term);
    }
    expect(tokenize('平行四边形')).toContain('四边形');
    expect(tokenize('全等三角形')).toContain('三角形');
    expect(tokenize('用配方法解一元二次方程')).toEqual(expect.arrayContaining(['配方法', '一元二次方程', '方程']));
  });

  it('segments a realistic item stem', () => {
    const t = tokenize('已知直角三角形的两条直角边分别为3和4，求斜边的长。');
    expect(t).toEqual(expect.arrayContaining(['直角三角形', '三角形', '直角', '斜边', '3', '4']));
    expect(t).not.toContain('的');
    expect(t).not.toContain('和');
    expect(t).not.toContain('，');
    expect(t).not.toContain('。');
  });

  it('makes LaTeX content searchable', () => {
    expect(tokenize('\\frac{1}{2}x^2')).toEqual(['frac', '1', '2', 'x', '2']);
    expect(tokenize('计算 $\\sqrt{12}-\\sqrt{3}$')).toEqual(['计算', 'sqrt', '12', 'sqrt', '3']);
    expect(tokenize('$\\left( a+b \\right)^{2}$')).toEqual(['a', 'b', '2']);
    expect(tokenize('\\text{面积}=\\pi r^2')).toEqual(['面积', 'pi', 'r', '2']);
  });

  it('keeps ASCII words and numbers, normalises width and case', () => {
    expect(tokenize('The area is 3.14 r^2')).toEqual(['area', '3.14', 'r', '2']);
    expect(tokenize('ＡＢＣ　１２３')).toEqual(['abc', '123']);
    expect(tokenize('x₁+x₂=-b/a')).toEqual(['x', '1', 'x', '2', 'b', 'a']); // subscripts → digits; a is a variable
    expect(tokenize('一次函数y=2x+1')).toEqual(expect.arrayContaining(['一次函数', 'y', '2', 'x', '1']));
  });

  it('drops stop words, punctuation and whitespace', () => {
    expect(tokenize('的 了 是 在 和 与 及 或 等 吗 呢 啊')).toEqual([]);
    expect(tokenize('the of to an')).toEqual([]);
    expect(tokenize('，。！？、；：（）【】“”  \t\n+-*/=<>{}[]')).toEqual([]);
    expect(tokenize('')).toEqual([]);
    for (const t of tokenize('三角形的内角和是多少呢？')) expect(STOP_WORDS.has(t)).toBe(false);
  });

  it('gives the same tokens for a term in a query and in a document', () => {
    const q = tokenize('求根公式');
    const d = tokenize('利用求根公式解方程x^2-4x+1=0');
    for (const t of q) expect(d).toContain(t);
  });

  it('weights query words 1 and their sub-words less; every query term is among the document tokens', () => {
    expect(tokenizeQuery('勾股定理 直角三角形')).toEqual([
      { term: '勾股定理', weight: 1 },
      { term: '定理', weight: SUBWORD_QUERY_WEIGHT },
      { term: '直角三角形', weight: 1 },
      { term: '直角', weight: SUBWORD_QUERY_WEIGHT },
      { term: '直角三角', weight: SUBWORD_QUERY_WEIGHT },
      { term: '三角', weight: SUBWORD_QUERY_WEIGHT },
      { term: '三角形', weight: SUBWORD_QUERY_WEIGHT },
      { term: '角形', weight: SUBWORD_QUERY_WEIGHT },
    ]);
    expect(tokenizeQuery('的 三角形 三角形').map((t) => t.term)).toEqual(['三角形', '三角', '角形']);
    expect(tokenizeQuery('直角 直角三角形').find((t) => t.term === '直角')!.weight).toBe(1); // highest weight wins
    expect(tokenizeQuery('\\frac{1}{2}')).toEqual([{ term: 'frac', weight: 1 }, { term: '1', weight: 1 }, { term: '2', weight: 1 }]);
    expect(tokenize('勾股定理逆定理')).toEqual(expect.arrayContaining(['勾股定理逆定理', '勾股定理', '逆定理']));
    for (const s of [
      '已知直角三角形的两条直角边分别为3和4，求斜边的长。',
      '二元一次方程组 x+y=5 的解，韦达定理与根与系数的关系',
      '小明和小红去超市买了三支铅笔，共花费 4.5 元',
      '在平面直角坐标系中，点A(2,3)关于x轴的对称点',
    ]) {
      const doc = new Set(tokenize(s));
      for (const { term } of tokenizeQuery(s)) expect(doc.has(term), `${term} in ${s}`).toBe(true);
    }
  });

  it('lists only words jieba lacks in its added dictionary', () => {
    expect(CURRICULUM_TERMS).toContain('求根公式');
    expect(CURRICULUM_TERMS).not.toContain('一元二次方程');
    expect(new Set(CURRICULUM_TERMS).size).toBe(CURRICULUM_TERMS.length);
  });
});

describe('tokenizeIntl (Intl.Segmenter)', () => {
  it('uses the same normalisation and filters', () => {
    expect(tokenizeIntl('\\frac{1}{2}x^2')).toEqual(['frac', '1', '2', 'x', '2']);
    expect(tokenizeIntl('勾股定理的应用')).toEqual(expect.arrayContaining(['勾股定理']));
    expect(tokenizeIntl('的')).toEqual([]);
  });

  it('splits some curriculum terms (the reason jieba is the default)', () => {
    expect(tokenizeIntl('平行四边形')).not.toContain('平行四边形');
    expect(tokenizeIntl('一元二次方程')).not.toContain('方程');
  });
});
