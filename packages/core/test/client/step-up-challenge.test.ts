import { inspect } from 'node:util';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listen } from '@ropkit/test-support';
import { describe, expect, it } from 'vitest';
import {
  createAuthorizedFetch,
  ReauthenticationRequiredError,
  readStepUpChallenge,
  RopkitError,
  StepUpFailedError,
  StepUpRequiredError,
  TokenClient,
  TokenManager,
  type TokenSet,
} from '../../src/index.js';
import { isPendingSignIn, normalizePendingSignIn } from '../../src/index.js';
import { challengeWith, InsufficientUserAuthenticationError } from '../../src/errors.js';

const MFA = 'http://schemas.openid.net/pape/policies/2007/06/multi-factor';
const IUA = 'error="insufficient_user_authentication"';

describe('readStepUpChallenge: RFC 9470 section 3, read strictly', () => {
  it.each([
    // RFC 9470 section 3's two examples.
    [
      `Bearer ${IUA}, error_description="A different authentication level is required", acr_values="myACR"`,
      { acrValues: ['myACR'], maxAge: undefined },
    ],
    [
      `Bearer ${IUA}, error_description="More recent authentication is required", max_age="5"`,
      { acrValues: [], maxAge: 5 },
    ],
    // A token value is the same as a quoted-string (RFC 9110 section 11.2).
    [`Bearer ${IUA}, max_age=300, acr_values=silver`, { acrValues: ['silver'], maxAge: 300 }],
    [`Bearer ${IUA}, acr_values="${MFA} urn:a"`, { acrValues: [MFA, 'urn:a'], maxAge: undefined }],
    [`Bearer ${IUA}, max_age="0"`, { acrValues: [], maxAge: 0 }],
    [`Bearer ${IUA}`, { acrValues: [], maxAge: undefined }],
    // Names are case-insensitive; BWS around "=".
    [
      `bearer ERROR = "insufficient_user_authentication", Max_Age = 7`,
      { acrValues: [], maxAge: 7 },
    ],
    // Commas and escaped quotes inside a quoted-string belong to it.
    [
      `Bearer realm="a, b", ${IUA}, error_description="say \\"step up\\", please", acr_values="x"`,
      { acrValues: ['x'], maxAge: undefined },
    ],
    // Several challenges, in one header or in several joined with ", ".
    [
      `Basic realm="x", Bearer realm="api", ${IUA}, acr_values="x", Negotiate abc/def==`,
      { acrValues: ['x'], maxAge: undefined },
    ],
    [`Negotiate abc==, Bearer ${IUA}, max_age=1`, { acrValues: [], maxAge: 1 }],
    // A bare challenge of the scheme first, then the one with the error.
    [`Bearer realm="x", Bearer ${IUA}, acr_values="y"`, { acrValues: ['y'], maxAge: undefined }],
    [`, Bearer ${IUA},, max_age=2 ,`, { acrValues: [], maxAge: 2 }],
  ])('%s', (header, expected) => {
    expect(readStepUpChallenge(header)).toEqual(expected);
  });

  it('reads the challenge of the scheme the token was sent with (RFC 9449 section 7.1)', () => {
    const dpop = `Bearer realm="api", DPoP algs="ES256", ${IUA}, acr_values="x"`;
    expect(readStepUpChallenge(dpop, 'DPoP')).toEqual({ acrValues: ['x'], maxAge: undefined });
    // A Bearer token: the DPoP challenge's error is not its own.
    expect(readStepUpChallenge(dpop, 'Bearer')).toBeUndefined();
    // A DPoP token whose DPoP challenge has no error: the Bearer challenge's.
    const bearer = `Bearer realm="api", ${IUA}, max_age=9, DPoP algs="ES256"`;
    expect(readStepUpChallenge(bearer, 'DPoP')).toEqual({ acrValues: [], maxAge: 9 });
    expect(readStepUpChallenge(`Basic ${IUA}`)).toBeUndefined();
  });

  it.each([
    ['no header', null],
    ['another error', 'Bearer error="invalid_token", acr_values="x"'],
    ['a parameter twice', `Bearer ${IUA}, acr_values="a", acr_values="b"`],
    ['error twice', `Bearer ${IUA}, error="invalid_token"`],
    ['an unterminated quoted-string', `Bearer ${IUA}, acr_values="a`],
    ['a control character in a quoted-string', `Bearer ${IUA}, error_description="a\u0001"`],
    ['text after a value', `Bearer ${IUA}x, max_age=1`],
    ['a value missing', `Bearer ${IUA}, max_age=`],
    ['no space after the scheme', `Bearer,${IUA}`.replace(',', '=')],
    ['a negative max_age', `Bearer ${IUA}, max_age="-1"`],
    ['a fractional max_age', `Bearer ${IUA}, max_age="1.5"`],
    ['an empty max_age', `Bearer ${IUA}, max_age=""`],
    ['a max_age of eleven digits', `Bearer ${IUA}, max_age=12345678901`],
    // ":" and "/" are not token characters: a URI must be quoted.
    ['an unquoted URI', `Bearer ${IUA}, acr_values=${MFA}`],
    ['an empty acr_values', `Bearer ${IUA}, acr_values=""`],
    ['two spaces between ACR values', `Bearer ${IUA}, acr_values="a  b"`],
    ['a leading space', `Bearer ${IUA}, acr_values=" a"`],
    ['a quote in an ACR value', `Bearer ${IUA}, acr_values="a\\"b"`],
    ['an oversized header', `Bearer ${IUA}, error_description="${'a'.repeat(16_384)}"`],
  ])('%s: undefined', (_name, header) => {
    expect(readStepUpChallenge(header)).toBeUndefined();
  });

  it("reads what core's own requireStepUp answers, Bearer or DPoP (RFC 9449 section 7.1)", () => {
    const refusal = () =>
      new InsufficientUserAuthenticationError(
        { acrValues: [MFA, 'urn:b'], maxAge: 300 },
        'A different authentication level is required',
        { realm: 'api' },
      );
    const expected = { acrValues: [MFA, 'urn:b'], maxAge: 300 };
    expect(readStepUpChallenge(refusal().headers['WWW-Authenticate'])).toEqual(expected);
    const dpop = challengeWith(refusal(), { algs: ['ES256'], bearer: true, used: 'DPoP' });
    const header = dpop.headers['WWW-Authenticate'];
    expect(header).toMatch(/^Bearer realm="api", DPoP /);
    expect(readStepUpChallenge(header, 'DPoP')).toEqual(expected);
    expect(readStepUpChallenge(header, 'Bearer')).toBeUndefined();
  });

  it('answers a frozen requirement', () => {
    const read = readStepUpChallenge(`Bearer ${IUA}, acr_values="a b"`);
    expect(Object.isFrozen(read)).toBe(true);
    expect(Object.isFrozen(read?.acrValues)).toBe(true);
  });
});

