import type { TestApp } from './test-app.js';
import { KIT } from './conformance-tenant.js';
import { ConformanceHttp, type Answer } from './http-client.js';
import type { TokenFactory } from './token-factory.js';

/** One request of the replay list. */
export interface ReplayRequest {
  name: string;
  /** Default `GET`. */
  method?: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  /**
   * Sent in a browser session at the second-factor step: one that first posted this username and
   * password to `/login` (its answer is not compared). Default: no session, as a new browser.
   */
  step?: { username: string; password: string };
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const JSON_BODY = { 'content-type': 'application/json' };
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** The same inputs for every adapter: every kind of failure an API answers. */
export async function replayRequests(tokens: TokenFactory): Promise<ReplayRequest[]> {
  const now = Math.floor(Date.now() / 1000);
  return [
    { name: 'no credentials', path: '/api/private', headers: {} },
    {
      name: 'Basic scheme',
      path: '/api/private',
      headers: { authorization: 'Basic dXNlcjpwYXNz' },
    },
    { name: 'Bearer without token', path: '/api/private', headers: { authorization: 'Bearer' } },
    { name: 'two tokens', path: '/api/private', headers: { authorization: 'Bearer a b' } },
    { name: 'not a JWT', path: '/api/private', headers: bearer('not-a-jwt') },
    {
      name: 'bad signature',
      path: '/api/private',
      headers: bearer(`${(await tokens.sign()).slice(0, -4)}AAAA`),
    },
    {
      name: 'expired',
      path: '/api/private',
      headers: bearer(await tokens.sign({ claims: { iat: now - 600, exp: now - 60 } })),
    },
    {
      name: 'wrong audience',
      path: '/api/private',
      headers: bearer(await tokens.sign({ claims: { aud: 'https://other.example.com' } })),
    },
    {
      name: 'typ at+jwt',
      path: '/api/private',
      headers: bearer(await tokens.sign({ header: { typ: 'at+jwt' } })),
    },
    {
      name: 'missing scope',
      path: '/api/private-scoped',
      headers: bearer(await tokens.sign({ claims: { scope: 'openid' } })),
    },
    {
      name: 'no acceptable scope',
      path: '/api/any-scope',
      headers: bearer(await tokens.sign({ claims: { scope: 'openid' } })),
    },
    {
      name: 'optional route, bad token',
      path: '/api/optional',
      headers: bearer('bad.token.value'),
    },
    { name: 'scoped route, no credentials', path: '/api/private-scoped', headers: {} },
    {
      name: 'step-up route, no acr',
      path: '/api/step-up',
      headers: bearer(await tokens.sign({ claims: { auth_time: now } })),
    },
    {
      name: 'recent route, authentication too old',
      path: '/api/recent',
      headers: bearer(await tokens.sign({ claims: { auth_time: now - 3600 } })),
    },
  ];
}

/**
 * The same inputs for every adapter's login routes: every answer a login form gets without a
 * second factor, and the second-factor routes' answers to a request that cannot succeed. Each
 * request is sent without cookies, as a new browser would, or in a session at the MFA step.
 */
export function loginReplayRequests(): ReplayRequest[] {
  return [
    { name: 'login, empty JSON', method: 'POST', path: '/login', headers: JSON_BODY, body: '{}' },
    {
      name: 'login, no password',
      method: 'POST',
      path: '/login',
      headers: FORM,
      body: form({ username: KIT.username }),
    },
    {
      name: 'login, wrong password',
      method: 'POST',
      path: '/login',
      headers: FORM,
      body: form({ username: KIT.username, password: 'not-the-password' }),
    },
    {
      name: 'login, blocked user',
      method: 'POST',
      path: '/login',
      headers: JSON_BODY,
      body: JSON.stringify({ username: KIT.blockedUser, password: KIT.blockedPassword }),
    },
    {
      name: 'login, signed in',
      method: 'POST',
      path: '/login',
      headers: FORM,
      body: form({ username: KIT.username, password: KIT.password }),
    },
    {
      name: 'login, MFA required',
      method: 'POST',
      path: '/login',
      headers: FORM,
      body: form({ username: KIT.mfaUser, password: KIT.mfaPassword }),
    },
    {
      name: 'OTP without a sign-in step',
      method: 'POST',
      path: '/login/otp',
      headers: FORM,
      body: form({ otp: '123456' }),
    },
    {
      name: 'challenge without a sign-in step',
      method: 'POST',
      path: '/login/challenge',
      headers: FORM,
      body: form({ factor: 'sms' }),
    },
    { name: 'push poll without a sign-in step', method: 'POST', path: '/login/push', headers: {} },
    {
      name: 'malformed recovery code',
      method: 'POST',
      path: '/login/recovery',
      headers: FORM,
      body: form({ recovery_code: 'not a code!' }),
      step: { username: KIT.oobUser, password: KIT.oobPassword },
    },
    {
      name: 'enrolment of an unknown factor',
      method: 'POST',
      path: '/login/enroll',
      headers: JSON_BODY,
      body: JSON.stringify({ factor: 'carrier-pigeon' }),
      step: { username: KIT.enrolUser, password: KIT.enrolPassword },
    },
    {
      name: 'enrolment of SMS without a phone number',
      method: 'POST',
      path: '/login/enroll',
      headers: FORM,
      body: form({ factor: 'sms', phone_number: '555-0100' }),
      step: { username: KIT.enrolUser, password: KIT.enrolPassword },
    },
    { name: 'logout without a session', method: 'POST', path: '/logout', headers: {} },
    { name: 'the API called without a session', method: 'GET', path: '/call-api', headers: {} },
  ];
}

/** What must be byte-identical across adapters. */
export interface ReplayAnswer {
  status: number;
  wwwAuthenticate: string | null;
  contentType: string | null;
  cacheControl: string | null;
  retryAfter: string | null;
  body: string;
}

/** Sends each request to each app and returns, per request, the answers by adapter. */
export async function replay(
  apps: ReadonlyMap<string, TestApp>,
  requests: readonly ReplayRequest[],
): Promise<Map<string, Map<string, ReplayAnswer>>> {
  const answers = new Map<string, Map<string, ReplayAnswer>>();
  for (const request of requests) {
    const byAdapter = new Map<string, ReplayAnswer>();
    for (const [adapter, app] of apps) {
      const http = new ConformanceHttp(app.url);
      let headers = request.headers;
      if (request.step !== undefined) {
        const browser = http.session();
        await browser.login(request.step.username, request.step.password);
        headers = { ...headers, cookie: browser.cookieText };
      }
      const answer: Answer = await http.request(request.path, {
        headers,
        ...(request.method === undefined ? {} : { method: request.method }),
        ...(request.body === undefined ? {} : { body: request.body }),
      });
      byAdapter.set(adapter, {
        status: answer.status,
        wwwAuthenticate: answer.wwwAuthenticate,
        contentType: answer.contentType,
        cacheControl: answer.cacheControl,
        retryAfter: answer.retryAfter,
        body: answer.body,
      });
    }
    answers.set(request.name, byAdapter);
  }
  return answers;
}
