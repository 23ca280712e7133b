import { describe, expect, it } from 'vitest';
import {
  estimateJaccard,
  findNearDuplicates,
  jaccard,
  lshCandidateProbability,
  minhashSignature,
  shingles,
} from './minhash.js';

// Two independent essays on the same topic (spring), written separately.
const SPRING_SCHOOL =
  '春天来了，校园里的柳树抽出了嫩绿的新芽，远远望去像一层淡淡的绿雾。操场边的草地上，小草从泥土里探出头来，' +
  '好奇地打量着这个世界。早晨，我背着书包走进校门，总能听见树枝上的鸟儿在欢快地歌唱。教学楼前的桃花开得正艳，' +
  '粉红的花瓣在微风中轻轻摇摆，引来了许多蜜蜂和蝴蝶。课间的时候，同学们在花坛旁追逐嬉戏，笑声传遍了整个校园。' +
  '我最喜欢在放学后坐在长椅上看书，温暖的阳光洒在身上，让人觉得格外舒服。春天是一个充满希望的季节，' +
  '它告诉我们，只要努力生长，就一定能迎来属于自己的花开。';

const SPRING_VILLAGE =
  '爷爷家住在乡下，每年清明前后，我都会跟着爸爸妈妈回去看望他。田野里的油菜花开成了一片金黄色的海洋，' +
  '空气中弥漫着淡淡的花香。小河解冻了，河水哗哗地流着，几只鸭子在水面上游来游去。爷爷扛着锄头下地干活，' +
  '他说春天播下种子，秋天才会有收获。我跟在爷爷身后，学着他的样子把玉米种子一颗一颗地放进土坑里，' +
  '再轻轻盖上泥土。傍晚，燕子从南方飞回来了，在屋檐下忙着筑巢。奶奶做了一桌香喷喷的饭菜，有刚挖的春笋，' +
  '还有自家种的青菜。吃着饭，听着爷爷讲他小时候的故事，我觉得这个春天特别温暖。';

// SPRING_SCHOOL lightly disguised: a few words swapped, punctuation changed, a sentence split.
const SPRING_SCHOOL_EDITED = SPRING_SCHOOL.replace('柳树', '杨树')
  .replace('嫩绿', '翠绿')
  .replace('欢快', '快乐')
  .replace('我最喜欢', '我很喜欢')
  .replace('许多', '很多')
  .replace(/，/g, ', ')
  .replace('。课间的时候', '!\n\n课间的时候');

describe('shingles', () => {
  it('uses character k-grams for Chinese, dropping punctuation and whitespace', () => {
    expect([...shingles('我爱，北京！')]).toEqual(['我 爱 北', '爱 北 京']);
    expect(shingles('我 爱 北 京')).toEqual(shingles('我爱北京'));
  });

  it('uses word k-grams for Latin text, folding width and case', () => {
    expect([...shingles('The quick, brown FOX.')]).toEqual(['the quick brown', 'quick brown fox']);
    expect(shingles('Ｔｈｅ ｑｕｉｃｋ ｂｒｏｗｎ ｆｏｘ')).toEqual(shingles('the quick brown fox'));
  });

  it('treats mixed text as one sequence of characters and words', () => {
    expect([...shingles('我用Python 3写代码', 2)]).toEqual(['我 用', '用 python', 'python 3', '3 写', '写 代', '代 码']);
  });

  it('gives a text shorter than k one shingle and an empty text none', () => {
    expect([...shingles('你好')]).toEqual(['你 好']);
    expect(shingles('，。！ ').size).toBe(0);
    expect(() => shingles('abc', 0)).toThrow(RangeError);
  });
});

describe('jaccard and minhash', () => {
  const range = (from: number, to: number) => new Set(Array.from({ length: to - from }, (_, i) => `s${from + i}`));

  it('computes exact Jaccard', () => {
    expect(jaccard(range(0, 200), range(100, 300))).toBeCloseTo(1 / 3, 10);
    expect(jaccard(range(0, 10), range(0, 10))).toBe(1);
    expect(jaccard(range(0, 10), range(10, 20))).toBe(0);
    expect(jaccard(new Set(), new Set())).toBe(0);
  });

  it('estimates Jaccard within ±0.1 of the exact value', () => {
    for (const [a, b] of [
      [range(0, 200), range(100, 300)], // 1/3
      [range(0, 900), range(100, 1000)], // 0.8
      [range(0, 500), range(450, 950)], // ≈ 0.053
      [range(0, 300), range(0, 300)], // 1
    ] as const) {
      const est = estimateJaccard(minhashSignature(a), minhashSignature(b));
      expect(Math.abs(est - jaccard(a, b))).toBeLessThanOrEqual(0.1);
    }
  });

  it('is deterministic and depends on the seed', () => {
    const s = shingles(SPRING_SCHOOL);
    expect(minhashSignature(s)).toEqual(minhashSignature(new Set([...s].reverse())));
    expect(minhashSignature(s, 64, 7)).toEqual(minhashSignature(s, 64, 7));
    expect(minhashSignature(s, 64, 7)).not.toEqual(minhashSignature(s, 64, 8));
    expect(minhashSignature(s, 64)).toHaveLength(64);
  });

  it('treats two empty sets as not similar and rejects mismatched signatures', () => {
    expect(estimateJaccard(minhashSignature(new Set()), minhashSignature(new Set()))).toBe(0);
    expect(() => estimateJaccard(new Uint32Array(4), new Uint32Array(8))).toThrow(RangeError);
  });

  it('LSH defaults make a pair at the 0.6 threshold a candidate almost surely', () => {
    expect(lshCandidateProbability(0.6, 32, 4)).toBeGreaterThan(0.98);
    expect(lshCandidateProbability(0.1, 32, 4)).toBeLessThan(0.01);
  });
});

