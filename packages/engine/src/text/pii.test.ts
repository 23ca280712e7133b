import { describe, expect, it } from 'vitest';
import { cnIdCheckChar } from './cn-id.js';
import { mulberry32 } from '../stats/random.js';
import { createStreamRestorer, maskPii, PiiMasker, restorePii } from './pii.js';

const id17 = '33010620090315123';
const validId = id17 + cnIdCheckChar(id17);

describe('maskPii', () => {
  it('masks a checksum-valid ID, phones, e-mail and roster names, and restores them', () => {
    const text = `我是李小明，身份证${validId}，电话 138 1234 5678，邮箱 xm@example.com。李小明的同桌是王芳。`;
    const m = maskPii(text, ['李小明', '王芳']);
    expect(m.text).not.toContain(validId);
    expect(m.text).not.toContain('李小明');
    expect(m.text).not.toContain('5678');
    expect(m.text).not.toContain('xm@example.com');
    expect(m.text).toContain('[姓名1]的同桌是[姓名2]');
    expect(m.counts).toEqual({ id: 1, phone: 1, email: 1, name: 2, student_no: 0 });
    expect(restorePii(m.text, m.map)).toBe(text);
  });

  it('leaves an 18-digit number with a wrong check digit (a maths answer) alone', () => {
    const wrong = id17 + (cnIdCheckChar(id17) === '0' ? '1' : '0');
    expect(maskPii(`结果是${wrong}`).text).toBe(`结果是${wrong}`);
  });
});

describe('PiiMasker', () => {
  it('masks names longest first, numbering placeholders in text order', () => {
    const m = new PiiMasker({ names: ['欧阳', '欧阳明', ' 王芳 ', '明', ''] }).mask('王芳和欧阳明是同学，欧阳老师表扬了王芳。');
    expect(m.text).toBe('[姓名1]和[姓名2]是同学，[姓名3]老师表扬了[姓名1]。');
    expect([...m.map]).toEqual([
      ['[姓名1]', '王芳'],
      ['[姓名2]', '欧阳明'],
      ['[姓名3]', '欧阳'],
    ]);
    expect(m.counts).toEqual({ id: 0, phone: 0, email: 0, name: 3, student_no: 0 });
  });

  it('masks student numbers only as whole digit runs', () => {
    const masker = new PiiMasker({ studentNos: ['2023001', '123', 'S1002'], names: ['李雷'] });
    const m = masker.mask('学号2023001的李雷，不是120230011，也不是2023001X；学号s1002、S1002。');
    expect(m.text).toBe('学号[学号1]的[姓名1]，不是120230011，也不是2023001X；学号s1002、[学号2]。');
    expect(m.counts).toEqual({ id: 0, phone: 0, email: 0, name: 1, student_no: 2 });
    expect(masker.mask('答案是123').text).toBe('答案是123'); // shorter than 4: ignored
    expect(new PiiMasker({ names: ['Ann'] }).mask('Announcement for Ann.').text).toBe('Announcement for [姓名1].');
  });

  it('masks IDs, phones and e-mails first and never inside their placeholders', () => {
    // A "student number" that is part of the phone number and of the e-mail address.
    const masker = new PiiMasker({ studentNos: ['5678', 'example'], names: ['手机', '邮箱'] });
    const text = `电话13812345678，Email a5678@example.com，身份证${validId}，学号5678`;
    const m = masker.mask(text);
    expect(m.text).toBe('电话[手机1]，Email [邮箱1]，身份证[身份证1]，学号[学号1]');
    expect(m.counts).toEqual({ id: 1, phone: 1, email: 1, name: 0, student_no: 1 });
    expect(restorePii(m.text, m.map)).toBe(text);
  });

  it('gives the same placeholder to repeated values and restores exactly', () => {
    const masker = new PiiMasker({ names: ['张三', '李四'], studentNos: ['20240101'] });
    const text = '张三(20240101)问李四；李四答张三。电话 +86 139-1234-5678 或 13912345678。';
    const m = masker.mask(text);
    expect(m.text).toBe('[姓名1]([学号1])问[姓名2]；[姓名2]答[姓名1]。电话 [手机1] 或 [手机2]。');
    expect(restorePii(m.text, m.map)).toBe(text);
  });

  it('returns the input untouched when nothing is found', () => {
    const masker = new PiiMasker({ names: ['张三'] });
    const text = '请解方程 3x + 5 = 20，并写出 12345 的因数。';
    const m = masker.mask(text);
    expect(m.text).toBe(text);
    expect(m.map.size).toBe(0);
    expect(new PiiMasker().mask('').text).toBe('');
  });

  it('agrees with maskPii', () => {
    const text = '李小明和王芳，李小明';
    expect(maskPii(text, ['王芳', '李小明'])).toEqual(new PiiMasker({ names: ['李小明', '王芳'] }).mask(text));
  });
});

describe('restorePii', () => {
  it('leaves unknown and malformed placeholders alone', () => {
    const map = new Map([['[姓名1]', '王芳']]);
    expect(restorePii('[姓名2] [[姓名1]] [姓名1 [姓名1', map)).toBe('[姓名2] [王芳] [姓名1 [姓名1');
  });

  it('falls back to plain replacement for keys of another form', () => {
    expect(restorePii('<<A>> and <<A>>', new Map([['<<A>>', 'x']]))).toBe('x and x');
  });
});

describe('createStreamRestorer', () => {
  const map = new Map([
    ['[姓名1]', '王芳'],
    ['[姓名12]', '欧阳明'],
    ['[手机1]', '13812345678'],
    ['[学号1]', '2023001'],
  ]);

  it('restores a placeholder split across chunks', () => {
    const r = createStreamRestorer(map);
    expect(r.push('你好，[姓')).toBe('你好，');
    expect(r.push('名1]同学')).toBe('王芳同学');
    expect(r.push('[')).toBe('');
    expect(r.push('手机1')).toBe('');
    expect(r.push(']。[')).toBe('13812345678。');
    expect(r.flush()).toBe('[');
  });

  it('does not hold back text that cannot start a placeholder', () => {
    const r = createStreamRestorer(map);
    expect(r.push('数组 a[i] 和 [0, 1, 2, 3]')).toBe('数组 a[i] 和 [0, 1, 2, 3]');
    expect(r.push('区间 [1, 1000000')).toBe('区间 [1, 1000000');
    expect(r.flush()).toBe('');
    const empty = createStreamRestorer(new Map());
    expect(empty.push('[姓')).toBe('[姓');
  });

  it('matches restorePii on the whole text for random chunkings', () => {
    const rnd = mulberry32(2024);
    const pieces = ['[姓名1]', '[姓名12]', '[手机1]', '[学号1]', '[姓名2]', '[', ']', '[[', '姓名', '1', '你好', 'abc ', '。', '😀'];
    for (let round = 0; round < 500; round++) {
      let text = '';
      const n = Math.floor(rnd() * 20);
      for (let i = 0; i < n; i++) text += pieces[Math.floor(rnd() * pieces.length)];
      const r = createStreamRestorer(map);
      let out = '';
      let i = 0;
      while (i < text.length) {
        const len = 1 + Math.floor(rnd() * 6);
        out += r.push(text.slice(i, i + len));
        i += len;
      }
      out += r.flush();
      expect(out, text).toBe(restorePii(text, map));
    }
    // the same with a map that forces the whole-text fallback
    const odd = new Map([['<A>', 'x']]);
    const r = createStreamRestorer(odd);
    expect(r.push('1<') + r.push('A>2') + r.flush()).toBe('1x2');
  });
});
