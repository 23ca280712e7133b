import { describe, expect, it } from 'vitest';
import { matchKeyPoints, stemWord, type KeyPointMarking, type KeyPointSpec } from './keypoints.js';

// Biology: 光合作用的条件、原料和产物 (3 key points, 2 marks each).
const PHOTO_STEM = '绿色植物进行光合作用需要什么条件？原料和产物分别是什么？';
const PHOTO: KeyPointSpec[] = [
  { id: 'light', meaning: '光合作用需要光照', variants: ['需要阳光', '在光下进行'], score: 2 },
  { id: 'inputs', meaning: '原料是二氧化碳和水', variants: ['吸收二氧化碳和水'], score: 2 },
  { id: 'outputs', meaning: '产物是有机物和氧气', variants: ['释放氧气', '产生氧气'], score: 2 },
];

// Physics: 串联电路的电流、电压规律 (2 key points that differ in one entity).
const SERIES_STEM = '串联电路中电流和电压各有什么规律？';
const SERIES: KeyPointSpec[] = [
  { id: 'current', meaning: '串联电路中电流处处相等', score: 1 },
  { id: 'voltage', meaning: '总电压等于各部分电压之和', variants: ['总电压是各用电器两端电压之和'], score: 1 },
];

const point = (m: KeyPointMarking, id: string) => {
  const p = m.points.find((x) => x.id === id);
  if (!p) throw new Error(`no point ${id}`);
  return p;
};

/** Every evidence span must point into the original answer. */
function expectSpansValid(answer: string, m: KeyPointMarking): void {
  for (const p of m.points) {
    if (!p.evidence) continue;
    expect(p.evidence.start).toBeGreaterThanOrEqual(0);
    expect(p.evidence.end).toBeLessThanOrEqual(answer.length);
    expect(answer.slice(p.evidence.start, p.evidence.end), p.id).toBe(p.evidence.text);
  }
}

