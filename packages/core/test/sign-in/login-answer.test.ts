import { describe, expect, it } from 'vitest';
import { renderLoginResult } from '../../src/adapter.js';
import { LOGIN_OUTCOME_STATUS, type LoginOutcome, type LoginResult } from '../../src/index.js';
import { readOtpField } from '../../src/sign-in/login-form.js';
import { LOGIN_FIELDS_MISSING } from '../../src/sign-in/login-outcome.js';

describe('renderLoginResult: the bytes every adapter writes for a login answer', () => {
  it('writes an outcome as JSON with its status, and no-store', () => {
    expect(
      renderLoginResult({ status: 'invalid_credentials', message: 'Wrong email or password' }),
    ).toEqual({
      status: 401,
      headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
      body: '{"status":"invalid_credentials","message":"Wrong email or password"}',
    });
  });

  it('answers missing fields with 400 invalid_request', () => {
    const answer = renderLoginResult(LOGIN_FIELDS_MISSING);
    expect(answer.status).toBe(400);
    expect(answer.body).toBe(
      '{"status":"invalid_request","message":"Enter your email and password"}',
    );
  });

  it('says when to try again after rate limiting (RFC 6585 section 4), and only then', () => {
    const limited: LoginOutcome = {
      status: 'rate_limited',
      message: 'Too many requests: try again later',
      retryAfter: 30,
    };
    expect(renderLoginResult(limited).headers['retry-after']).toBe('30');
    expect(renderLoginResult(limited).status).toBe(429);
    const unknownWait = renderLoginResult({ ...limited, retryAfter: undefined });
    expect(unknownWait.headers).not.toHaveProperty('retry-after');
    expect(unknownWait.body).not.toContain('retryAfter');
  });

  it('answers signed_out with 204, no body and no-store', () => {
    expect(renderLoginResult({ status: 'signed_out' })).toEqual({
      status: 204,
      headers: { 'cache-control': 'no-store' },
      body: '',
    });
  });

  it('gives every outcome the status of LOGIN_OUTCOME_STATUS', () => {
    for (const [status, code] of Object.entries(LOGIN_OUTCOME_STATUS)) {
      const outcome = { status, message: 'm', retryAfter: undefined } as LoginResult;
      expect({ status, code: renderLoginResult(outcome).status }).toEqual({ status, code });
    }
  });

  it('LOGIN_FIELDS_MISSING cannot be changed by one adapter for the others', () => {
    expect(Object.isFrozen(LOGIN_FIELDS_MISSING)).toBe(true);
  });
});

describe('readOtpField', () => {
  it('reads the otp of a parsed body', () => {
    expect(readOtpField({ otp: '123456' })).toBe('123456');
  });

  it.each([undefined, null, 'otp', {}, { otp: 123456 }, { otp: ['123456'] }])(
    'answers an empty string for %j',
    (body) => {
      expect(readOtpField(body)).toBe('');
    },
  );
});
