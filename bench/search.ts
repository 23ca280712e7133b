/**
 * Full-text search benchmark: `npm run bench -- search [--data FILE] [--items N] [--queries N]`.
 *
 * Corpus: 100,000 synthetic junior-maths items (seeded PRNG, templates over curriculum
 * vocabulary with numbers and LaTeX; stem weight 1, explanation weight 0.5), or one item per
 * line of --data FILE (plain text, or JSON lines with a "text" field).
 * For jieba and for Intl.Segmenter: index build rate, then 1,000 queries from a fixed list
 * (p50/p99 latency, precision@10 against the topic the generator used), RSS. Baseline: the
 * same queries as a String.includes scan over all texts. Plus segmenter quality on curriculum
 * terms and tokenisation speed on a long string.
 */
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Bm25Index, mulberry32, tokenize, tokenizeIntl, tokenizeQuery } from '../packages/engine/src/index.js';
import { report, type BenchArgs } from './run.js';

const SUITE = 'search';

type Rng = () => number;
const int = (r: Rng, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const signed = (n: number) => (n < 0 ? `-${-n}` : `+${n}`);
const nz = (r: Rng, lo: number, hi: number) => {
  const n = int(r, lo, hi);
  return n === 0 ? 1 : n;
};
const quad = (r: Rng) => `${pick(r, ['', '2', '3'])}x^2${signed(nz(r, -9, 9))}x${signed(nz(r, -20, 20))}=0`;
const frac = (r: Rng) => `\\frac{${int(r, 1, 9)}}{${int(r, 2, 12)}}`;

interface Topic {
  key: string;
  stems: ((r: Rng) => string)[];
  explanations: ((r: Rng) => string)[];
}

const TOPICS: Topic[] = [
  {
    key: 'quad_formula',
    stems: [
      (r) => `用求根公式解一元二次方程 $${quad(r)}$`,
      (r) => `一元二次方程 $${quad(r)}$ 的根是多少？请用公式法求解。`,
      (r) => `利用求根公式求方程 $${quad(r)}$ 的两个实数根，结果保留根号。`,
    ],
    explanations: [() => `由求根公式 $x=\\frac{-b\\pm\\sqrt{b^2-4ac}}{2a}$ 代入系数计算`],
  },
  {
    key: 'complete_square',
    stems: [
      (r) => `用配方法解一元二次方程 $${quad(r)}$`,
      (r) => `将方程 $${quad(r)}$ 配方，化成 $(x+m)^2=n$ 的形式`,
    ],
    explanations: [(r) => `两边同时加上一次项系数一半的平方 ${int(r, 1, 25)}，配成完全平方式`],
  },
  {
    key: 'factor_method',
    stems: [
      (r) => `用因式分解法解方程 $${quad(r)}$`,
      (r) => `因式分解：$x^2${signed(nz(r, -9, 9))}x${signed(nz(r, -20, 20))}$`,
      (r) => `利用平方差公式因式分解 $${int(r, 1, 9)}a^2-${int(r, 1, 9)}b^2$`,
    ],
    explanations: [() => `提公因式后利用十字相乘法分解`, () => `先提取公因式，再用完全平方公式`],
  },
  {
    key: 'discriminant',
    stems: [
      (r) => `判断一元二次方程 $${quad(r)}$ 根的情况`,
      (r) => `若关于 x 的方程 $x^2+${int(r, 1, 9)}x+k=0$ 有两个相等的实数根，求 k 的值`,
    ],
    explanations: [() => `计算根的判别式 $\\Delta=b^2-4ac$ 并判断符号`],
  },
  {
    key: 'vieta',
    stems: [
      (r) => `已知 $x_1, x_2$ 是方程 $${quad(r)}$ 的两根，求 $x_1+x_2$ 和 $x_1x_2$`,
      (r) => `已知一元二次方程的两根之和为 ${int(r, -9, 9)}，两根之积为 ${int(r, -20, 20)}，写出这个方程`,
    ],
    explanations: [() => `由根与系数的关系（韦达定理）$x_1+x_2=-\\frac{b}{a}$`],
  },
  {
    key: 'pythagoras',
    stems: [
      (r) => `在直角三角形中，两条直角边分别为 ${int(r, 3, 20)} 和 ${int(r, 3, 20)}，求斜边的长`,
      (r) => `一个直角三角形的斜边长 ${int(r, 10, 30)} cm，一条直角边长 ${int(r, 3, 9)} cm，求另一条直角边`,
      (r) => `梯子长 ${int(r, 5, 15)} 米斜靠在墙上，底端离墙 ${int(r, 1, 4)} 米，求梯子顶端到地面的距离`,
      () => `用赵爽弦图证明勾股定理`,
    ],
    explanations: [() => `由勾股定理 $a^2+b^2=c^2$ 计算`],
  },
  {
    key: 'pythagoras_converse',
    stems: [
      (r) => `三角形的三边长为 ${int(r, 3, 9)}、${int(r, 10, 15)}、${int(r, 12, 20)}，判断它是否为直角三角形`,
    ],
    explanations: [() => `根据勾股定理逆定理，检验两短边的平方和是否等于最长边的平方`],
  },
  {
    key: 'linear_function',
    stems: [
      (r) => `一次函数 $y=${nz(r, -5, 5)}x${signed(nz(r, -9, 9))}$ 的图像经过哪些象限？`,
      (r) => `已知一次函数的图像经过点 (${int(r, -5, 5)},${int(r, -5, 5)}) 和 (${int(r, -5, 5)},${int(r, -5, 5)})，求函数解析式`,
      (r) => `画出一次函数 $y=${nz(r, -5, 5)}x${signed(nz(r, -9, 9))}$ 的图像，并求它与坐标轴的交点`,
    ],
    explanations: [() => `用待定系数法设 $y=kx+b$，代入两点求 k 和 b`, () => `k>0 时 y 随 x 的增大而增大`],
  },
  {
    key: 'quadratic_function',
    stems: [
      (r) => `求二次函数 $y=x^2${signed(nz(r, -9, 9))}x${signed(nz(r, -9, 9))}$ 的顶点坐标和对称轴`,
      (r) => `二次函数 $y=${nz(r, -3, 3)}x^2${signed(nz(r, -9, 9))}$ 的图像与 x 轴有几个交点`,
    ],
    explanations: [() => `配方得顶点式 $y=a(x-h)^2+k$`],
  },
  {
    key: 'inverse_function',
    stems: [(r) => `反比例函数 $y=\\frac{${nz(r, -9, 9)}}{x}$ 的图像位于哪些象限`],
    explanations: [() => `k>0 时图像在第一、三象限`],
  },
  {
    key: 'parallelogram',
    stems: [
      () => `平行四边形的判定：两组对边分别平行的四边形是平行四边形`,
      (r) => `在四边形 ABCD 中，AB=CD=${int(r, 2, 12)}，AB∥CD，求证：四边形 ABCD 是平行四边形`,
      (r) => `平行四边形 ABCD 的对角线交于点 O，AC=${int(r, 4, 20)}，求 AO 的长`,
    ],
    explanations: [() => `一组对边平行且相等的四边形是平行四边形`, () => `平行四边形的对角线互相平分`],
  },
  {
    key: 'rhombus_rectangle',
    stems: [
      (r) => `菱形的两条对角线长分别为 ${int(r, 2, 16)} 和 ${int(r, 2, 16)}，求菱形的面积`,
      (r) => `矩形 ABCD 中，AB=${int(r, 2, 12)}，BC=${int(r, 2, 12)}，求对角线 AC 的长`,
    ],
    explanations: [() => `菱形面积等于对角线乘积的一半`],
  },
  {
    key: 'congruent',
    stems: [
      () => `如图，AB=AD，∠BAC=∠DAC，求证：△ABC≌△ADC`,
      () => `判断：全等三角形的对应边相等，对应角相等`,
      (r) => `已知 △ABC≌△DEF，∠A=${int(r, 20, 80)}°，求 ∠D 的度数`,
    ],
    explanations: [() => `用 SAS 判定两个三角形全等`, () => `全等三角形的对应角相等`],
  },
  {
    key: 'isosceles',
    stems: [(r) => `等腰三角形的顶角为 ${int(r, 20, 140)}°，求它的底角`],
    explanations: [() => `等腰三角形的两个底角相等，三角形内角和为 180°`],
  },
  {
    key: 'circle',
    stems: [
      (r) => `同弧所对的圆周角等于圆心角的一半，已知圆心角为 ${int(r, 20, 160)}°，求圆周角`,
      (r) => `已知 ⊙O 的弦长为 ${int(r, 4, 16)}，半径为 ${int(r, 5, 12)}，求弦心距`,
    ],
    explanations: [() => `由垂径定理，垂直于弦的直径平分弦`, () => `圆周角定理`],
  },
  {
    key: 'statistics',
    stems: [
      (r) => `求一组数据 ${int(r, 1, 9)}，${int(r, 1, 9)}，${int(r, 1, 9)}，${int(r, 1, 9)} 的平均数和方差`,
      (r) => `某班 ${int(r, 30, 50)} 名同学的成绩如下表，求中位数和众数`,
    ],
    explanations: [() => `方差 $s^2=\\frac{1}{n}\\sum (x_i-\\bar{x})^2$`],
  },
  {
    key: 'probability',
    stems: [
      () => `掷一枚质地均匀的骰子，点数为偶数的概率是多少`,
      (r) => `袋中有 ${int(r, 2, 6)} 个红球和 ${int(r, 2, 6)} 个白球，任意摸出一个，摸到红球的概率`,
    ],
    explanations: [() => `用列表法或画树状图列出所有等可能的结果`],
  },
  {
    key: 'linear_system',
    stems: [(r) => `解二元一次方程组 $x+y=${int(r, 1, 20)}$，$x-y=${int(r, 1, 9)}$`],
    explanations: [() => `可用代入消元法或加减消元法`],
  },
  {
    key: 'fractions',
    stems: [(r) => `计算 $${frac(r)}+${frac(r)}$ 的值`, (r) => `化简二次根式 $\\sqrt{${int(r, 8, 99)}}$`],
    explanations: [() => `先通分再相加`, () => `化为最简二次根式`],
  },
];

const PREFIXES = ['', '', '', '如图，', '例题：', '填空题：', '（期中考试）', '下列说法中，'];
const SUFFIXES = ['', '', '', '请写出解题过程。', '并说明理由。', '精确到 0.1。', '（  ）'];

/** Fixed queries, each with the topics whose items count as relevant (for precision@10). */
const QUERIES: [string, string[]][] = [
  ['一元二次方程 求根公式', ['quad_formula']],
  ['求根公式', ['quad_formula']],
  ['配方法', ['complete_square']],
  ['配方法解方程', ['complete_square']],
  ['因式分解', ['factor_method']],
  ['平方差公式', ['factor_method']],
  ['十字相乘法', ['factor_method']],
  ['根的判别式', ['discriminant']],
  ['韦达定理', ['vieta']],
  ['根与系数的关系', ['vieta']],
  ['勾股定理 直角三角形', ['pythagoras', 'pythagoras_converse']],
  ['勾股定理', ['pythagoras', 'pythagoras_converse']],
  ['直角三角形 斜边', ['pythagoras']],
  ['勾股定理逆定理', ['pythagoras_converse']],
  ['一次函数 图像', ['linear_function']],
  ['一次函数解析式', ['linear_function']],
  ['待定系数法', ['linear_function']],
  ['二次函数 顶点坐标', ['quadratic_function']],
  ['二次函数 对称轴', ['quadratic_function']],
  ['反比例函数', ['inverse_function']],
  ['平行四边形 判定', ['parallelogram']],
  ['平行四边形 对角线', ['parallelogram']],
  ['菱形 面积', ['rhombus_rectangle']],
  ['矩形 对角线', ['rhombus_rectangle']],
  ['全等三角形', ['congruent']],
  ['三角形全等 SAS', ['congruent']],
  ['等腰三角形 底角', ['isosceles']],
  ['圆周角', ['circle']],
  ['垂径定理 弦心距', ['circle']],
  ['平均数 方差', ['statistics']],
  ['中位数 众数', ['statistics']],
  ['概率', ['probability']],
  ['树状图', ['probability']],
  ['二元一次方程组', ['linear_system']],
  ['加减消元法', ['linear_system']],
  ['\\frac{1}{2}', ['fractions']],
  ['二次根式 化简', ['fractions']],
  ['方程', ['quad_formula', 'complete_square', 'factor_method', 'discriminant', 'vieta', 'linear_system']],
];

interface Item {
  text: string;
  explanation?: string;
  topic?: string;
}

function generate(n: number, seed = 20240901): Item[] {
  const r = mulberry32(seed);
  const items: Item[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const t = pick(r, TOPICS);
    const text = `${pick(r, PREFIXES)}${pick(r, t.stems)(r)}${pick(r, SUFFIXES)}`;
    const explanation = r() < 0.6 ? pick(r, t.explanations)(r) : undefined;
    items[i] = { text, explanation, topic: t.key };
  }
  return items;
}

function load(file: string): Item[] {
  const items: Item[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const s = line.trim();
    if (!s) continue;
    if (s.startsWith('{')) {
      const o = JSON.parse(s) as { text?: unknown; explanation?: unknown };
      if (typeof o.text === 'string') {
        items.push({ text: o.text, explanation: typeof o.explanation === 'string' ? o.explanation : undefined });
      }
    } else items.push({ text: s });
  }
  return items;
}

function flag(argv: string[], name: string, dflt: number): number {
  const i = argv.indexOf(name);
  if (i < 0) return dflt;
  const v = Number(argv[i + 1]);
  if (!Number.isInteger(v) || v <= 0) throw new Error(`${name} needs a positive integer`);
  return v;
}

function gcNow(): void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
}