describe('the step-up errors', () => {
  it('StepUpRequiredError is a 401 of its own, not the session-ended error', () => {
    const error = new StepUpRequiredError({ acrValues: [MFA], maxAge: 60 });
    expect(error).not.toBeInstanceOf(ReauthenticationRequiredError);
    expect(error).toBeInstanceOf(RopkitError);
    expect(error).toMatchObject({
      name: 'StepUpRequiredError',
      code: 'step_up_required',
      status: 401,
      statusCode: 401,
      expose: true,
      acrValues: [MFA],
      maxAge: 60,
    });
  });

  it('StepUpFailedError is a 403 that sends no one round again', () => {
    const error = new StepUpFailedError({ acrValues: [], maxAge: 0 });
    expect(error).not.toBeInstanceOf(ReauthenticationRequiredError);
    expect(error).toMatchObject({
      name: 'StepUpFailedError',
      code: 'step_up_failed',
      status: 403,
      statusCode: 403,
      maxAge: 0,
    });
  });

  it('a pending step-up survives a store that serialises', () => {
    const record = normalizePendingSignIn({
      mfaToken: '',
      expiresAt: 1,
      stepUp: { acrValues: [MFA], maxAge: 0, returnTo: '/a?b', completedAt: 2 },
    });
    const read: unknown = JSON.parse(JSON.stringify(record));
    expect(isPendingSignIn(read)).toBe(true);
    expect(read).toEqual(record);
    expect(isPendingSignIn({ ...record, stepUp: { acrValues: 'x' } })).toBe(false);
    expect(isPendingSignIn({ ...record, stepUp: { acrValues: [], maxAge: -1 } })).toBe(false);
  });
});

/** A manager holding one token set under `key`, with or without a DPoP key. */
function managerWith(tokenType: 'Bearer' | 'DPoP', accessToken: string) {
  const client = new TokenClient({
    tokenEndpoint: 'http://127.0.0.1:9/oauth/token',
    clientId: 'client',
    dpop: tokenType === 'DPoP',
  });
  const manager = new TokenManager({ client });
  const now = Date.now();
  const tokens: TokenSet = {
    accessToken,
    tokenType,
    expiresIn: 3600,
    expiresAt: now + 3_600_000,
    receivedAt: now,
  };
  return { manager, save: () => manager.save('key', tokens) };
}

