import { describe, expect, it } from 'vitest';
import { estimateChatTokens, estimateTokens } from './tokens.js';

describe('estimateTokens', () => {
  it('counts one per CJK character, kana and Hangul syllable', () => {
    expect(estimateTokens('你好世界')).toBe(4);
    expect(estimateTokens('こんにちは')).toBe(5);
    expect(estimateTokens('안녕')).toBe(2);
  });

  it('counts runs of ASCII letters and digits by quarters, rounded up', () => {
    expect(estimateTokens('a')).toBe(1);
    expect(estimateTokens('abcd')).toBe(1);
    expect(estimateTokens('abcde')).toBe(2);
    expect(estimateTokens('internationalization')).toBe(5); // 20 letters
    expect(estimateTokens('Hello world')).toBe(4); // 5 → 2, 5 → 2
    expect(estimateTokens('x2024')).toBe(2);
  });

  it('counts symbols one each and whitespace nothing', () => {
    expect(estimateTokens('Hello, world!')).toBe(6);
    expect(estimateTokens('  \n\t \u3000')).toBe(0);
    expect(estimateTokens('1+1=2')).toBe(5);
    expect(estimateTokens('你好，world。')).toBe(6);
    expect(estimateTokens('😀')).toBe(1); // one code point, two UTF-16 units
    expect(estimateTokens('a\u200bb')).toBe(2);
    expect(estimateTokens('')).toBe(0);
    expect(estimateTokens(undefined as unknown as string)).toBe(0);
  });

  it('handles mixed text', () => {
    // 我(1) 用(1) Python(2) 3(1) 写(1) 代(1) 码(1) ：(1) print(2) ((1) "(1) hi(1) "(1) )(1)
    expect(estimateTokens('我用Python 3写代码：print("hi")')).toBe(16);
  });
});

describe('estimateChatTokens', () => {
  it('adds 4 per message and 3 for the reply', () => {
    expect(estimateChatTokens([])).toBe(3);
    expect(
      estimateChatTokens([
        { role: 'system', content: '你是老师' },
        { role: 'user', content: 'Hello world' },
      ]),
    ).toBe(3 + (4 + 4) + (4 + 4));
  });

  it('counts names and the text parts of array content', () => {
    expect(
      estimateChatTokens([
        {
          role: 'user',
          name: 'tom',
          content: [
            { type: 'text', text: '看图' },
            { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
            { type: 'text', text: 'why?' },
          ],
        },
        { role: 'assistant', content: null },
        { role: 'tool' },
      ]),
    ).toBe(3 + (4 + 1 + 2 + 2) + 4 + 4);
  });
});
