// Compares an Authorization header with the expected bearer token in constant time, so that timing says nothing of it.
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

export function bearerMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  // Hashing first gives both sides the same length, which timingSafeEqual needs.
  return timingSafeEqual(digest(match?.[1] ?? ''), digest(token)) && match !== null;
}
