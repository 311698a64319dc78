import { inspect } from 'node:util';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MFA_ACR, type MockServerConfig } from '@ropkit/mock-server';
import { listen, testTenant, totp, useMockServer, USERS } from '@ropkit/test-support';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  applyRequirement,
  createLoginRoutes,
  renderError,
  requireStepUp,
  type AuthRequirement,
  type LoginRoutes,
} from '../src/adapter.js';
import {
  BearerError,
  createAccessTokenVerifier,
  ReauthenticationRequiredError,
  StepUpFailedError,
  StepUpRequiredError,
  type AccessTokenVerifier,
  type LoginOptions,
} from '../src/index.js';
import { returnToOf, stepUpRetryWindowMs } from '../src/sign-in/step-up.js';
import { TUTORIAL } from './client/support.js';
import { FakeSession } from './sign-in/fake-session.js';

/** An `acr` the tenant never issues: a step-up that cannot succeed. */
const LOA3 = 'urn:example:loa:3';

/** A user enrolled in an authenticator app whom MFA is asked of only on step-up. */
const STEP_UP_USER = {
  email: 'step-up@example.com',
  password: 'step-up-pwd',
  totpSecret: 'KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU',
} as const;

/**
 * The test tenant, its default connection with {@link STEP_UP_USER}, and `mfaOnAcrValues` (the
 * mock's default, spelt out): a password grant whose `acr_values` lists `MFA_ACR` is answered
 * `mfa_required`, and the MFA grant's tokens carry `acr`, `amr` and a fresh `auth_time`.
 */
function stepUpTenant(): MockServerConfig {
  const base = testTenant();
  const [first, ...others] = base.connections ?? [];
  if (first === undefined) throw new Error('the test tenant has a default connection');
  return {
    ...base,
    mfaOnAcrValues: true,
    connections: [
      {
        ...first,
        users: [
          ...(first.users ?? []),
          {
            email: STEP_UP_USER.email,
            password: STEP_UP_USER.password,
            mfa: { required: false, totpSecret: STEP_UP_USER.totpSecret },
          },
        ],
      },
      ...others,
    ],
  };
}

const mock = useMockServer(stepUpTenant());

/** Milliseconds the API's and the engine's clocks are ahead of real time, as the mock's is. */
let skew = 0;
const clock = () => Date.now() + skew;
async function advance(seconds: number): Promise<void> {
  skew += seconds * 1000;
  await mock.server.control.advanceClock(seconds);
}
afterEach(() => {
  skew = 0;
});

/** The routes of the API, each behind its step-up requirement (RFC 9470). */
const REQUIREMENTS: Record<string, AuthRequirement | undefined> = {
  '/api/private': undefined,
  '/api/transfer': requireStepUp({ acrValues: [MFA_ACR] }),
  '/api/recent': requireStepUp({ maxAge: 60, clock }),
  '/api/recent-mfa': requireStepUp({ acrValues: [MFA_ACR], maxAge: 60, clock }),
  '/api/loa3': requireStepUp({ acrValues: [LOA3] }),
};

let verifier: AccessTokenVerifier;
let apiUrl = '';
beforeAll(() => {
  verifier = createAccessTokenVerifier({
    issuer: mock.server.issuer,
    audience: TUTORIAL.audience,
    clock,
  });
});

/** An API on 127.0.0.1 protected by core's verifier and the requirements above. */
async function startApi(): Promise<void> {
  const api = await listen((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    const send = (status: number, headers: Record<string, string>, body: unknown) =>
      res
        .writeHead(status, { 'content-type': 'application/json', ...headers })
        .end(JSON.stringify(body));
    if (path === '/api/malformed') {
      // Two acr_values in one challenge (RFC 9110 section 11.2): what it asks is not guessed.
      send(
        401,
        {
          'www-authenticate': `Bearer error="insufficient_user_authentication", acr_values="${MFA_ACR}", acr_values="${LOA3}"`,
        },
        {},
      );
      return;
    }
    verifier
      .authenticate(req)
      .then((auth) => {
        const rule = REQUIREMENTS[path];
        if (rule !== undefined) applyRequirement(rule, auth, req);
        send(200, {}, { ok: true, acr: auth.payload['acr'] ?? null });
      })
      .catch((error: unknown) => {
        if (error instanceof BearerError) send(error.status, error.headers, error.body);
        else send(500, {}, {});
      });
  });
  apiUrl = api.url;
}

