/**
 * Masking personal data before text leaves the platform (e.g. to a language model): resident ID
 * numbers (checksum-valid only, so an ordinary 18-digit number in a maths answer survives),
 * mainland mobile numbers, e-mail addresses and the names given (a student's, their classmates').
 * Each distinct value gets a stable placeholder such as [身份证1]; `restore` puts them back.
 */
import { isValidCnResidentId } from './cn-id.js';

export interface PiiMasking {
  text: string;
  /** placeholder -> original value */
  map: Map<string, string>;
  counts: Record<'id' | 'phone' | 'email' | 'name', number>;
}

const ID_RE = /(?<![0-9A-Za-z])[1-9]\d{16}[\dXx](?![0-9A-Za-z])/g;
const PHONE_RE = /(?<!\d)(?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d{4}){2}(?!\d)/g;
const EMAIL_RE = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;

export function maskPii(input: string, names: readonly string[] = []): PiiMasking {
  const map = new Map<string, string>();
  const byValue = new Map<string, string>();
  const counts = { id: 0, phone: 0, email: 0, name: 0 };
  const label = { id: '身份证', phone: '手机', email: '邮箱', name: '姓名' } as const;
  const place = (kind: keyof typeof label, value: string) => {
    let p = byValue.get(value);
    if (!p) {
      counts[kind]++;
      p = `[${label[kind]}${counts[kind]}]`;
      byValue.set(value, p);
      map.set(p, value);
    }
    return p;
  };
  let text = input.replace(ID_RE, (m) => (isValidCnResidentId(m) ? place('id', m) : m));
  text = text.replace(PHONE_RE, (m) => place('phone', m));
  text = text.replace(EMAIL_RE, (m) => place('email', m));
  // Longest names first, so 欧阳明 is not left as 欧阳 + a masked 明.
  for (const n of [...new Set(names.map((x) => x.trim()).filter((x) => x.length >= 2))].sort((a, b) => b.length - a.length))
    if (text.includes(n)) text = text.split(n).join(place('name', n));
  return { text, map, counts };
}

/** Puts the original values back in place of the placeholders of one masking. */
export function restorePii(text: string, map: ReadonlyMap<string, string>): string {
  let out = text;
  for (const [p, v] of map) out = out.split(p).join(v);
  return out;
}
