import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { renderLoginResult } from '../../src/adapter.js';
import {
  isPendingSignIn,
  LOGIN_OUTCOME_STATUS,
  normalizePendingSignIn,
  SecretText,
  type LoginOutcome,
  type LoginResult,
  type PendingSignIn,
} from '../../src/index.js';
import { readOtpField } from '../../src/sign-in/login-form.js';
import { codeSent, LOGIN_FIELDS_MISSING, pushPending } from '../../src/sign-in/login-outcome.js';

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

describe('renderLoginResult: the second-factor outcomes', () => {
  it('push_pending is 202 with Retry-After (RFC 9110 section 10.2.3)', () => {
    expect(renderLoginResult(pushPending(10))).toEqual({
      status: 202,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'cache-control': 'no-store',
        'retry-after': '10',
      },
      body: '{"status":"push_pending","message":"Approve the sign-in on your device","retryAfter":10}',
    });
  });

  it('reveals a SecretText in the body only: the recovery code the user must see', () => {
    const result: LoginOutcome = {
      status: 'new_recovery_code',
      message: 'Save it',
      recoveryCode: new SecretText('NEWCODE0000000000000000A'),
    };
    const answer = renderLoginResult(result);
    expect([answer.status, answer.headers['cache-control']]).toEqual([200, 'no-store']);
    expect(answer.body).toBe(
      '{"status":"new_recovery_code","message":"Save it","recoveryCode":"NEWCODE0000000000000000A"}',
    );
    expect(JSON.stringify(result) + inspect(result)).not.toContain('NEWCODE');
  });

  it('a push enrolment carries its QR code and Retry-After', () => {
    const answer = renderLoginResult({
      status: 'enrollment_started',
      message: 'Scan',
      factor: 'push',
      barcodeUri: new SecretText('otpauth://totp/t:u?enrollment_tx_id=x'),
      retryAfter: 5,
    });
    expect(answer.headers['retry-after']).toBe('5');
    expect(JSON.parse(answer.body)).toEqual({
      status: 'enrollment_started',
      message: 'Scan',
      factor: 'push',
      barcodeUri: 'otpauth://totp/t:u?enrollment_tx_id=x',
      retryAfter: 5,
    });
  });

  it('code_sent names the channel, never the code', () => {
    expect(renderLoginResult(codeSent('email')).body).toBe(
      '{"status":"code_sent","message":"We sent a code by email: enter it","factor":"email"}',
    );
  });
});

describe('the pending record: isPendingSignIn and normalizePendingSignIn', () => {
  const grown: PendingSignIn = {
    mfaToken: 'm',
    expiresAt: 1,
    mode: 'enroll',
    factors: ['otp', 'sms'],
    oob: { oobCode: 'o', factor: 'push', intervalSeconds: 10, nextPollAt: 2 },
    enrolment: { factor: 'push', recoveryCode: 'R' },
  };

  it('accepts a record of before (mfaToken and expiresAt only) and the grown one', () => {
    expect(isPendingSignIn({ mfaToken: 'm', expiresAt: 1 })).toBe(true);
    expect(isPendingSignIn(grown)).toBe(true);
  });

  it.each<[string, unknown]>([
    ['an unknown mode', { ...grown, mode: 'later' }],
    ['an unknown factor', { ...grown, factors: ['otp', 'webauthn'] }],
    ['an oob without its code', { ...grown, oob: { factor: 'sms' } }],
    ['an oob of the app', { ...grown, oob: { oobCode: 'o', factor: 'otp' } }],
    ['a zero interval', { ...grown, oob: { oobCode: 'o', factor: 'push', intervalSeconds: 0 } }],
    ['a recovery-code enrolment', { ...grown, enrolment: { factor: 'recovery-code' } }],
    ['an empty recovery code', { ...grown, enrolment: { factor: 'otp', recoveryCode: '' } }],
  ])('refuses %s', (_, value) => {
    expect(isPendingSignIn(value)).toBe(false);
  });

  it('normalizes to the known fields, frozen, without undefined members', () => {
    const extra = { ...grown, oob: undefined, stray: 'x' } as PendingSignIn;
    const normal = normalizePendingSignIn(extra);
    expect(normal).toEqual({
      mfaToken: 'm',
      expiresAt: 1,
      mode: 'enroll',
      factors: ['otp', 'sms'],
      enrolment: { factor: 'push', recoveryCode: 'R' },
    });
    expect(Object.keys(normal)).not.toContain('oob');
    expect(Object.isFrozen(normal) && Object.isFrozen(normal.enrolment)).toBe(true);
  });
});
