import { expectEqual, expectTrue } from '../check.js';
import { KIT } from '../conformance-tenant.js';
import { totpCodeForSecret as totp } from '@ropkit/mock-server';
import { scenario } from './define.js';

const G = 'Password grant through the login route' as const;

async function tokenRequests(control: {
  requests(): Promise<Array<{ path: string; grantType?: string; forwardedFor?: string }>>;
}) {
  return (await control.requests()).filter((entry) => entry.path === '/oauth/token');
}

/** The tutorial's "Request tokens" step and its optional sections, through the app's login route. */
export const passwordGrant = [
  scenario(
    'login-01',
    G,
    'RFC 6749 section 4.3',
    'MUST sign a user in from a form post with the password grant',
    async ({ http, server }) => {
      const session = http.session({ ip: '203.0.113.10' });
      const answer = await session.login(KIT.username, KIT.password);
      expectEqual([answer.status, answer.json()], [200, { status: 'signed_in' }], 'answer');
      const [request] = await tokenRequests(server.control);
      expectEqual(request?.grantType, 'password', 'grant type');
    },
  ),
  scenario(
    'login-02',
    G,
    'RFC 6749 section 4.3',
    'MUST sign a user in from a JSON body',
    async ({ http }) => {
      const answer = await http
        .session()
        .send('/login', { json: { username: KIT.username, password: KIT.password } });
      expectEqual(answer.status, 200, 'status');
    },
  ),
  scenario(
    'login-03',
    G,
    'RFC 6749 section 10.3 / RFC 9700 section 4.13',
    'MUST NOT put tokens in a cookie',
    async ({ http }) => {
      const session = http.session();
      await session.login(KIT.username, KIT.password);
      expectTrue(!/eyJ[\w-]+\.[\w-]+\./.test(session.cookieText), 'a JWT in the cookies');
      expectTrue(
        session.cookieText.length < 400,
        `cookies are ${session.cookieText.length} characters: too large to hold only a session id`,
      );
    },
  ),
  scenario(
    'login-04',
    G,
    'Auth0 Authentication API: 403 invalid_grant',
    'MUST answer a wrong password as invalid credentials',
    async ({ http }) => {
      const answer = await http.session().login(KIT.username, 'wrong-password');
      expectEqual([answer.status, answer.field('status')], [401, 'invalid_credentials'], 'answer');
      expectTrue(!answer.body.includes('wrong-password'), 'the password is echoed');
    },
  ),
  scenario(
    'login-05',
    G,
    'Auth0 Authentication API: 403 invalid_grant',
    'MUST answer an unknown user like a wrong password',
    async ({ http }) => {
      const answer = await http.session().login('nobody@example.com', 'x');
      expectEqual(answer.field('status'), 'invalid_credentials', 'outcome');
    },
  ),
  scenario(
    'login-06',
    G,
    'Auth0 Authentication API: 401 unauthorized',
    'MUST answer a blocked user as blocked',
    async ({ http }) => {
      const answer = await http.session().login(KIT.blockedUser, KIT.blockedPassword);
      expectEqual([answer.status, answer.field('status')], [403, 'blocked'], 'answer');
    },
  ),
  scenario(
    'login-07',
    G,
    'Auth0 password-realm extension grant',
    'MUST sign in a user of another connection with the password-realm grant',
    async ({ http, server }) => {
      const answer = await http
        .session()
        .login(KIT.employee, KIT.employeePassword, { realm: KIT.realm });
      expectEqual(answer.status, 200, 'status');
      const [request] = await tokenRequests(server.control);
      expectEqual(
        request?.grantType,
        'http://auth0.com/oauth/grant-type/password-realm',
        'grant type',
      );
    },
  ),
  scenario(
    'login-08',
    G,
    'Auth0 attack protection: auth0-forwarded-for',
    'MUST send the end user IP as auth0-forwarded-for when configured',
    async ({ http, server }) => {
      await http.session({ ip: '203.0.113.77' }).login(KIT.username, KIT.password);
      const [request] = await tokenRequests(server.control);
      expectEqual(request?.forwardedFor, '203.0.113.77', 'auth0-forwarded-for');
    },
  ),
  scenario(
    'login-09',
    G,
    'Auth0 attack protection: brute-force protection',
    'MUST keep an attacker from locking the user out everywhere when the user IP is forwarded',
    async ({ http }) => {
      for (let i = 0; i < 10; i++)
        await http.session({ ip: '198.51.100.23' }).login(KIT.username, 'guess');
      const attacker = await http
        .session({ ip: '198.51.100.23' })
        .login(KIT.username, KIT.password);
      expectEqual(
        [attacker.status, attacker.field('status')],
        [429, 'too_many_attempts'],
        'attacker answer',
      );
      const user = await http.session({ ip: '203.0.113.10' }).login(KIT.username, KIT.password);
      expectEqual(user.status, 200, 'the real user from another IP');
    },
  ),
  scenario(
    'login-10',
    G,
    'Auth0 attack protection: brute-force protection',
    'MUST show why forwarding matters: without it one attacker locks the user out for every IP',
    async ({ startApp }) => {
      const { http } = await startApp((options) => ({
        ...options,
        login: options.login === undefined ? undefined : { ...options.login, forwardUserIp: false },
      }));
      for (let i = 0; i < 10; i++)
        await http.session({ ip: '198.51.100.24' }).login(KIT.username, 'guess');
      const user = await http.session({ ip: '203.0.113.11' }).login(KIT.username, KIT.password);
      expectEqual(user.field('status'), 'too_many_attempts', 'the real user from another IP');
    },
  ),
  scenario(
    'login-11',
    G,
    'Auth0 MFA: mfa_required then mfa-otp',
    'MUST ask for a one-time password on mfa_required, then sign in with a valid code',
    async ({ http, server }) => {
      const session = http.session();
      const first = await session.login(KIT.mfaUser, KIT.mfaPassword);
      expectEqual([first.status, first.json()], [401, { status: 'mfa_required' }], 'first answer');
      expectTrue(
        !first.body.includes('mfa_token') && !session.cookieText.includes('mfa'),
        'the mfa_token stays server-side',
      );
      const code = totp(KIT.mfaSecret, await server.control.now());
      const second = await session.send('/login/otp', { form: { otp: code } });
      expectEqual([second.status, second.json()], [200, { status: 'signed_in' }], 'second answer');
    },
  ),
  scenario(
    'login-12',
    G,
    'Auth0 MFA: 403 invalid_grant',
    'MUST refuse a wrong one-time password',
    async ({ http }) => {
      const session = http.session();
      await session.login(KIT.mfaUser, KIT.mfaPassword);
      const answer = await session.send('/login/otp', { form: { otp: '000000' } });
      expectEqual([answer.status, answer.field('status')], [401, 'invalid_otp'], 'answer');
    },
  ),
  scenario(
    'login-13',
    G,
    'Auth0 rate limits: 429 with Retry-After',
    'MUST answer a rate-limited sign-in as rate limited, without retrying the password',
    async ({ http, server }) => {
      await server.control.queueFault({
        endpoint: '/oauth/token',
        kind: 'status',
        status: 429,
        body: { error: 'too_many_requests', error_description: 'Rate limit exceeded.' },
        headers: { 'retry-after': '30' },
      });
      const answer = await http.session().login(KIT.username, KIT.password);
      expectEqual([answer.status, answer.field('status')], [429, 'rate_limited'], 'answer');
      expectEqual((await tokenRequests(server.control)).length, 1, 'password grants sent');
    },
  ),
  scenario(
    'login-14',
    G,
    'RFC 7009 section 2',
    'MUST revoke the refresh token on logout',
    async ({ http, server }) => {
      const session = http.session();
      await session.login(KIT.username, KIT.password);
      expectEqual((await session.send('/logout', { method: 'POST' })).status, 204, 'logout status');
      const revoked = (await server.control.requests()).some(
        (entry) => entry.path === '/oauth/revoke',
      );
      expectTrue(revoked, 'a revocation request reached the server');
      expectEqual((await session.send('/call-api')).status, 401, 'calling the API after logout');
    },
  ),
];
