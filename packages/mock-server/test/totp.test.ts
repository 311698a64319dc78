import { describe, expect, it } from 'vitest';
import { decodeBase32, totpCode, verifyTotp } from '../src/totp.js';

/** RFC 6238 Appendix B, SHA-1 rows: the secret is the ASCII string "12345678901234567890". */
const RFC_6238_SECRET = Buffer.from('12345678901234567890', 'ascii');
const RFC_6238_VECTORS: Array<[number, string]> = [
  [59, '94287082'],
  [1_111_111_109, '07081804'],
  [1_111_111_111, '14050471'],
  [1_234_567_890, '89005924'],
  [2_000_000_000, '69279037'],
  [20_000_000_000, '65353130'],
];

describe('TOTP (RFC 6238)', () => {
  it.each(RFC_6238_VECTORS)(
    'at T=%i the 6-digit code is the last 6 digits of %s',
    (time, eightDigits) => {
      expect(totpCode(RFC_6238_SECRET, time)).toBe(eightDigits.slice(2));
    },
  );

  it('decodes RFC 4648 base32, ignoring case, spaces and padding, and rejects other characters', () => {
    expect(decodeBase32('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ')).toEqual(RFC_6238_SECRET);
    expect(decodeBase32('gezd gnbv gy3t qojq gezd gnbv gy3t qojq')).toEqual(RFC_6238_SECRET);
    expect(decodeBase32('MZXW6===')).toEqual(Buffer.from('foo'));
    expect(decodeBase32('MZXW1')).toBeUndefined();
  });

  it('verifies the current code and one step either side, nothing further or malformed', () => {
    const now = 1_234_567_890;
    expect(verifyTotp(RFC_6238_SECRET, totpCode(RFC_6238_SECRET, now), now)).toBe(true);
    expect(verifyTotp(RFC_6238_SECRET, totpCode(RFC_6238_SECRET, now - 30), now)).toBe(true);
    expect(verifyTotp(RFC_6238_SECRET, totpCode(RFC_6238_SECRET, now + 30), now)).toBe(true);
    expect(verifyTotp(RFC_6238_SECRET, totpCode(RFC_6238_SECRET, now - 60), now)).toBe(false);
    expect(verifyTotp(RFC_6238_SECRET, '12345', now)).toBe(false);
    expect(verifyTotp(RFC_6238_SECRET, '12345a', now)).toBe(false);
  });
});