describe('findNearDuplicates', () => {
  it('finds a lightly edited copy and not an independent essay on the same topic', () => {
    const copy = jaccard(shingles(SPRING_SCHOOL), shingles(SPRING_SCHOOL_EDITED));
    const independent = jaccard(shingles(SPRING_SCHOOL), shingles(SPRING_VILLAGE));
    expect(copy).toBeGreaterThan(0.6);
    expect(independent).toBeLessThan(0.1);

    const found = findNearDuplicates([
      { id: 'li', text: SPRING_SCHOOL },
      { id: 'wang', text: SPRING_VILLAGE },
      { id: 'zhang', text: SPRING_SCHOOL_EDITED },
    ]);
    expect(found).toEqual([{ a: 'li', b: 'zhang', similarity: copy }]);
  });

  it('finds copied English essays with word shingles', () => {
    const original =
      'Photosynthesis is the process by which green plants use sunlight, water and carbon dioxide to make glucose ' +
      'and release oxygen. It takes place mainly in the chloroplasts of leaf cells, which contain chlorophyll.';
    const edited = original.replace('mainly', 'mostly').replace('green plants', 'plants');
    const other =
      'Plants make their own food in the leaves. Chlorophyll absorbs light energy, and the plant turns carbon ' +
      'dioxide and water into sugar, giving off oxygen as a by-product that animals need to breathe.';
    const found = findNearDuplicates([
      { id: 'a', text: original },
      { id: 'b', text: other },
      { id: 'c', text: edited },
    ]);
    expect(found.map((p) => [p.a, p.b])).toEqual([['a', 'c']]);
    expect(found[0]!.similarity).toBeGreaterThan(0.6);
  });

  it('ignores texts shorter than minLength', () => {
    const docs = [
      { id: 'a', text: '勾股定理' },
      { id: 'b', text: '勾股定理' },
      { id: 'c', text: 'x = 3, y = -2' },
      { id: 'd', text: 'x=3，y=-2' },
    ];
    expect(findNearDuplicates(docs)).toEqual([]);
    // Counted without punctuation: '勾股定理' has 4 characters.
    expect(findNearDuplicates(docs, { minLength: 4 }).map((p) => [p.a, p.b, p.similarity])).toEqual([
      ['a', 'b', 1],
      ['c', 'd', 1],
    ]);
    expect(findNearDuplicates(docs, { minLength: 5 }).map((p) => [p.a, p.b])).toEqual([]);
  });

  it('sorts by similarity and honours the threshold', () => {
    const heavier = SPRING_SCHOOL_EDITED.replace('温暖的阳光', '和煦的日光').replace('充满希望', '生机勃勃').replace('蜜蜂和蝴蝶', '蝴蝶和蜻蜓');
    const docs = [
      { id: 'x', text: heavier },
      { id: 'y', text: SPRING_SCHOOL },
      { id: 'z', text: SPRING_SCHOOL_EDITED },
    ];
    const found = findNearDuplicates(docs);
    // Every pair is above 0.6; the expected order comes from the exact Jaccard of the public API.
    const sim = (p: number, q: number) => jaccard(shingles(docs[p]!.text), shingles(docs[q]!.text));
    const expected = [
      { a: 'x', b: 'y', similarity: sim(0, 1) },
      { a: 'x', b: 'z', similarity: sim(0, 2) },
      { a: 'y', b: 'z', similarity: sim(1, 2) },
    ].sort((p, q) => q.similarity - p.similarity);
    expect(new Set(expected.map((p) => p.similarity)).size).toBe(3); // the order is not a tie-break
    expect(found).toEqual(expected);
    const middle = expected[1]!.similarity;
    expect(findNearDuplicates(docs, { threshold: middle })).toEqual(expected.slice(0, 2));
    expect(findNearDuplicates(docs, { threshold: middle + 1e-9 })).toEqual(expected.slice(0, 1));
  });

  it('handles 1,000 essays of 800 Chinese characters quickly and finds the planted copies', () => {
    // Deterministic pseudo-essays: characters drawn with a skewed distribution from the sample
    // essays, so common characters recur the way they do in real writing.
    const pool = [...new Set([...(SPRING_SCHOOL + SPRING_VILLAGE).replace(/[，。、！]/g, '')])];
    let state = 12345;
    const rand = () => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state / 2 ** 32;
    };
    const essay = () => Array.from({ length: 800 }, () => pool[Math.floor(pool.length * rand() ** 2)]).join('');
    const docs = Array.from({ length: 1000 }, (_, i) => ({ id: `s${i}`, text: essay() }));
    // Plant 5 copies with 20 characters changed each.
    for (let c = 0; c < 5; c++) {
      const chars = [...docs[c * 100]!.text];
      for (let e = 0; e < 20; e++) chars[Math.floor(rand() * chars.length)] = '改';
      docs[c * 100 + 7] = { id: `copy${c}`, text: chars.join('') };
    }

    const t0 = performance.now();
    const found = findNearDuplicates(docs);
    const ms = performance.now() - t0;
    console.log(`findNearDuplicates: 1000 × 800 chars in ${ms.toFixed(0)} ms`);

    expect(found.map((p) => `${p.a}-${p.b}`).sort()).toEqual(['s0-copy0', 's100-copy1', 's200-copy2', 's300-copy3', 's400-copy4']);
    expect(ms).toBeLessThan(5000);
  });
});
