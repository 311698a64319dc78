// The README's first example, kept here so that it cannot rot: test/readme.test.ts checks that
// this file is the README's block, with the package's name replaced by its source.
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { expect, test } from 'vitest';
import { startMockServer, TUTORIAL, tutorialTenant } from '../src/index.js';

test('the password grant returns a token that verifies', async () => {
  await using server = await startMockServer(tutorialTenant());
  const response = await fetch(server.tokenEndpoint, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'password',
      username: TUTORIAL.username, // user@example.com
      password: TUTORIAL.password, // pwd
      audience: TUTORIAL.audience, // https://api.example.com
      scope: 'read:sample',
      client_id: TUTORIAL.clientId,
      client_secret: TUTORIAL.clientSecret,
    }),
  });
  // Without the DOM library, Response.json() returns Promise<unknown>: say what you expect.
  const { access_token } = (await response.json()) as { access_token: string };
  const { payload } = await jwtVerify(access_token, createRemoteJWKSet(new URL(server.jwksUri)), {
    issuer: server.issuer, // http://127.0.0.1:PORT/ (trailing slash, like https://TENANT/)
    audience: TUTORIAL.audience,
  });
  expect(payload.scope).toBe('read:sample');
});