describe('matchKeyPoints: Chinese', () => {
  it('credits every point stated verbatim, with exact evidence and full confidence', () => {
    const answer = '光合作用需要光照，原料是二氧化碳和水，产物是有机物和氧气。';
    const m = matchKeyPoints(answer, PHOTO, { context: PHOTO_STEM });
    expect(m.score).toBe(6);
    expect(m.max).toBe(6);
    expect(m.confidence).toBe(1);
    for (const p of m.points) {
      expect(p.matched, p.id).toBe(true);
      expect(p.via, p.id).toBe('exact');
      expect(p.similarity).toBe(1);
      expect(p.negated).toBe(false);
    }
    expect(point(m, 'light').evidence).toEqual({ start: 0, end: 8, text: '光合作用需要光照' });
    expect(point(m, 'outputs').evidence?.text).toBe('产物是有机物和氧气');
    expectSpansValid(answer, m);
  });

  it('credits points met by a variant and says so', () => {
    const answer = '植物需要阳光。它吸收二氧化碳和水，释放氧气。';
    const m = matchKeyPoints(answer, PHOTO, { context: PHOTO_STEM });
    expect(m.score).toBe(6);
    expect(point(m, 'light').via).toBe('variant');
    expect(point(m, 'light').evidence?.text).toBe('需要阳光');
    expect(point(m, 'outputs').evidence?.text).toBe('释放氧气');
    expectSpansValid(answer, m);
  });

  it('gives no credit for a negated point and shows the negation in the evidence', () => {
    const answer = '光合作用不需要光照，原料是二氧化碳和水，产生有机物和氧气';
    const m = matchKeyPoints(answer, PHOTO, { context: PHOTO_STEM });
    const light = point(m, 'light');
    expect(light.negated).toBe(true);
    expect(light.matched).toBe(false);
    expect(light.score).toBe(0);
    expect(light.similarity).toBeGreaterThanOrEqual(0.6); // the wording is there
    expect(light.evidence?.text).toContain('不需要光照');
    expect(m.score).toBe(4);
    expect(m.confidence).toBeLessThan(1);
    expectSpansValid(answer, m);
  });

  it('checks polarity both ways: a negative key point is not met by the positive statement', () => {
    const kp: KeyPointSpec[] = [{ id: 'o2', meaning: '无氧呼吸不需要氧气', score: 1 }];
    const wrong = matchKeyPoints('酵母菌进行无氧呼吸时需要氧气', kp);
    expect(wrong.points[0]!.negated).toBe(true);
    expect(wrong.score).toBe(0);
    const right = matchKeyPoints('酵母菌的无氧呼吸并不需要任何氧气', kp);
    expect(right.points[0]!.negated).toBe(false);
    expect(right.score).toBe(1);
  });

  it('reads a double negation as positive and ignores words that only contain a cue', () => {
    const dbl = matchKeyPoints('光合作用并非不需要光照', PHOTO.slice(0, 1));
    expect(dbl.points[0]!.matched).toBe(true);
    const rate: KeyPointSpec[] = [{ id: 't', meaning: '温度升高，反应速率加快', score: 1 }];
    const m = matchKeyPoints('温度不断升高，反应速率加快', rate); // 不断 = "continuously"
    expect(m.points[0]!.negated).toBe(false);
    expect(m.score).toBe(1);
  });

  it('treats an opposite word (减慢 for 加快) like a negation', () => {
    const rate: KeyPointSpec[] = [{ id: 't', meaning: '温度升高，反应速率加快', score: 1 }];
    const m = matchKeyPoints('温度升高，反应速率减慢', rate);
    expect(m.points[0]!.negated).toBe(true);
    expect(m.score).toBe(0);
    expect(m.points[0]!.evidence?.text).toContain('减慢');
  });

  it('matches a paraphrase with another word order and a synonym', () => {
    const rate: KeyPointSpec[] = [{ id: 't', meaning: '温度升高，反应速率加快', score: 1 }];
    const answer = '反应速率会随着温度的升高而加快';
    const m = matchKeyPoints(answer, rate);
    const p = m.points[0]!;
    expect(p.matched).toBe(true);
    expect(p.via).toBe('fuzzy');
    expect(p.evidence?.text).toBe('反应速率会随着温度的升高而加快');
    // 必须 is a near-synonym of 需要; the point is found in the clause that says it.
    const answer2 = '以二氧化碳和水为原料，合成有机物并放出氧气，这个过程必须有光照才能进行。';
    const m2 = matchKeyPoints(answer2, PHOTO, { context: PHOTO_STEM });
    expect(m2.score).toBe(6);
    expect(point(m2, 'light').via).toBe('fuzzy');
    expect(point(m2, 'light').evidence?.text).toContain('光照');
    expectSpansValid(answer2, m2);
  });

  it('maps evidence back through full-width characters and leading blanks', () => {
    const answer = '　　答：植物吸收ＣＯ２和Ｈ２Ｏ，需要光照。';
    const kps: KeyPointSpec[] = [
      { id: 'co2', meaning: '吸收CO2', score: 1 },
      { id: 'light', meaning: '需要光照', score: 1 },
    ];
    const m = matchKeyPoints(answer, kps);
    expect(point(m, 'co2').evidence).toEqual({ start: 6, end: 11, text: '吸收ＣＯ２' });
    expect(point(m, 'light').evidence).toEqual({ start: 16, end: 20, text: '需要光照' });
    expectSpansValid(answer, m);
  });

  it('gives 0 with confidence 1 for an empty or blank answer', () => {
    for (const answer of ['', '  \n ', '。，']) {
      const m = matchKeyPoints(answer, PHOTO);
      expect(m.score).toBe(0);
      expect(m.max).toBe(6);
      expect(m.confidence).toBe(1);
      for (const p of m.points) {
        expect(p.evidence).toBeNull();
        expect(p.via).toBeNull();
      }
    }
  });

  it('gives half credit with low confidence in the partial band', () => {
    // Voltage said where the point is about current: the shared wording 处处相等 is not enough.
    const m = matchKeyPoints('电压处处相等', SERIES, { context: SERIES_STEM });
    const p = point(m, 'current');
    expect(p.partial).toBe(true);
    expect(p.matched).toBe(false);
    expect(p.score).toBe(0.5);
    expect(p.similarity).toBeGreaterThanOrEqual(0.45);
    expect(p.similarity).toBeLessThan(0.6);
    expect(p.confidence).toBeLessThan(0.5);
    expect(m.confidence).toBeLessThan(0.5);
    // The correct statement of the same point is clear.
    const ok = matchKeyPoints('电流处处相等，总电压等于各部分电压之和', SERIES, { context: SERIES_STEM });
    expect(ok.score).toBe(2);
    expect(ok.confidence).toBeGreaterThan(0.5);
  });

  it('does not credit a point for its topic words alone', () => {
    const m = matchKeyPoints('光合作用需要水', PHOTO, { context: PHOTO_STEM });
    expect(point(m, 'light').score).toBe(0);
    expect(point(m, 'light').similarity).toBeLessThan(0.45);
  });

  it('does not find a word across a word boundary', () => {
    // 阳光|照射 contains the characters 光照 but not the word.
    const m = matchKeyPoints('植物在阳光照射下生长', [{ id: 'l', meaning: '光照', score: 1 }]);
    expect(m.points[0]!.matched).toBe(false);
    expect(m.points[0]!.via).toBeNull();
  });

  it('honours the threshold option', () => {
    const answer = '串联电路电流相等';
    expect(matchKeyPoints(answer, SERIES).points[0]!.matched).toBe(true);
    const strict = matchKeyPoints(answer, SERIES, { threshold: 0.95, partialWidth: 0 });
    expect(strict.points[0]!.matched).toBe(false);
    expect(strict.points[0]!.score).toBe(0);
  });
});

describe('matchKeyPoints: English and edge cases', () => {
  const VAR: KeyPointSpec[] = [{ id: 'var', meaning: 'A location in memory that can store a value', score: 2 }];

  it('matches stemmed English words and detects negation', () => {
    const answer = 'A variable is a named location in memory that stores values.';
    const m = matchKeyPoints(answer, VAR);
    expect(m.points[0]!.matched).toBe(true);
    expect(m.score).toBe(2);
    expect(m.points[0]!.evidence?.text).toBe('location in memory that stores values');
    expectSpansValid(answer, m);

    const neg = matchKeyPoints("A variable doesn't store values in memory.", VAR);
    expect(neg.points[0]!.negated).toBe(true);
    expect(neg.score).toBe(0);

    expect(matchKeyPoints('It is a loop.', VAR).points[0]!.matched).toBe(false);
  });

  it('stems plurals, -ing and -ed to one form', () => {
    expect(stemWord('stores')).toBe(stemWord('store'));
    expect(stemWord('stored')).toBe(stemWord('storing'));
    expect(stemWord('classes')).toBe('class');
    expect(stemWord('is')).toBe('is');
  });

  it('returns confidence 0 when there is nothing to check, and validates options', () => {
    const m = matchKeyPoints('答案', []);
    expect(m).toEqual({ points: [], score: 0, max: 0, confidence: 0 });
    expect(() => matchKeyPoints('x', VAR, { threshold: 0 })).toThrow(RangeError);
    expect(() => matchKeyPoints('x', VAR, { threshold: 0.6, partialWidth: 0.7 })).toThrow(RangeError);
    expect(() => matchKeyPoints('x', [{ id: 'a', meaning: 'b', score: Number.NaN }])).toThrow(RangeError);
  });
});
