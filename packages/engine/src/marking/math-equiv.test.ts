import { describe, it, expect } from 'vitest';
import { judgeMath, normaliseMathInput } from './math-equiv.js';

const verdict = (e: string, a: string, o?: Parameters<typeof judgeMath>[2]) => judgeMath(e, a, o).verdict;
const correct = (e: string, a: string, o?: Parameters<typeof judgeMath>[2]) => judgeMath(e, a, o).correct;

describe('normaliseMathInput', () => {
  it('turns plain and full-width input into LaTeX', () => {
    expect(normaliseMathInput('1/2x+3')).toBe('\\frac{1}{2} x+3');
    expect(normaliseMathInput('(x+6)/2')).toBe('\\frac{x+6}{2}');
    expect(normaliseMathInput('sqrt(2)')).toBe('\\sqrt{2}');
    expect(normaliseMathInput('x²-1')).toBe('x^{2}-1');
    expect(normaliseMathInput('x＝３或x＝－1')).toBe('x=3 \\lor x=-1');
    expect(normaliseMathInput('x>=2')).toBe('x\\ge 2');
  });
  it('keeps LaTeX and recognises units only when asked', () => {
    expect(normaliseMathInput('\\frac{1}{2}x')).toBe('\\frac{1}{2}x');
    expect(normaliseMathInput('5cm', { unit: 'cm' })).toBe('5\\,\\mathrm{cm}');
    expect(normaliseMathInput('2m')).toBe('2 m');
  });
});

describe('judgeMath: symbolic equivalence', () => {
  it('accepts the issue example: 1/2x+3, 0.5x+3 and (x+6)/2', () => {
    for (const a of ['1/2x+3', '0.5x+3', '(x+6)/2', '\\frac{x+6}{2}', '\\frac{1}{2}(x+6)']) {
      const j = judgeMath('\\frac{1}{2}x+3', a);
      expect(j.correct, a).toBe(true);
      expect(['exact', 'equivalent']).toContain(j.verdict);
    }
    expect(judgeMath('\\frac{1}{2}x+3', '\\frac{1}{2}x+3').verdict).toBe('exact');
    // Plain "1/2x" is (1/2)·x, but a reader could mean 1/(2x): lower confidence.
    expect(judgeMath('\\frac{1}{2}x+3', '1/2x+3').confidence).toBeLessThan(0.9);
  });

  it('rejects look-alikes', () => {
    expect(correct('\\frac{1}{2}x+3', '1/(2x)+3')).toBe(false);
    expect(correct('x^2', '2x')).toBe(false);
    expect(correct('(x+1)^2', 'x^2+1')).toBe(false);
    expect(correct('\\sqrt{a+b}', '\\sqrt{a}+\\sqrt{b}')).toBe(false);
    expect(correct('\\sqrt{x^2}', 'x')).toBe(false);
    expect(correct('|x|', 'x')).toBe(false);
    expect(correct('(x+1)^2', 'x^2+2x+1')).toBe(true);
    expect(correct('\\sqrt{8}', '2\\sqrt{2}')).toBe(true);
    expect(correct('\\sin 30^\\circ', '\\frac{1}{2}')).toBe(true);
  });

  it('recognises sign errors', () => {
    expect(verdict('x^2-2x+1', 'x^2+2x+1')).toBe('sign_error');
    expect(verdict('-3', '3')).toBe('sign_error');
    expect(verdict('(x-3)^2', '(x+3)^2')).toBe('sign_error');
    expect(verdict('x^2-2x+1', 'x^2+5x+1')).toBe('wrong');
  });

  it('flags unsimplified answers, and refuses them when simplification is required', () => {
    const j = judgeMath('\\frac{1}{2}', '\\frac{2}{4}');
    expect(j).toMatchObject({ verdict: 'equivalent', correct: true, simplified: false });
    expect(j.reason['zh-CN']).toContain('未化简');
    expect(judgeMath('\\frac{1}{2}', '\\frac{2}{4}', { requireSimplified: true })).toMatchObject({ verdict: 'not_simplified', correct: false });
    expect(judgeMath('5x', '2x+3x', { requireSimplified: true }).verdict).toBe('not_simplified');
    expect(judgeMath('\\frac{\\sqrt{2}}{2}', '\\frac{1}{\\sqrt{2}}', { requireSimplified: true }).verdict).toBe('not_simplified');
    expect(judgeMath('\\frac{1}{2}x+3', '0.5x+3', { requireSimplified: true })).toMatchObject({ correct: true, simplified: true });
  });

  it('refuses unreduced algebraic fractions when simplification is required', () => {
    // Numerator and denominator share a polynomial factor (x−1, resp. x+1): not simplified,
    // even though the quotient differs from the reduced form at the removed point.
    expect(verdict('x+1', '(x^2-1)/(x-1)', { requireSimplified: true })).toBe('not_simplified');
    expect(verdict('\\frac{1}{x-1}', '(x+1)/(x²-1)', { requireSimplified: true })).toBe('not_simplified');
    expect(verdict('\\frac{1}{x+2}', '\\frac{x^2+1}{(x^2+1)(x+2)}', { requireSimplified: true })).toBe('not_simplified');
    expect(verdict('a+b', '\\frac{a^2-b^2}{a-b}', { requireSimplified: true })).toBe('not_simplified');
    expect(judgeMath('x+1', '(x^2-1)/(x-1)')).toMatchObject({ verdict: 'equivalent', correct: true, simplified: false });
    // Reduced quotients stay simplified.
    expect(correct('\\frac{1}{x-1}', '\\frac{1}{x-1}', { requireSimplified: true })).toBe(true);
    expect(correct('\\frac{x+1}{x-2}', '(1+x)/(x-2)', { requireSimplified: true })).toBe(true);
    expect(correct('\\frac{x^2+2x+1}{x-1}', '\\frac{(x+1)^2}{x-1}', { requireSimplified: true })).toBe(true);
  });
});