function engine(extra: Partial<LoginOptions> = {}): LoginRoutes {
  return createLoginRoutes({
    client: {
      issuer: mock.server.issuer,
      tokenEndpoint: mock.server.tokenEndpoint,
      clientId: TUTORIAL.clientId,
      clientSecret: TUTORIAL.clientSecret,
      audience: TUTORIAL.audience,
      scope: 'openid offline_access read:sample',
    },
    clock,
    ...extra,
  });
}

const GET_TRANSFER = { method: 'GET', url: '/transfer?from=home' } as const;

async function signIn(
  routes: LoginRoutes,
  session: FakeSession,
  user: { email: string; password: string } = STEP_UP_USER,
) {
  return routes.login({
    body: { username: user.email, password: user.password },
    ip: undefined,
    session,
  });
}

async function otp(
  routes: LoginRoutes,
  session: FakeSession,
  secret: string = STEP_UP_USER.totpSecret,
) {
  const code = totp(secret, await mock.server.control.now());
  return routes.verifyOtp({ body: { otp: code }, ip: undefined, session });
}

/** What `apiFetch` rejected with (it must reject). */
async function refusal(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('apiFetch resolved');
}

/** The grant types the mock's token endpoint received, in order. */
async function grants(): Promise<string[]> {
  return (await mock.server.control.requests())
    .filter((entry) => entry.path === '/oauth/token')
    .map((entry) => String(entry.grantType).replace('http://auth0.com/oauth/grant-type/', ''));
}

