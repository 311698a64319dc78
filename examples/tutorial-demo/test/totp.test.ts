import { describe, expect, it } from 'vitest';
import { decodeBase32, totp } from '../src/totp.ts';
import { shortenToken, MASKED } from '../src/mask.ts';

describe('totp (RFC 6238)', () => {
  // RFC 6238 Appendix B, SHA-1: the ASCII secret "12345678901234567890", 8-digit codes whose last
  // six digits are the 6-digit codes an authenticator app shows.
  const secret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
  it.each([
    [59, '287082'],
    [1111111109, '081804'],
    [1111111111, '050471'],
    [1234567890, '005924'],
    [2000000000, '279037'],
    [20000000000, '353130'],
  ])('at T=%i gives %s', (seconds, code) => {
    expect(totp(secret, seconds)).toBe(code);
  });

  it('decodes base32 (RFC 4648) ignoring case, spaces and padding; refuses other text', () => {
    expect(decodeBase32('gezd gnbv gy3t qojq gezd gnbv gy3t qojq').toString()).toBe(
      '12345678901234567890',
    );
    expect(decodeBase32('MZXW6===').toString()).toBe('foo');
    expect(() => decodeBase32('MZXW1')).toThrow(
      new TypeError('The TOTP secret is not base32 (RFC 4648)'),
    );
  });
});

describe('shortenToken', () => {
  it('keeps the first 8 and last 7 characters, as the tutorial writes tokens', () => {
    expect(shortenToken('eyJhbGciOiJSUzI1NiJ9.payload-part.signature-k4laUWw')).toBe(
      'eyJhbGci…k4laUWw',
    );
  });
  it('masks short values whole', () => {
    expect(shortenToken('short-secret')).toBe(MASKED);
  });
});