/** An API answering each path's challenge, and counting calls. */
async function api(challenges: Record<string, string>) {
  let calls = 0;
  const server = await listen((req: IncomingMessage, res: ServerResponse) => {
    calls++;
    const challenge = challenges[req.url ?? ''];
    if (challenge === undefined) res.writeHead(200).end('{}');
    else res.writeHead(401, { 'www-authenticate': challenge }).end('{"error":"x"}');
  });
  return { url: server.url, calls: () => calls };
}

describe('createAuthorizedFetch on a step-up challenge', () => {
  it('rejects with the requirement, without repeating the call or showing the token', async () => {
    const served = await api({
      '/step-up': `Bearer realm="api", ${IUA}, acr_values="${MFA}", max_age=0`,
    });
    const token = 'a-secret-access-token-0123456789';
    const { manager, save } = managerWith('Bearer', token);
    await save();
    const fetch = createAuthorizedFetch({ manager, key: 'key' });
    const error = await fetch(`${served.url}/step-up`).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StepUpRequiredError);
    expect(error).toMatchObject({ acrValues: [MFA], maxAge: 0 });
    expect(served.calls()).toBe(1);
    const shown = [
      inspect(error, { showHidden: true, depth: 9 }),
      JSON.stringify(error),
      String((error as Error).stack),
    ].join();
    expect(shown).not.toContain(token);
    expect((await fetch(`${served.url}/fine`)).status).toBe(200);
    manager.close();
  });

  it('reads the DPoP challenge for a DPoP-bound token', async () => {
    const served = await api({
      '/step-up': `Bearer realm="api", DPoP algs="ES256", ${IUA}, acr_values="urn:x"`,
    });
    const { manager, save } = managerWith('DPoP', 'a-dpop-bound-token-0123456789');
    await save();
    const error = await createAuthorizedFetch({ manager, key: 'key' })(
      `${served.url}/step-up`,
    ).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'step_up_required', acrValues: ['urn:x'] });
    manager.close();
  });

  it('returns the answer with stepUp: false, or when the challenge is malformed', async () => {
    const served = await api({
      '/step-up': `Bearer ${IUA}, acr_values="x"`,
      '/malformed': `Bearer ${IUA}, max_age=soon`,
    });
    const { manager, save } = managerWith('Bearer', 'token-0123456789');
    await save();
    const off = createAuthorizedFetch({ manager, key: 'key', stepUp: false });
    expect((await off(`${served.url}/step-up`)).status).toBe(401);
    const on = createAuthorizedFetch({ manager, key: 'key' });
    expect((await on(`${served.url}/malformed`)).status).toBe(401);
    expect(() => createAuthorizedFetch({ manager, key: 'key', stepUp: 1 as never })).toThrow(
      new TypeError('"stepUp" must be a boolean'),
    );
    manager.close();
  });
});

/** A token endpoint that keeps the forms it receives, and a token client for it. */
async function tokenEndpoint() {
  const forms: URLSearchParams[] = [];
  const server = await listen((req: IncomingMessage, res: ServerResponse) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      forms.push(new URLSearchParams(text));
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end('{"access_token":"at-0123456789","token_type":"Bearer","expires_in":60}');
    });
  });
  const client = new TokenClient({ tokenEndpoint: `${server.url}/oauth/token`, clientId: 'c' });
  return { client, forms };
}

describe('the password grant with acr_values and max_age', () => {
  it('sends acr_values space-separated and max_age, only when given', async () => {
    const { client, forms } = await tokenEndpoint();
    await client.password({ username: 'u', password: 'p', acrValues: [MFA, 'urn:b'], maxAge: 0 });
    await client.password({ username: 'u', password: 'p', acrValues: [] });
    await client.password({ username: 'u', password: 'p' });
    expect(forms.map((form) => [form.get('acr_values'), form.get('max_age')])).toEqual([
      [`${MFA} urn:b`, '0'],
      [null, null],
      [null, null],
    ]);
  });

  it.each([
    [{ acrValues: 'x' }, '"acrValues" must be an array of strings without spaces or quotes'],
    [{ acrValues: ['a b'] }, '"acrValues" must be an array of strings without spaces or quotes'],
    [{ acrValues: [''] }, '"acrValues" must be an array of strings without spaces or quotes'],
    [{ maxAge: -1 }, '"maxAge" must be a whole number of seconds, 0 or more'],
    [{ maxAge: 1.5 }, '"maxAge" must be a whole number of seconds, 0 or more'],
  ])('refuses %o before any request', async (bad, message) => {
    const { client, forms } = await tokenEndpoint();
    await expect(
      client.password({ username: 'u', password: 'p', ...(bad as object) }),
    ).rejects.toThrow(new TypeError(message));
    expect(forms).toHaveLength(0);
  });
});
