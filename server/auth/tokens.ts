import { createHash, randomBytes, randomInt, randomUUID } from 'node:crypto';

// Secrets are stored hashed only: device tokens (32 random bytes) and enrollment codes.

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789'; // no 0/O, 1/I/L: read aloud over the phone

/** 12 characters shown as XXXX-XXXX-XXXX (~59 bits); compared without dashes or case. */
export function newEnrollmentCode(): string {
  let raw = '';
  for (let i = 0; i < 12; i++) raw += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return `${raw.slice(0, 4)}-${raw.slice(4, 8)}-${raw.slice(8)}`;
}

export function normalizeEnrollmentCode(code: string): string {
  return code.replace(/[\s-]/g, '').toUpperCase();
}

export function hashEnrollmentCode(code: string): string {
  return sha256Hex(`enroll:${normalizeEnrollmentCode(code)}`);
}

export function hashToken(token: string): string {
  return sha256Hex(`token:${token}`);
}

export const newServerId = (): string => randomUUID();
