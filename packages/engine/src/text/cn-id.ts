/**
 * Chinese identity numbers and mobile phones: validation, normalisation and masking.
 * Pure functions, no I/O.
 */

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const ID_CHECK_CHARS = '10X98765432';
const ID_SHAPE = /^[1-9]\d{16}[\dXx]$/;

/** Today's calendar date in China Standard Time (UTC+8), as yyyymmdd. */
function todayCst(now: Date): number {
  const cst = new Date(now.getTime() + 8 * 3600 * 1000);
  return cst.getUTCFullYear() * 10000 + (cst.getUTCMonth() + 1) * 100 + cst.getUTCDate();
}

/**
 * 18-character mainland resident identity number (GB 11643-1999): a 6-digit region code
 * (first digit 1-9), an 8-digit birth date (a real date from 1900-01-01 to today), a 3-digit
 * sequence and an ISO 7064 MOD 11-2 check character (0-9 or X/x).
 * `now` is only for tests; the birth date is compared with today's date in China.
 */
export function isValidCnResidentId(s: string, now: Date = new Date()): boolean {
  if (typeof s !== 'string' || !ID_SHAPE.test(s)) return false;

  const year = Number(s.slice(6, 10));
  const month = Number(s.slice(10, 12));
  const day = Number(s.slice(12, 14));
  if (year < 1900 || month < 1 || month > 12 || day < 1) return false;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > daysInMonth) return false;
  if (year * 10000 + month * 100 + day > todayCst(now)) return false;

  return cnIdCheckChar(s.slice(0, 17)) === s[17]!.toUpperCase();
}

/** The ISO 7064 MOD 11-2 check character for the first 17 digits of a resident ID number. */
export function cnIdCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * ID_WEIGHTS[i]!;
  return ID_CHECK_CHARS[sum % 11]!;
}

const MOBILE = /^1[3-9]\d{9}$/;

/**
 * Normalises a mainland mobile number: full-width characters become half-width, spaces, dashes
 * and brackets go, and a leading +86 / 86 / 0086 country code is dropped.
 * Returns the 11-digit number, or null if the result is not a mainland mobile number.
 */
export function normalizeCnMobile(s: string): string | null {
  if (typeof s !== 'string' || s.length > 64) return null;
  let t = s.normalize('NFKC').replace(/[\s\-–—()]/g, '');
  if (t.startsWith('+86')) t = t.slice(3);
  else if (t.startsWith('0086') && t.length === 15) t = t.slice(4);
  else if (t.startsWith('86') && t.length === 13) t = t.slice(2);
  return MOBILE.test(t) ? t : null;
}

/** 330102********1234. Strings too short to keep 10 characters visible are masked entirely. */
export function maskCnId(id: string): string {
  if (id.length <= 10) return '*'.repeat(id.length);
  return id.slice(0, 6) + '********' + id.slice(-4);
}

/** 138****5678. Strings too short to keep 7 characters visible are masked entirely. */
export function maskPhone(p: string): string {
  if (p.length <= 7) return '*'.repeat(p.length);
  return p.slice(0, 3) + '****' + p.slice(-4);
}
