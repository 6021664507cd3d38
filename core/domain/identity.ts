// Personal identifiers: format checks and masking. Phone and resident ID numbers are
// personal data — lists, logs and error messages only ever carry the masked form.

const MOBILE = /^1[3-9]\d{9}$/;
const RESIDENT_ID = /^\d{17}[\dX]$/;
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS = '10X98765432';

export function isMobile(phone: string): boolean {
  return MOBILE.test(phone);
}

/** GB 11643 check character (ISO 7064 MOD 11-2) for the first 17 digits. */
export function residentIdCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]!;
  return CHECK_CHARS[sum % 11]!;
}

function isRealDate(yyyymmdd: string): boolean {
  const y = Number(yyyymmdd.slice(0, 4));
  const m = Number(yyyymmdd.slice(4, 6));
  const d = Number(yyyymmdd.slice(6, 8));
  const date = new Date(Date.UTC(y, m - 1, d));
  return y >= 1900 && date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

export type ResidentIdProblem = 'format' | 'birth_date' | 'check_digit';

export function residentIdProblem(id: string): ResidentIdProblem | null {
  if (!RESIDENT_ID.test(id)) return 'format';
  if (!isRealDate(id.slice(6, 14))) return 'birth_date';
  if (residentIdCheckChar(id.slice(0, 17)) !== id[17]) return 'check_digit';
  return null;
}

export function isResidentId(id: string): boolean {
  return residentIdProblem(id) === null;
}

/** 138****5678 */
export function maskPhone(phone: string | null | undefined): string | null {
  if (!phone) return phone ?? null;
  if (phone.length < 7) return '*'.repeat(phone.length);
  return `${phone.slice(0, 3)}${'*'.repeat(phone.length - 7)}${phone.slice(-4)}`;
}

/** 610116********123X — region kept, birth date and sequence hidden. */
export function maskResidentId(id: string | null | undefined): string | null {
  if (!id) return id ?? null;
  if (id.length < 10) return '*'.repeat(id.length);
  return `${id.slice(0, 6)}${'*'.repeat(id.length - 10)}${id.slice(-4)}`;
}

/** Masks every phone- or ID-shaped run of digits inside free text (used by the logger). */
export function maskPersonalText(text: string): string {
  return text
    .replace(/\d{17}[\dXx]/g, (m) => maskResidentId(m) ?? '')
    .replace(/(?<!\d)1[3-9]\d{9}(?!\d)/g, (m) => maskPhone(m) ?? '');
}
