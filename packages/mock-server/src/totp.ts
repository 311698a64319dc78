import { createHmac, timingSafeEqual } from 'node:crypto';

const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 6238 section 4: the default time step, 30 seconds. */
const TIME_STEP_SECONDS = 30;
/** Authenticator apps (and Auth0's Guardian enrolment) show 6 digits. */
const DIGITS = 6;
/**
 * RFC 6238 section 5.2 recommends accepting at most one step of drift either way, so a code typed
 * just as it rolls over still works.
 */
const ALLOWED_DRIFT_STEPS = 1;

/**
 * Decodes an RFC 4648 base32 string (the format authenticator apps use for TOTP secrets).
 * Padding and spaces are ignored; case does not matter. Returns `undefined` when malformed.
 */
export function decodeBase32(text: string): Buffer | undefined {
  const clean = text.replace(/[\s=]/g, '').toUpperCase();
  const bytes: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const char of clean) {
    const value = BASE32_ALPHABET.indexOf(char);
    if (value === -1) return undefined;
    buffer = (buffer << 5) | value;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((buffer >> bits) & 0xff);
    }
  }
  return Buffer.from(bytes);
}

/** Encodes bytes as RFC 4648 base32 without padding, as authenticator apps show TOTP secrets. */
export function encodeBase32(bytes: Uint8Array): string {
  let text = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      text += BASE32_ALPHABET[(buffer >> bits) & 0x1f];
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) text += BASE32_ALPHABET[(buffer << (5 - bits)) & 0x1f];
  return text;
}

/**
 * Computes the TOTP code (RFC 6238, HMAC-SHA1, 6 digits, 30 s step) for `secret` at
 * `epochSeconds`.
 */
export function totpCode(secret: Buffer, epochSeconds: number): string {
  const counter = Math.floor(epochSeconds / TIME_STEP_SECONDS);
  return hotpCode(secret, counter);
}

/**
 * The TOTP code an authenticator app shows for a user's base32 secret (the `mfa.totpSecret` of
 * the configuration) at `epochSeconds`: for tests and demos that answer the MFA step. Use the
 * mock's clock (`control.now()`) when it was advanced.
 *
 * @throws {TypeError} when `base32Secret` is not base32.
 */
export function totpCodeForSecret(base32Secret: string, epochSeconds: number): string {
  const secret = decodeBase32(base32Secret);
  if (secret === undefined) throw new TypeError('the TOTP secret must be base32 (RFC 4648)');
  return totpCode(secret, epochSeconds);
}

/** RFC 4226 section 5.3: HOTP with dynamic truncation. */
function hotpCode(secret: Buffer, counter: number): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const digest = createHmac('sha1', secret).update(message).digest();
  const offset = digest[digest.length - 1]! & 0x0f;
  const binary = digest.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** DIGITS).padStart(DIGITS, '0');
}

/** Whether `code` is the TOTP for `secret` at `epochSeconds`, allowing one step of drift. */
export function verifyTotp(secret: Buffer, code: string, epochSeconds: number): boolean {
  if (!/^\d{6}$/.test(code)) return false;
  const given = Buffer.from(code);
  let matched = false;
  for (let drift = -ALLOWED_DRIFT_STEPS; drift <= ALLOWED_DRIFT_STEPS; drift += 1) {
    const expected = Buffer.from(totpCode(secret, epochSeconds + drift * TIME_STEP_SECONDS));
    // Compare every candidate in constant time so timing does not reveal which step matched.
    matched = timingSafeEqual(expected, given) || matched;
  }
  return matched;
}
