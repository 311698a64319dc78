import type { MockServer, Tutorial } from './mock-server.ts';

/**
 * An access token from the mock server's password grant, as the tutorial's "Request tokens"
 * step gets one (`grant_type=password` with the tutorial's user and client).
 */
export async function passwordGrantToken(
  server: Pick<MockServer, 'tokenEndpoint'>,
  tutorial: Tutorial,
  {
    audience = tutorial.audience,
    scope = tutorial.scope,
  }: { audience?: string; scope?: string } = {},
): Promise<string> {
  const response = await fetch(server.tokenEndpoint, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'password',
      username: tutorial.username,
      password: tutorial.password,
      audience,
      scope,
      client_id: tutorial.clientId,
      client_secret: tutorial.clientSecret,
    }),
  });
  if (response.status !== 200) throw new Error(`password grant failed: HTTP ${response.status}`);
  const body = (await response.json()) as { access_token: string };
  return body.access_token;
}
