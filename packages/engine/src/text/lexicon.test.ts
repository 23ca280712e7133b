import { describe, expect, it } from 'vitest';
import { SafetyLexicon, type LexiconEntry } from './lexicon.js';

const ENTRIES: LexiconEntry[] = [
  { term: '自杀', category: 'self_harm', action: 'block' },
  { term: '恋爱', category: 'romance', action: 'flag', gradeBands: ['primary'] },
  { term: '赌博', category: 'gambling', action: 'flag', gradeBands: ['senior'] },
  { term: '赌博', category: 'gambling', action: 'block', gradeBands: ['primary', 'junior'] },
  { term: 'ass', category: 'profanity', action: 'flag', gradeBands: null },
  { term: '网 购', category: 'shopping', action: 'flag', gradeBands: [] },
];

describe('SafetyLexicon', () => {
  const lex = new SafetyLexicon(ENTRIES);

  it('counts its entries', () => {
    expect(lex.size).toBe(6);
    expect(new SafetyLexicon([{ term: ' ，', category: 'x', action: 'block' }]).size).toBe(0);
  });

  it('allows unrelated text, with no false positive on words containing an English term', () => {
    expect(lex.scan('今天我们学习了分数的加减法。')).toEqual({ action: 'allow', hits: [] });
    expect(lex.scan('Our class finished the assignment; I passed!').action).toBe('allow');
    expect(lex.scan('自然杀菌').action).toBe('allow');
    expect(lex.scan('')).toEqual({ action: 'allow', hits: [] });
  });

  it('filters entries by grade band', () => {
    expect(lex.scan('他们在谈恋爱', 'primary').action).toBe('flag');
    expect(lex.scan('他们在谈恋爱', 'senior').action).toBe('allow');
    // Entries without bands (null or empty) apply everywhere.
    expect(lex.scan('我想网购', 'senior').action).toBe('flag');
    expect(lex.scan('you ass', 'junior').hits).toHaveLength(1);
  });

  it('picks the entry for the band when a term has several', () => {
    expect(lex.scan('他沉迷赌博', 'senior')).toEqual({
      action: 'flag',
      hits: [{ term: '赌博', category: 'gambling', action: 'flag', start: 3, end: 5 }],
    });
    expect(lex.scan('他沉迷赌博', 'primary').action).toBe('block');
    expect(lex.scan('他沉迷赌博', 'college').action).toBe('allow');
    // No band: every entry applies, the strongest wins.
    expect(lex.scan('他沉迷赌博').action).toBe('block');
  });

  it('reports every hit and the strongest action', () => {
    const text = '恋爱和赌博都不好，自杀更不行';
    const r = lex.scan(text, 'primary');
    expect(r.action).toBe('block');
    expect(r.hits.map((h) => [text.slice(h.start, h.end), h.action])).toEqual([
      ['恋爱', 'flag'],
      ['赌博', 'block'],
      ['自杀', 'block'],
    ]);
    expect(lex.scan('恋爱', 'primary').action).toBe('flag');
  });

  it('sees through separators, zero-width characters, emoji, case and full width', () => {
    for (const t of ['自 杀', '自*杀', '自，杀', '自\u200b杀', '自😀杀', '自-_-杀', '自　杀'])
      expect(lex.scan(`我想${t}了`).action, t).toBe('block');
    const r = lex.scan('你真是个 Ａ.S.S ！', 'senior');
    expect(r.action).toBe('flag');
    expect(r.hits[0]).toMatchObject({ term: 'ass', start: 5, end: 10 });
    expect(lex.scan('想网购').hits[0]?.term).toBe('网 购');
  });

  it('does not let a longer term that does not apply hide a shorter one that does', () => {
    const l = new SafetyLexicon([
      { term: '赌博', category: 'gambling', action: 'flag' },
      { term: '赌博游戏', category: 'gambling', action: 'block', gradeBands: ['primary'] },
    ]);
    expect(l.scan('赌博游戏', 'primary').hits.map((h) => h.term)).toEqual(['赌博游戏']);
    expect(l.scan('赌博游戏', 'senior').hits.map((h) => h.term)).toEqual(['赌博']);
  });
});