describe('step-up authentication on the client side (RFC 9470) with the sign-in engine', () => {
  it('a password sign-in, then the API asks for MFA: the user signs in again with it, lands back where it was, and the retry passes', async () => {
    await startApi();
    const routes = engine();
    const session = new FakeSession();
    expect((await signIn(routes, session)).result).toEqual({ status: 'signed_in' });
    const firstKey = session.readKey();

    const api = routes.apiFetch(session, undefined, GET_TRANSFER);
    const error = await refusal(api(`${apiUrl}/api/transfer`));
    expect(error).toBeInstanceOf(StepUpRequiredError);
    // Not the "session ended" error: a handler that renews the session on that one would forget
    // the step-up, and the next sign-in would be password-only again.
    expect(error).not.toBeInstanceOf(ReauthenticationRequiredError);
    expect(error).toMatchObject({ code: 'step_up_required', status: 401, acrValues: [MFA_ACR] });
    expect((error as StepUpRequiredError).maxAge).toBeUndefined();
    // The adapters' error rendering: 401 login_required, with the requirement.
    const rendered = renderError(error);
    expect(rendered?.status).toBe(401);
    expect(JSON.parse(rendered?.body ?? '')).toEqual({
      error: 'login_required',
      error_description: 'Sign in again to continue: this needs a stronger or more recent sign-in',
      acr_values: MFA_ACR,
    });
    // Still signed in, for everything that needs no step-up.
    expect(session.readKey()).toBe(firstKey);
    expect((await api(`${apiUrl}/api/private`)).status).toBe(200);

    // The same password again: the grant carries acr_values, the tenant asks for MFA.
    const again = await signIn(routes, session);
    expect(again.result).toEqual({ status: 'mfa_required', factors: ['otp'] });
    const done = await otp(routes, session);
    expect(done.result).toEqual({ status: 'signed_in', returnTo: '/transfer?from=home' });
    expect(JSON.parse(done.answer.body)).toEqual({
      status: 'signed_in',
      returnTo: '/transfer?from=home',
    });
    const identity = await routes.identity(session, undefined);
    expect(identity).toMatchObject({ acr: MFA_ACR, amr: ['mfa'] });

    // Back at returnTo, its handler calls the API again: the one retry.
    const retried = await routes.apiFetch(
      session,
      undefined,
      GET_TRANSFER,
    )(`${apiUrl}/api/transfer`);
    expect(retried.status).toBe(200);
    expect(await retried.json()).toEqual({ ok: true, acr: MFA_ACR });
    expect(await grants()).toEqual(['password', 'password', 'mfa-otp']);
  });

  it('an abandoned step-up is not completed by another user signing in on the session', async () => {
    await startApi();
    const routes = engine();
    const session = new FakeSession();
    await signIn(routes, session);
    const api = () => routes.apiFetch(session, undefined, GET_TRANSFER)(`${apiUrl}/api/loa3`);
    expect(await refusal(api())).toBeInstanceOf(StepUpRequiredError);
    // Someone else signs in on that browser: no way back to the page the first user was on, and
    // the API's refusal of the new user is a step-up of theirs, not a loop of the first one's.
    const other = { email: TUTORIAL.username, password: TUTORIAL.password };
    expect((await signIn(routes, session, other)).result).toEqual({ status: 'signed_in' });
    expect((await routes.identity(session, undefined))?.email).toBe(TUTORIAL.username);
    expect(await refusal(api())).toBeInstanceOf(StepUpRequiredError);
  });

  it('a step-up survives a new password during its MFA step', async () => {
    await startApi();
    const routes = engine();
    const session = new FakeSession();
    await signIn(routes, session);
    await refusal(routes.apiFetch(session, undefined, GET_TRANSFER)(`${apiUrl}/api/transfer`));
    expect((await signIn(routes, session)).result.status).toBe('mfa_required');
    // The user goes back to the form and types the password again: MFA is still asked.
    expect((await signIn(routes, session)).result.status).toBe('mfa_required');
    expect((await otp(routes, session)).result).toEqual({
      status: 'signed_in',
      returnTo: '/transfer?from=home',
    });
  });

  it('the API refusing the same requirement right after the step-up is a StepUpFailedError (403), not another sign-in', async () => {
    await startApi();
    const routes = engine();
    const session = new FakeSession();
    await signIn(routes, session);
    const api = () => routes.apiFetch(session, undefined, GET_TRANSFER)(`${apiUrl}/api/loa3`);
    expect(await refusal(api())).toMatchObject({ code: 'step_up_required', acrValues: [LOA3] });

    // The tenant has nothing for that acr: the sign-in succeeds without it.
    expect((await signIn(routes, session)).result).toEqual({
      status: 'signed_in',
      returnTo: '/transfer?from=home',
    });
    const failed = await refusal(api());
    expect(failed).toBeInstanceOf(StepUpFailedError);
    expect(failed).not.toBeInstanceOf(ReauthenticationRequiredError);
    expect(failed).toMatchObject({ code: 'step_up_failed', status: 403, acrValues: [LOA3] });
    const rendered = renderError(failed);
    expect(rendered?.status).toBe(403);
    expect(JSON.parse(rendered?.body ?? '')).toEqual({
      error: 'insufficient_user_authentication',
      error_description: 'Signing in again did not give this action the authentication it needs',
    });
    expect(await grants()).toEqual(['password', 'password']);

    // A reload, a second call, another replica: the same 403 while the sign-in's record lasts
    // (at most 5 minutes without max_age), never another sign-in.
    expect(await refusal(api())).toBeInstanceOf(StepUpFailedError);
    expect(await refusal(api())).toBeInstanceOf(StepUpFailedError);
    expect(await grants()).toEqual(['password', 'password']);
    // After it, a refusal asks for a step-up again (the user may try another way).
    await advance(301);
    expect(await refusal(api())).toBeInstanceOf(StepUpRequiredError);
  });

  it('another requirement right after a step-up is a step-up of its own', async () => {
    await startApi();
    const routes = engine();
    const session = new FakeSession();
    await signIn(routes, session);
    const call = (path: string) =>
      routes.apiFetch(session, undefined, GET_TRANSFER)(`${apiUrl}${path}`);
    await refusal(call('/api/loa3'));
    await signIn(routes, session);
    expect(await refusal(call('/api/transfer'))).toBeInstanceOf(StepUpRequiredError);
  });

  it('max_age: a sign-in older than the API accepts is stepped up again, and that is not a loop', async () => {
    await startApi();
    const routes = engine();
    const session = new FakeSession();
    await signIn(routes, session);
    const call = () =>
      routes.apiFetch(session, undefined, { method: 'GET', url: '/recent' })(
        `${apiUrl}/api/recent-mfa`,
      );
    expect(await refusal(call())).toMatchObject({ acrValues: [MFA_ACR], maxAge: 60 });
    expect((await signIn(routes, session)).result.status).toBe('mfa_required');
    expect((await otp(routes, session)).result).toEqual({
      status: 'signed_in',
      returnTo: '/recent',
    });
    expect((await call()).status).toBe(200);

    // Two minutes on, the authentication is too old for max_age=60: a step-up again (MFA again).
    await advance(120);
    const stale = await refusal(call());
    expect(stale).toBeInstanceOf(StepUpRequiredError);
    expect(stale).toMatchObject({ acrValues: [MFA_ACR], maxAge: 60 });
    expect((await signIn(routes, session)).result.status).toBe('mfa_required');
    expect((await otp(routes, session)).result).toEqual({
      status: 'signed_in',
      returnTo: '/recent',
    });
    expect((await call()).status).toBe(200);
  });

  it('max_age alone: the password sign-in that follows gives a fresh auth_time', async () => {
    await startApi();
    const routes = engine();
    const session = new FakeSession();
    await signIn(routes, session);
    const call = () =>
      routes.apiFetch(session, undefined, { method: 'GET', url: '/recent' })(
        `${apiUrl}/api/recent`,
      );
    expect((await call()).status).toBe(200);
    await advance(120);
    expect(await refusal(call())).toMatchObject({ acrValues: [], maxAge: 60 });
    expect(JSON.parse(renderError(await refusal(call()))?.body ?? '')).toMatchObject({
      max_age: 60,
    });
    // No acr asked: no MFA; the password alone is a new authentication.
    expect((await signIn(routes, session)).result).toEqual({
      status: 'signed_in',
      returnTo: '/recent',
    });
    expect((await call()).status).toBe(200);
  });

  it('an ID token whose acr is not one asked for answers step_up_failed; the user is signed in', async () => {
    await startApi();
    const routes = engine();
    const session = new FakeSession();
    // This user always passes MFA: its tokens carry the multi-factor acr, never LOA3.
    expect((await signIn(routes, session, USERS.mfa)).result.status).toBe('mfa_required');
    await otp(routes, session, USERS.mfa.totpSecret);
    expect(
      await refusal(routes.apiFetch(session, undefined, GET_TRANSFER)(`${apiUrl}/api/loa3`)),
    ).toBeInstanceOf(StepUpRequiredError);
    await signIn(routes, session, USERS.mfa);
    const done = await otp(routes, session, USERS.mfa.totpSecret);
    expect(done.result).toEqual({
      status: 'step_up_failed',
      message: 'You are signed in, but not in the way this action requires',
    });
    expect(done.answer.status).toBe(403);
    expect((await routes.identity(session, undefined))?.acr).toBe(MFA_ACR);
    // The sign-in for it is remembered all the same: the API refusing it again is the same 403,
    // not another round of password and MFA.
    expect(
      await refusal(routes.apiFetch(session, undefined, GET_TRANSFER)(`${apiUrl}/api/loa3`)),
    ).toBeInstanceOf(StepUpFailedError);
  });

  it('only a GET of a path of this site is a returnTo', async () => {
    await startApi();
    const routes = engine();
    const session = new FakeSession();
    await signIn(routes, session);
    await refusal(
      routes.apiFetch(session, undefined, { method: 'POST', url: '/transfer' })(
        `${apiUrl}/api/loa3`,
      ),
    );
    expect((await signIn(routes, session)).result).toEqual({ status: 'signed_in' });

    for (const url of [
      '//evil.example/x',
      '/\\evil.example',
      'https://evil.example/',
      '/a b',
      `/${'a'.repeat(2048)}`,
    ]) {
      expect(returnToOf({ method: 'GET', url })).toBeUndefined();
    }
    expect(returnToOf(undefined)).toBeUndefined();
    expect(returnToOf({ method: 'get', url: '/a/b?c=d%20e' })).toBe('/a/b?c=d%20e');
    expect(returnToOf({ method: 'HEAD', url: '/a' })).toBeUndefined();
  });

  it('a malformed challenge is returned as it is: no requirement is guessed', async () => {
    await startApi();
    const routes = engine();
    const session = new FakeSession();
    await signIn(routes, session);
    const response = await routes.apiFetch(
      session,
      undefined,
      GET_TRANSFER,
    )(`${apiUrl}/api/malformed`);
    expect(response.status).toBe(401);
    expect((await signIn(routes, session)).result).toEqual({ status: 'signed_in' });
  });

  it("stepUp: false returns the API's answer, and sign-ins send no acr_values", async () => {
    await startApi();
    const routes = engine({ stepUp: false });
    const session = new FakeSession();
    await signIn(routes, session);
    const response = await routes.apiFetch(
      session,
      undefined,
      GET_TRANSFER,
    )(`${apiUrl}/api/transfer`);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('insufficient_user_authentication');
    expect((await signIn(routes, session)).result).toEqual({ status: 'signed_in' });
  });

  it('the option is checked when the routes are created', () => {
    expect(() => engine({ stepUp: 'yes' as never })).toThrow(
      new TypeError('"stepUp" must be a boolean'),
    );
  });

  it('no error, answer or record holds a token, password, mfa_token or TOTP secret', async () => {
    await startApi();
    const routes = engine();
    const session = new FakeSession();
    await signIn(routes, session);
    const tokens = await routes.manager.getTokenSet(session.readKey() ?? '');
    const seen: string[] = [];
    const keep = (value: unknown) => {
      seen.push(
        inspect(value, { depth: 10, showHidden: true }),
        JSON.stringify(value) ?? '',
        String(value),
      );
    };
    const required = await refusal(
      routes.apiFetch(session, undefined, GET_TRANSFER)(`${apiUrl}/api/transfer`),
    );
    keep(required);
    keep((required as Error).stack);
    keep(renderError(required));
    keep(await routes.manager.store.getPendingSignIn?.(session.readKey() ?? ''));
    // (The MFA step's record holds the mfa_token: it stays in the store, server-side.)
    keep(await signIn(routes, session));
    keep(await otp(routes, session));
    keep(await routes.manager.store.getPendingSignIn?.(session.readKey() ?? ''));
    const stepped = await routes.manager.getTokenSet(session.readKey() ?? '');
    await refusal(routes.apiFetch(session, undefined, GET_TRANSFER)(`${apiUrl}/api/loa3`));
    await signIn(routes, session);
    const failed = await refusal(
      routes.apiFetch(session, undefined, GET_TRANSFER)(`${apiUrl}/api/loa3`),
    );
    expect(failed).toBeInstanceOf(StepUpFailedError);
    keep(failed);
    keep(renderError(failed));
    const text = seen.join('\n');
    const secrets = [
      tokens.accessToken,
      tokens.refreshToken,
      tokens.idToken,
      stepped.accessToken,
      stepped.refreshToken,
      STEP_UP_USER.password,
      STEP_UP_USER.totpSecret,
      TUTORIAL.clientSecret,
    ];
    for (const secret of secrets) {
      expect(secret).toBeTypeOf('string');
      expect(text).not.toContain(secret);
    }
    expect(text).not.toMatch(/eyJ[\w-]+\.[\w-]+\./);
  });

  it('the loop window: at least 30 seconds, at most 5 minutes, max_age in between', () => {
    expect(stepUpRetryWindowMs(undefined)).toBe(300_000);
    expect(stepUpRetryWindowMs(0)).toBe(30_000);
    expect(stepUpRetryWindowMs(60)).toBe(60_000);
    expect(stepUpRetryWindowMs(3600)).toBe(300_000);
  });
});
