import { afterEach, describe, expect, it } from 'vitest';
import { GrantType, TUTORIAL, type Compatibility, type MockServer } from '../src/index.js';
import { expectOAuthError, requestToken, startTutorial } from './helpers.js';

let server: MockServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** `Authorization: Basic` with form-urlencoded id and secret (RFC 6749 section 2.3.1). */
function basic(clientId: string, clientSecret: string): string {
  const credentials = `${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`;
  return `Basic ${Buffer.from(credentials).toString('base64')}`;
}

/**
 * The failure for each setting (MOCK-SERVER.md, "Client authentication"); the documented form
 * challenges a client that used Basic (RFC 6749 section 5.2).
 */
const FAILURE: Record<
  Compatibility,
  { error: string; description: string; basicChallenge: string | null }
> = {
  observed: { error: 'access_denied', description: 'Unauthorized', basicChallenge: null },
  documented: {
    error: 'invalid_client',
    description: 'Client authentication failed',
    basicChallenge: 'Basic realm="oauth"',
  },
};

describe.each(['observed', 'documented'] as const)(
  'client authentication failures (%s)',
  (compatibility) => {
    const { error, description, basicChallenge } = FAILURE[compatibility];

    it('a wrong secret is 401', async () => {
      server = await startTutorial({ compatibility });
      const response = await requestToken(server, { client_secret: 'wrong-secret' });
      await expect(response).toBeOAuthError(401, error, description);
    });

    it('a confidential client that sent no secret is 401', async () => {
      server = await startTutorial({ compatibility });
      const response = await requestToken(server, { client_secret: undefined });
      await expect(response).toBeOAuthError(401, error, description);
    });

    it('an unknown client is 401', async () => {
      server = await startTutorial({ compatibility });
      const response = await requestToken(server, { client_id: 'no-such-client' });
      await expect(response).toBeOAuthError(401, error, description);
    });

    it('Basic credentials for a client_secret_post client are 401', async () => {
      server = await startTutorial({ compatibility });
      const response = await requestToken(
        server,
        { client_id: undefined, client_secret: undefined },
        { headers: { authorization: basic(TUTORIAL.clientId, TUTORIAL.clientSecret) } },
      );
      const body = await expectOAuthError(response, 401, error, description);
      expect(JSON.stringify(body)).not.toContain(TUTORIAL.clientSecret);
      expect(response.headers.get('www-authenticate')).toBe(basicChallenge);
    });
  },
);

describe('client authentication methods', () => {
  it('client_secret_basic works when configured, with form-urlencoded credentials', async () => {
    const clientSecret = 'secret with spaces & symbols:+';
    server = await startTutorial();
    await server.control.setClient({
      clientId: 'basic-client',
      clientSecret,
      tokenEndpointAuthMethod: 'client_secret_basic',
      grantTypes: [GrantType.password],
    });
    const ok = await requestToken(
      server,
      { client_id: undefined, client_secret: undefined },
      { headers: { authorization: basic('basic-client', clientSecret) } },
    );
    await expect(ok).toBeTokenResponse();
    const sentInBody = await requestToken(server, {
      client_id: 'basic-client',
      client_secret: clientSecret,
    });
    await expect(sentInBody).toBeOAuthError(401, 'access_denied', 'Unauthorized');
  });

  it('a public client (none) authenticates with its id only, and may not send a secret', async () => {
    server = await startTutorial();
    await server.control.setClient({
      clientId: 'public-client',
      grantTypes: [GrantType.password],
    });
    await expect(
      await requestToken(server, { client_id: 'public-client', client_secret: undefined }),
    ).toBeTokenResponse();
    const withSecret = await requestToken(server, {
      client_id: 'public-client',
      client_secret: 'x',
    });
    await expect(withSecret).toBeOAuthError(401, 'access_denied', 'Unauthorized');
  });

  it('two methods at once (Basic and a body secret) are refused (RFC 6749 section 2.3)', async () => {
    server = await startTutorial();
    const response = await requestToken(
      server,
      {},
      { headers: { authorization: basic(TUTORIAL.clientId, TUTORIAL.clientSecret) } },
    );
    await expect(response).toBeOAuthError(401, 'access_denied', 'Unauthorized');
  });
});

describe('unauthorized_client', () => {
  it('names the password grant when the client may not use it', async () => {
    server = await startTutorial();
    await server.control.setClient({ clientId: 'spa', clientSecret: 'spa-secret' });
    const response = await requestToken(server, { client_id: 'spa', client_secret: 'spa-secret' });
    await expect(response).toBeOAuthError(
      403,
      'unauthorized_client',
      "Grant type 'password' not allowed for the client.",
    );
  });

  it('names the password-realm URI when that grant is not allowed', async () => {
    server = await startTutorial();
    await server.control.setClient({
      clientId: 'password-only',
      clientSecret: 'password-only-secret',
      grantTypes: [GrantType.password],
    });
    const response = await requestToken(server, {
      client_id: 'password-only',
      client_secret: 'password-only-secret',
      grant_type: GrantType.passwordRealm,
      realm: TUTORIAL.connection,
    });
    await expect(response).toBeOAuthError(
      403,
      'unauthorized_client',
      "Grant type 'http://auth0.com/oauth/grant-type/password-realm' not allowed for the client.",
    );
  });
});