const rssMb = () => process.memoryUsage().rss / 2 ** 20;
/** JS heap plus typed-array buffers (the postings live in the latter). */
const heapMb = () => {
  const m = process.memoryUsage();
  return (m.heapUsed + m.arrayBuffers) / 2 ** 20;
};

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Precision@10 of the hits (only when the generator's topics are known). */
function precision(items: Item[], hits: number[], relevant: string[]): number {
  if (hits.length === 0) return 0;
  let ok = 0;
  for (const id of hits) if (relevant.includes(items[id]!.topic ?? '')) ok++;
  return ok / 10;
}

function runQueries(items: Item[], nQueries: number, search: (q: string) => number[]) {
  for (let i = 0; i < 20; i++) search(QUERIES[i % QUERIES.length]![0]); // warm-up
  const times: number[] = [];
  let pSum = 0;
  let hitsSum = 0;
  for (let i = 0; i < nQueries; i++) {
    const [q, rel] = QUERIES[i % QUERIES.length]!;
    const t0 = performance.now();
    const hits = search(q);
    times.push(performance.now() - t0);
    const p = precision(items, hits, rel);
    if (process.env.BENCH_DEBUG && i < QUERIES.length && p < 1) console.error(`p@10=${p} ${q}: ${hits.map((h) => items[h]!.topic + ':' + items[h]!.text).join(' | ')}`);
    pSum += p;
    hitsSum += hits.length;
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99), pAt10: pSum / nQueries, hits: hitsSum / nQueries };
}

