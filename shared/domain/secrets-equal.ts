import { createHash, timingSafeEqual } from 'node:crypto';

/** Compares secrets in constant time, whatever their lengths (both sides are hashed first). */
export function secretsEqual(given: string, expected: string): boolean {
  // Hashed as UTF-16 units: UTF-8 turns every lone surrogate into U+FFFD, making different strings equal.
  const digest = (value: string) => createHash('sha256').update(Buffer.from(value, 'utf16le')).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
