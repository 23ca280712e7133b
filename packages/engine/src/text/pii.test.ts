import { describe, expect, it } from 'vitest';
import { cnIdCheckChar } from './cn-id.js';
import { maskPii, restorePii } from './pii.js';

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
    expect(m.counts).toEqual({ id: 1, phone: 1, email: 1, name: 2 });
    expect(restorePii(m.text, m.map)).toBe(text);
  });

  it('leaves an 18-digit number with a wrong check digit (a maths answer) alone', () => {
    const wrong = id17 + (cnIdCheckChar(id17) === '0' ? '1' : '0');
    expect(maskPii(`结果是${wrong}`).text).toBe(`结果是${wrong}`);
  });
});
