import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Compares two secrets (passwords, client secrets, recovery codes) in constant time, whatever
 * their lengths: both are hashed to 32 bytes first, so neither content nor length leaks through
 * timing.
 */
export function secretsMatch(expected: string, given: string): boolean {
  return timingSafeEqual(sha256(expected), sha256(given));
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