describe('judgeMath: numbers, tolerance, units', () => {
  it('applies the absolute tolerance and recognises rounding', () => {
    expect(verdict('\\sqrt{2}', '1.41')).toBe('numeric_close');
    expect(correct('\\sqrt{2}', '1.41', { tolerance: 0.01 })).toBe(true);
    expect(correct('\\sqrt{2}', '1.40', { tolerance: 0.01 })).toBe(false);
    expect(correct('0.3', '0.1+0.2')).toBe(true);
    expect(verdict('\\frac{1}{3}', '0.34')).toBe('wrong');
  });

  it('reads repeating decimals as exact fractions', () => {
    expect(verdict('\\frac{1}{3}', '0.\\dot{3}')).toBe('equivalent');
    expect(correct('\\frac{12}{99}', '0.\\dot{1}\\dot{2}')).toBe(true);
    expect(correct('\\frac{41}{333}', '0.\\dot{1}2\\dot{3}')).toBe(true);
    expect(correct('\\frac{11}{90}', '0.1\\dot{2}')).toBe(true);
    expect(correct('\\frac{1}{3}', '0.(3)')).toBe(true);
    expect(correct('\\frac{1}{3}', '0.3\u0307')).toBe(true);
    expect(correct('\\frac{1}{3}', '0.\\overline{3}')).toBe(true);
    expect(correct('-\\frac{4}{3}', '-1.\\dot{3}')).toBe(true);
    expect(correct('1', '0.\\dot{9}')).toBe(true);
    expect(correct('\\frac{1}{3}', '0.\\dot{3}0')).toBe(false);
    expect(correct('\\frac{1}{3}', '0.33')).toBe(false);
    expect(normaliseMathInput('0.\\dot{1}\\dot{2}')).toBe('0.(12)');
  });

  it('handles units', () => {
    expect(judgeMath('5', '5cm', { unit: 'cm' }).correct).toBe(true);
    expect(judgeMath('5', '5 cm', { unit: 'cm' }).correct).toBe(true);
    expect(judgeMath('5', '5厘米', { unit: 'cm' }).correct).toBe(true);
    expect(judgeMath('5', '0.05m', { unit: 'cm' }).correct).toBe(true);
    expect(judgeMath('5', '5m', { unit: 'cm' })).toMatchObject({ verdict: 'unit_error', correct: false });
    const missing = judgeMath('5', '5', { unit: 'cm' });
    expect(missing).toMatchObject({ verdict: 'missing_unit', correct: true });
    expect(missing.confidence).toBeLessThan(0.8);
    expect(judgeMath('12', '12m²', { unit: 'm^2' }).correct).toBe(true);
    expect(judgeMath('30', '30°', { unit: '°' }).correct).toBe(true);
    expect(judgeMath('5\\text{ cm}', '6cm').correct).toBe(false);
    // Without a unit, letters are maths: 2m is 2·m.
    expect(judgeMath('2m', '2m').verdict).toBe('exact');
  });

  it('strips a unit glued to π or a closing bracket before splitting letters into variables', () => {
    expect(correct('4\\pi\\,\\text{cm}^2', '4πcm²', { unit: 'cm^2' })).toBe(true);
    expect(correct('4\\pi', '4πcm²', { unit: 'cm^2' })).toBe(true);
    expect(correct('4\\pi', '4picm^2', { unit: 'cm^2' })).toBe(true);
    expect(normaliseMathInput('4πcm²', { unit: 'cm^2' })).toBe('4 \\pi\\,\\mathrm{cm^2}');
    expect(verdict('4\\pi', '4πm²', { unit: 'cm^2' })).toBe('unit_error');
    expect(correct('12', '[3×4]cm', { unit: 'cm' })).toBe(true);
    // After a letter, only a unit of the item's kind is a unit: h is a height here, not hours.
    expect(normaliseMathInput('2πh', { unit: 'cm' })).toBe('2 \\pi h');
    expect(judgeMath('2\\pi h', '2πh cm', { unit: 'cm' }).verdict).toBe('exact');
    expect(judgeMath('2\\pi h', '2πh', { unit: 'cm' }).verdict).toBe('missing_unit');
    // After a number any unit is a unit, even the wrong kind.
    expect(verdict('5', '5 kg', { unit: 'cm' })).toBe('unit_error');
  });
});

