import { createHmac } from 'node:crypto';

/** RFC 4648 section 6: the base32 alphabet authenticator apps use for TOTP secrets. */
const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 6238 section 4: the default time step. */
const TIME_STEP_SECONDS = 30;

/** Authenticator apps (and Auth0 Guardian enrolments) show 6 digits. */
const DIGITS = 6;

/**
 * Decodes a base32 secret (RFC 4648 section 6); padding, spaces and case are ignored.
 *
 * @throws {TypeError} when the text is not base32.
 */
export function decodeBase32(text: string): Buffer {
  const clean = text.replace(/[\s=]/g, '').toUpperCase();
  const bytes: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const char of clean) {
    const value = BASE32_ALPHABET.indexOf(char);
    if (value === -1) throw new TypeError('The TOTP secret is not base32 (RFC 4648)');
    buffer = ((buffer << 5) | value) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((buffer >> bits) & 0xff);
    }
  }
  return Buffer.from(bytes);
}

/**
 * The one-time password an authenticator app shows for `base32Secret` at `epochSeconds`:
 * RFC 6238 TOTP with HMAC-SHA-1, a 30 s step and 6 digits, over RFC 4226 HOTP.
 */
export function totp(base32Secret: string, epochSeconds: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(epochSeconds / TIME_STEP_SECONDS)));
  const digest = createHmac('sha1', decodeBase32(base32Secret)).update(counter).digest();
  // RFC 4226 section 5.3: dynamic truncation.
  const offset = (digest[digest.length - 1] ?? 0) & 0x0f;
  const binary = digest.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** DIGITS).padStart(DIGITS, '0');
}
