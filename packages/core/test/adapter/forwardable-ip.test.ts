import { describe, expect, it } from 'vitest';
import { forwardableIp } from '../../src/http-api/forwardable-ip.js';

describe('forwardableIp: the end user IP as auth0-forwarded-for takes it', () => {
  it.each<[string | undefined, string | undefined]>([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['2001:db8::1', '2001:db8::1'],
    ['', undefined],
    [undefined, undefined],
    ['not-an-ip', undefined],
    ['203.0.113.7, 10.0.0.1', undefined],
  ])('%j -> %j', (input, expected) => {
    expect(forwardableIp(input)).toBe(expected);
  });
});