function indexWith(
  items: Item[],
  tok: (s: string) => string[],
  tokQ: (s: string) => readonly (string | { term: string; weight: number })[],
): { index: Bm25Index<number>; perS: number; buildS: number } {
  const index = new Bm25Index<number>({ tokenize: tok, tokenizeQuery: tokQ });
  const t0 = performance.now();
  for (let i = 0; i < items.length; i++) {
    const it = items[i]!;
    index.add(i, it.explanation ? [{ text: it.text }, { text: it.explanation, weight: 0.5 }] : [{ text: it.text }]);
  }
  const s = (performance.now() - t0) / 1000;
  return { index, perS: items.length / s, buildS: s };
}

const QUALITY_TERMS: [string, string[]][] = [
  ['一元二次方程', ['方程', '二次']],
  ['求根公式', ['公式']],
  ['勾股定理', ['定理']],
  ['平行四边形', ['四边形']],
  ['全等三角形', ['三角形']],
  ['一次函数', ['函数']],
];

function quality(name: string, tok: (s: string) => string[]): void {
  let whole = 0;
  let subs = 0;
  let subsTotal = 0;
  const splits: string[] = [];
  for (const [term, parts] of QUALITY_TERMS) {
    const t = tok(`已知${term}的性质`);
    if (t.includes(term)) whole++;
    else splits.push(`${term}→${tok(term).join('/')}`);
    for (const p of parts) {
      subsTotal++;
      if (t.includes(p)) subs++;
    }
  }
  // Speed on one long string: 200 item stems joined (≈10k characters), tokenised 50 times.
  const long = generate(200, 7).map((i) => i.text).join('');
  tok(long);
  const t0 = performance.now();
  for (let i = 0; i < 50; i++) tok(long);
  const ms = (performance.now() - t0) / 50;
  report(`${SUITE}-quality`, {
    segmenter: name,
    terms_whole: `${whole}/${QUALITY_TERMS.length}`,
    subwords_found: `${subs}/${subsTotal}`,
    long_chars: long.length,
    long_ms: ms,
    chars_per_s: Math.round(long.length / (ms / 1000)),
    split: splits.length ? splits.join(',') : 'none',
  });
}

