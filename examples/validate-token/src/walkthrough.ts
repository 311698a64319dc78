import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createApi } from './api.ts';
import { LocalIssuer } from './local-issuer.ts';

/** One call to the API, what it should answer and what it did. */
export interface Step {
  title: string;
  expectedStatus: number;
  status: number;
  wwwAuthenticate: string | null;
  body: string;
}

const AUDIENCE = 'https://api.example.com';

/** Starts an issuer and the API on 127.0.0.1, makes each call once, and closes both. */
export async function walkthrough(): Promise<Step[]> {
  const issuer = await LocalIssuer.start();
  const api = createApi({ issuer: issuer.issuer, audience: AUDIENCE, jwksUri: issuer.jwksUri });
  api.listen(0, '127.0.0.1');
  await once(api, 'listening');
  const base = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  try {
    const scoped = await issuer.sign(AUDIENCE, 'openid read:sample');
    const unscoped = await issuer.sign(AUDIENCE, 'openid');
    const calls: Array<[string, string, string | undefined, number]> = [
      ['public route, no token', '/api/public', undefined, 200],
      ['private route, no token', '/api/private', undefined, 401],
      ['private route, valid token', '/api/private', scoped, 200],
      ['scoped route, token with read:sample', '/api/private-scoped', scoped, 200],
      ['scoped route, token without read:sample', '/api/private-scoped', unscoped, 403],
      ['private route, tampered token', '/api/private', `${scoped.slice(0, -4)}AAAA`, 401],
    ];
    const steps: Step[] = [];
    for (const [title, path, token, expectedStatus] of calls) {
      const response = await fetch(`${base}${path}`, {
        headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
      });
      steps.push({
        title,
        expectedStatus,
        status: response.status,
        wwwAuthenticate: response.headers.get('www-authenticate'),
        body: await response.text(),
      });
    }
    return steps;
  } finally {
    api.close();
    await issuer.close();
  }
}
