import type { TestApp } from '@ropkit/core';
import { ConformanceHttp, type Answer } from './http-client.js';
import type { TokenFactory } from './token-factory.js';

/** One request of the replay list. */
export interface ReplayRequest {
  name: string;
  path: string;
  headers: Record<string, string>;
}

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
  ];
}

/** What must be byte-identical across adapters. */
export interface ReplayAnswer {
  status: number;
  wwwAuthenticate: string | null;
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
      const answer: Answer = await new ConformanceHttp(app.url).request(request.path, {
        headers: request.headers,
      });
      byAdapter.set(adapter, {
        status: answer.status,
        wwwAuthenticate: answer.wwwAuthenticate,
        body: answer.body,
      });
    }
    answers.set(request.name, byAdapter);
  }
  return answers;
}
