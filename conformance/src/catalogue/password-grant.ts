import { check, describeAnswer, expectStatus } from '../check.js';
import { KIT } from '../conformance-tenant.js';
import { totpCodeForSecret as totp } from '@ropkit/mock-server';
import { expectOutcome, scenario } from './define.js';

const G = 'Password grant through the login route' as const;

async function tokenRequests(control: {
  requests(): Promise<Array<{ path: string; grantType?: string; forwardedFor?: string }>>;
}) {
  return (await control.requests()).filter((entry) => entry.path === '/oauth/token');
}

/** The tutorial's "Request tokens" step and its optional sections, through the app's login route. */
export const passwordGrant = [
  scenario({
    id: 'login-01',
    group: G,
    spec: 'RFC 6749 section 4.3.2',
    words: 'grant_type "REQUIRED. Value MUST be set to password"',
    name: 'MUST sign a user in from a form post with the password grant',
    uses: ['login.client'],
    run: async ({ http, server }) => {
      const session = http.session({ ip: '203.0.113.10' });
      const answer = await session.login(KIT.username, KIT.password);
      expectOutcome(answer, 200, 'signed_in', 'with a form of the right username and password');
      const [request] = await tokenRequests(server.control);
      check(
        request?.grantType === 'password',
        'the sign-in above',
        'one token request with grant_type=password',
        `grant_type ${request?.grantType ?? 'none (no token request)'}`,
      );
    },
  }),
  scenario({
    id: 'login-02',
    group: G,
    profile: 'ropkit',
    spec: 'ropkit login route',
    words: 'the login route reads a JSON body as well as a form',
    name: 'MUST sign a user in from a JSON body',
    run: async ({ http }) => {
      const answer = await http
        .session()
        .send('/login', { json: { username: KIT.username, password: KIT.password } });
      expectStatus(answer, 200, 'with a JSON body of the right username and password');
    },
  }),
  scenario({
    id: 'login-03',
    group: G,
    spec: 'RFC 6749 section 10.3',
    words:
      'access token credentials "MUST be kept confidential in transit and storage, and only shared among the authorization server, the resource servers the access token is valid for, and the client"',
    name: 'MUST NOT put tokens in a cookie',
    run: async ({ http }) => {
      const session = http.session();
      const answer = await session.login(KIT.username, KIT.password);
      const cookies = session.cookieText;
      check(
        !/eyJ[\w-]+\.[\w-]+\./.test(cookies) && cookies.length < 400,
        `${answer.request} with the right username and password`,
        'cookies holding a session id only (no JWT, under 400 characters)',
        `cookies of ${cookies.length} characters${/eyJ[\w-]+\.[\w-]+\./.test(cookies) ? ' holding a JWT' : ''}`,
      );
    },
  }),
  scenario({
    id: 'login-04',
    group: G,
    profile: 'ropkit',
    spec: 'ropkit login answers',
    words:
      "Auth0's 403 invalid_grant for a wrong password is answered 401 invalid_credentials, without the password",
    name: 'MUST answer a wrong password as invalid credentials',
    run: async ({ http }) => {
      const answer = await http.session().login(KIT.username, 'wrong-password');
      expectOutcome(answer, 401, 'invalid_credentials', 'with a wrong password');
      check(
        !answer.body.includes('wrong-password'),
        `${answer.request} with the password "wrong-password"`,
        'an answer without the password',
        answer,
      );
    },
  }),
  scenario({
    id: 'login-05',
    group: G,
    profile: 'ropkit',
    spec: 'ropkit login answers',
    words: 'an unknown user is answered as a wrong password: no user enumeration',
    name: 'MUST answer an unknown user like a wrong password',
    run: async ({ http }) => {
      const answer = await http.session().login('nobody@example.com', 'x');
      expectOutcome(answer, 401, 'invalid_credentials', 'with an unknown username');
    },
  }),
  scenario({
    id: 'login-06',
    group: G,
    profile: 'auth0',
    spec: 'Auth0 Authentication API: 401 unauthorized (user is blocked)',
    words: "Auth0's answer for a blocked user is told apart from a wrong password",
    name: 'MUST answer a blocked user as blocked',
    run: async ({ http }) => {
      const answer = await http.session().login(KIT.blockedUser, KIT.blockedPassword);
      expectOutcome(answer, 403, 'blocked', 'with the password of a blocked user');
    },
  }),
  scenario({
    id: 'login-07',
    group: G,
    profile: 'auth0',
    spec: 'Auth0 password-realm extension grant',
    words:
      'a realm selects the connection through http://auth0.com/oauth/grant-type/password-realm',
    name: 'MUST sign in a user of another connection with the password-realm grant',
    run: async ({ http, server }) => {
      const answer = await http
        .session()
        .login(KIT.employee, KIT.employeePassword, { realm: KIT.realm });
      expectStatus(answer, 200, `with a user of connection ${KIT.realm} and realm=${KIT.realm}`);
      const [request] = await tokenRequests(server.control);
      check(
        request?.grantType === 'http://auth0.com/oauth/grant-type/password-realm',
        'the sign-in above',
        'a token request with the password-realm grant',
        `grant_type ${request?.grantType ?? 'none (no token request)'}`,
      );
    },
  }),
  scenario({
    id: 'login-08',
    group: G,
    profile: 'auth0',
    spec: 'Auth0 attack protection: auth0-forwarded-for',
    words: "a trusted server sends the end user's IP so brute-force protection counts per user IP",
    name: 'MUST send the end user IP as auth0-forwarded-for when configured',
    uses: ['login.forwardUserIp', 'trustProxy'],
    run: async ({ http, server }) => {
      await http.session({ ip: '203.0.113.77' }).login(KIT.username, KIT.password);
      const [request] = await tokenRequests(server.control);
      check(
        request?.forwardedFor === '203.0.113.77',
        'POST /login from end user 203.0.113.77 (X-Forwarded-For)',
        'a token request with auth0-forwarded-for: 203.0.113.77',
        `auth0-forwarded-for ${request?.forwardedFor ?? 'absent'}`,
      );
    },
  }),
  scenario({
    id: 'login-09',
    group: G,
    profile: 'auth0',
    spec: 'Auth0 attack protection: brute-force protection',
    words: 'with the IP forwarded, 10 failures lock the user out from that IP only',
    name: 'MUST keep an attacker from locking the user out everywhere when the user IP is forwarded',
    uses: ['login.forwardUserIp', 'trustProxy'],
    run: async ({ http }) => {
      for (let i = 0; i < 10; i++)
        await http.session({ ip: '198.51.100.23' }).login(KIT.username, 'guess');
      const attacker = await http
        .session({ ip: '198.51.100.23' })
        .login(KIT.username, KIT.password);
      expectOutcome(
        attacker,
        429,
        'too_many_attempts',
        'from 198.51.100.23 after 10 wrong passwords from it',
      );
      const user = await http.session({ ip: '203.0.113.10' }).login(KIT.username, KIT.password);
      expectStatus(user, 200, 'with the right password from another IP (203.0.113.10)');
    },
  }),
  scenario({
    id: 'login-10',
    group: G,
    profile: 'auth0',
    spec: 'Auth0 attack protection: brute-force protection',
    words:
      'without the IP forwarded, every sign-in comes from the server: one attacker locks all out',
    name: 'MUST show why forwarding matters: without it one attacker locks the user out for every IP',
    uses: ['login.forwardUserIp', 'trustProxy'],
    run: async ({ startApp }) => {
      const { http } = await startApp((options) => ({
        ...options,
        login: options.login === undefined ? undefined : { ...options.login, forwardUserIp: false },
      }));
      for (let i = 0; i < 10; i++)
        await http.session({ ip: '198.51.100.24' }).login(KIT.username, 'guess');
      const user = await http.session({ ip: '203.0.113.11' }).login(KIT.username, KIT.password);
      check(
        user.field('status') === 'too_many_attempts',
        `${user.request} from 203.0.113.11, after 10 wrong passwords from 198.51.100.24, forwardUserIp false`,
        '{"status":"too_many_attempts"} (the lock-out reaches every IP)',
        user,
      );
    },
  }),
  scenario({
    id: 'login-11',
    group: G,
    profile: 'auth0',
    spec: 'Auth0 MFA: mfa_required then the mfa-otp grant',
    words: "Auth0's mfa_required answer is followed by the one-time password step",
    name: 'MUST ask for a one-time password on mfa_required, then sign in with a valid code',
    run: async ({ http, server }) => {
      const session = http.session();
      const first = await session.login(KIT.mfaUser, KIT.mfaPassword);
      expectOutcome(first, 401, 'mfa_required', 'with the password of a user enrolled in MFA');
      check(
        !first.body.includes('mfa_token') && !session.cookieText.includes('mfa'),
        `${first.request} with the password of a user enrolled in MFA`,
        'the mfa_token kept server-side (not in the body or a cookie)',
        `${describeAnswer(first)}, cookies ${session.cookieText}`,
      );
      const code = totp(KIT.mfaSecret, await server.control.now());
      const second = await session.send('/login/otp', { form: { otp: code } });
      expectOutcome(second, 200, 'signed_in', 'with a valid one-time password');
    },
  }),
  scenario({
    id: 'login-12',
    group: G,
    profile: 'auth0',
    spec: 'Auth0 MFA: 403 invalid_grant for a wrong code',
    words: "Auth0's answer to a wrong one-time password is told apart",
    name: 'MUST refuse a wrong one-time password',
    run: async ({ http }) => {
      const session = http.session();
      await session.login(KIT.mfaUser, KIT.mfaPassword);
      const answer = await session.send('/login/otp', { form: { otp: '000000' } });
      expectOutcome(answer, 401, 'invalid_otp', 'with the one-time password 000000');
    },
  }),
  scenario({
    id: 'login-13',
    group: G,
    profile: 'auth0',
    spec: 'Auth0 rate limits: 429 with Retry-After',
    words: 'a rate-limited password grant is not retried: a retry would count as another attempt',
    name: 'MUST answer a rate-limited sign-in as rate limited, without retrying the password',
    run: async ({ http, server }) => {
      await server.control.queueFault({
        endpoint: '/oauth/token',
        kind: 'status',
        status: 429,
        body: { error: 'too_many_requests', error_description: 'Rate limit exceeded.' },
        headers: { 'retry-after': '30' },
      });
      const answer = await http.session().login(KIT.username, KIT.password);
      expectOutcome(answer, 429, 'rate_limited', 'while the token endpoint answers 429');
      const sent = (await tokenRequests(server.control)).length;
      check(
        sent === 1,
        'the sign-in above',
        '1 password grant (no retry)',
        `${sent} password grants`,
      );
    },
  }),
  scenario({
    id: 'login-14',
    group: G,
    profile: 'ropkit',
    spec: 'ropkit policy (RFC 7009 section 1: revocation when "the end-user logs out")',
    words: 'logout revokes the refresh token at the authorization server',
    name: 'MUST revoke the refresh token on logout',
    requires: ['login', 'lifecycle'],
    run: async ({ http, server }) => {
      const session = http.session();
      await session.login(KIT.username, KIT.password);
      expectStatus(await session.send('/logout', { method: 'POST' }), 204, 'after a sign-in');
      const revoked = (await server.control.requests()).some(
        (entry) => entry.path === '/oauth/revoke',
      );
      check(revoked, 'POST /logout after a sign-in', 'a revocation request', 'none');
      expectStatus(await session.send('/call-api'), 401, 'after logout');
    },
  }),
];