describe('judgeMath: equations, roots, inequalities, coordinates', () => {
  it('treats equations as equivalent up to a constant factor', () => {
    expect(correct('y=2x+1', '2x+1=y')).toBe(true);
    expect(correct('y=2x+1', 'y-2x=1')).toBe(true);
    expect(correct('y=2x+1', '2y=4x+2')).toBe(true);
    expect(correct('y=2x+1', 'y=2x-1')).toBe(false);
    expect(correct('y=x^2', 'y^2=x')).toBe(false);
  });

  it('compares roots as sets and accepts a bare value for a single assignment', () => {
    expect(correct('x=3', '3')).toBe(true);
    expect(correct('x=3', 'y=3')).toBe(false);
    expect(correct('x_1=1, x_2=-3', 'x=-3或x=1')).toBe(true);
    expect(correct('x_1=1, x_2=-3', 'x1=-3，x2=1')).toBe(true);
    expect(correct('x=\\pm 2', 'x_1=2, x_2=-2')).toBe(true);
    expect(correct('x_1=1, x_2=-3', 'x=1')).toBe(false);
    expect(verdict('x_1=1, x_2=-3', 'x=1或x=3')).toBe('sign_error');
  });

  it('compares inequalities as solution sets', () => {
    expect(correct('x>2', '2<x')).toBe(true);
    expect(correct('x>2', '(2,+\\infty)')).toBe(true);
    expect(correct('x>2', 'x\\ge 2')).toBe(false);
    expect(correct('-1\\le x<3', '[-1,3)')).toBe(true);
    expect(correct('x<-1 \\text{或} x>3', 'x>3或x<-1')).toBe(true);
    expect(verdict('x>2', 'x<2')).toBe('sign_error');
  });

  it('keeps coordinates ordered', () => {
    expect(correct('(2,-1)', '（2，-1）')).toBe(true);
    expect(correct('(2,-1)', '(-1,2)')).toBe(false);
    expect(correct('(2,-1)', 'x=2, y=-1')).toBe(true);
  });

  it('compares lists of points as sets', () => {
    for (const a of ['(3,0),(1,0)', '(1,0)和(3,0)', '(1,0)、(3,0)', '（3，0）、（1，0）', 'A(3,0), B(1,0)']) {
      expect(correct('(1,0),\\ (3,0)', a), a).toBe(true);
    }
    expect(correct('(1\\pm\\sqrt{2},0)', '(1-\\sqrt{2},0),(1+\\sqrt{2},0)')).toBe(true);
    expect(judgeMath('(1,0),\\ (3,0)', '(1,0)').correct).toBe(false);
    expect(correct('(1,0),\\ (3,0)', '(0,1),(0,3)')).toBe(false);
    expect(verdict('(1,0),\\ (3,0)', '(1,0),(-3,0)')).toBe('sign_error');
    expect(correct('(1,0),\\ (3,0)', 'x=1, x=3')).toBe(false);
  });
});

describe('judgeMath: robustness', () => {
  it('never throws and marks garbage as unparseable', () => {
    for (const g of ['%%%', '\\frac{1}{', '((x)', 'x+', '不知道', '\\hello', '}{', 'x'.repeat(5000)]) {
      const j = judgeMath('x+1', g);
      expect(j.verdict, g).toBe('unparseable');
      expect(j.correct).toBe(false);
      expect(j.confidence).toBeGreaterThanOrEqual(0.9);
    }
    expect(judgeMath('x+1', '   ')).toMatchObject({ verdict: 'wrong', confidence: 1 });
    expect(() => judgeMath(undefined as unknown as string, null as unknown as string)).not.toThrow();
  });
});
