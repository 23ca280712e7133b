import { describe, expect, it } from 'vitest';
import { isValidCnResidentId, maskCnId, maskPhone, normalizeCnMobile } from './cn-id.js';

const W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/** Appends the MOD 11-2 check character to 17 digits. */
function withCheck(body17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(body17[i]) * W[i]!;
  return body17 + '10X98765432'[sum % 11];
}

describe('isValidCnResidentId', () => {
  it('accepts the GB 11643 example and numbers with a computed check character', () => {
    expect(isValidCnResidentId('11010519491231002X')).toBe(true);
    expect(isValidCnResidentId('11010519491231002x')).toBe(true);
    expect(isValidCnResidentId(withCheck('33010220100315123'))).toBe(true);
    expect(isValidCnResidentId(withCheck('44030420120229001'))).toBe(true); // leap day
    expect(isValidCnResidentId(withCheck('11010519000101001'))).toBe(true); // lower bound
  });

  it('rejects a wrong check character', () => {
    expect(isValidCnResidentId('110105194912310021')).toBe(false);
    const good = withCheck('33010220100315123');
    const bad = good.slice(0, 17) + (good[17] === '0' ? '1' : '0');
    expect(isValidCnResidentId(bad)).toBe(false);
  });

  it('rejects bad shapes', () => {
    for (const s of ['', '1101051949123100', '11010519491231002XX', '11010519491231002Y', '1101051949123100 X', '１１０１０５１９４９１２３１００２Ｘ', 'X10105194912310021']) {
      expect(isValidCnResidentId(s)).toBe(false);
    }
    expect(isValidCnResidentId(withCheck('01010520100315123'))).toBe(false); // region starts with 0
  });

  it('rejects impossible or out-of-range birth dates', () => {
    expect(isValidCnResidentId(withCheck('44030420130229001'))).toBe(false); // not a leap year
    expect(isValidCnResidentId(withCheck('44030420100431001'))).toBe(false); // 31 April
    expect(isValidCnResidentId(withCheck('44030420101301001'))).toBe(false); // month 13
    expect(isValidCnResidentId(withCheck('44030420100100001'))).toBe(false); // day 0
    expect(isValidCnResidentId(withCheck('44030418991231001'))).toBe(false); // before 1900
    const now = new Date('2025-06-01T12:00:00Z');
    expect(isValidCnResidentId(withCheck('44030420250601001'), now)).toBe(true); // born today
    expect(isValidCnResidentId(withCheck('44030420250602001'), now)).toBe(false); // tomorrow
  });
});

describe('normalizeCnMobile', () => {
  it('normalises common spellings', () => {
    expect(normalizeCnMobile('13812345678')).toBe('13812345678');
    expect(normalizeCnMobile(' 138 1234 5678 ')).toBe('13812345678');
    expect(normalizeCnMobile('138-1234-5678')).toBe('13812345678');
    expect(normalizeCnMobile('+8613812345678')).toBe('13812345678');
    expect(normalizeCnMobile('+86 138-1234-5678')).toBe('13812345678');
    expect(normalizeCnMobile('8613812345678')).toBe('13812345678');
    expect(normalizeCnMobile('008613812345678')).toBe('13812345678');
    expect(normalizeCnMobile('１３８１２３４５６７８')).toBe('13812345678'); // full-width
    expect(normalizeCnMobile('(+86)19912345678')).toBe('19912345678');
  });

  it('rejects non-mobile numbers', () => {
    for (const s of ['', '12812345678', '1381234567', '138123456789', '010-12345678', '+1 415 555 0100', '1381234567a', '86138123456']) {
      expect(normalizeCnMobile(s)).toBeNull();
    }
  });
});

describe('masking', () => {
  it('masks an ID number as first 6 + 8 stars + last 4', () => {
    expect(maskCnId('11010519491231002X')).toBe('110105********002X');
    expect(maskCnId('123')).toBe('***');
  });
  it('masks a phone as first 3 + 4 stars + last 4', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskPhone('12345')).toBe('*****');
  });
  it('is re-exported from the package entry', async () => {
    const engine = await import('../index.js');
    expect(engine.isValidCnResidentId).toBe(isValidCnResidentId);
    expect(engine.normalizeCnMobile).toBe(normalizeCnMobile);
    expect(engine.maskCnId).toBe(maskCnId);
    expect(engine.maskPhone).toBe(maskPhone);
  });
});