export default async function search(args: BenchArgs): Promise<void> {
  const nItems = flag(args.argv, '--items', 100_000);
  const nQueries = flag(args.argv, '--queries', 1000);
  const items = args.data ? load(args.data) : generate(nItems);
  const synthetic = !args.data;
  const common = { items: items.length };

  quality('jieba', tokenize);
  quality('intl', tokenizeIntl);

  gcNow();
  const rss0 = rssMb();
  const heap0 = heapMb();
  for (const [name, tok, tokQ] of [
    ['jieba', tokenize, tokenizeQuery],
    ['intl', tokenizeIntl, tokenizeIntl],
  ] as const) {
    let built: ReturnType<typeof indexWith> | null = indexWith(items, tok, tokQ);
    gcNow();
    const indexMb = heapMb() - heap0;
    const rss = rssMb();
    const index = built.index;
    const q = runQueries(items, nQueries, (s) => index.search(s, { limit: 10 }).map((h) => h.id));
    report(SUITE, {
      ...common,
      segmenter: name,
      p50_ms: q.p50,
      p99_ms: q.p99,
      import_items_per_s: Math.round(built.perS),
      build_s: built.buildS,
      ...(synthetic ? { p_at_10: q.pAt10 } : {}),
      rss_mb: Math.round(rss),
      index_mb: Math.round(indexMb),
      queries: nQueries,
    });
    built = null;
    gcNow();
  }

  // Naive baseline: every whitespace-separated query part must occur in the text (AND).
  const texts = items.map((i) => (i.explanation ? `${i.text}\n${i.explanation}` : i.text).toLowerCase());
  const q = runQueries(items, nQueries, (s) => {
    const parts = s.toLowerCase().split(/\s+/).filter(Boolean);
    const hits: number[] = [];
    for (let i = 0; i < texts.length; i++) {
      const t = texts[i]!;
      let ok = true;
      for (const p of parts) {
        if (!t.includes(p)) {
          ok = false;
          break;
        }
      }
      if (ok && hits.length < 10) hits.push(i);
    }
    return hits;
  });
  report(SUITE, {
    ...common,
    method: 'substring_scan',
    p50_ms: q.p50,
    p99_ms: q.p99,
    ...(synthetic ? { p_at_10: q.pAt10 } : {}),
    rss_mb: Math.round(rssMb()),
    baseline_rss_mb: Math.round(rss0),
    queries: nQueries,
  });
}
