// Compares credentials in constant time, so that timing says nothing of them.
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** True when `given` equals `expected`; hashing first gives both sides the same length, which timingSafeEqual needs. */
export function secretMatches(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

export function bearerMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return secretMatches(match?.[1] ?? '', token) && match !== null;
}
