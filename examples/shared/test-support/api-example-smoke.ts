import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleProcess, type RunningExample } from './example-process.ts';
import type { MockServer, MockServerModule } from './mock-server.ts';
import { passwordGrantToken } from './tokens.ts';

/** The frameworks with an API example, each in `examples/<framework>` on `@ropkit/<framework>`. */
export type ApiFramework = 'express' | 'koa' | 'fastify';

/** A second API on the mock tenant whose tokens follow RFC 9068 (`typ: at+jwt`). */
const RFC9068_AUDIENCE = 'https://rfc9068.example.com';

async function get(url: string, token?: string): Promise<Response> {
  return fetch(url, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });
}

/**
 * The smoke suite of an API example: it starts the real program (`node src/server.ts`) as a child
 * process against an in-process mock server and drives it over HTTP. Call it at the top level of
 * the example's `test/smoke.test.ts`.
 *
 * @example
 * ```ts
 * import * as mockServer from '@ropkit/mock-server';
 *
 * describeApiExampleSmoke({ framework: 'express', exampleDir: new URL('..', import.meta.url), mockServer });
 * ```
 */
export function describeApiExampleSmoke<Config>({
  framework,
  exampleDir,
  mockServer,
}: {
  /** Names the example in its log lines and error messages, and its adapter package. */
  framework: ApiFramework;
  /** The example's directory, ending in `/`. */
  exampleDir: URL;
  /** The `@ropkit/mock-server` module, which resolves from the example but not from here. */
  mockServer: MockServerModule<Config>;
}): void {
  const { TUTORIAL, startMockServer, tutorialTenant } = mockServer;
  const { startExample, runExampleToExit } = exampleProcess({ exampleDir, adapter: framework });

  let mock: MockServer;
  beforeAll(async () => {
    mock = await startMockServer(
      tutorialTenant({
        apis: [
          // write:sample too: a password grant asking for no API scope gets them all (as Auth0
          // does), so a token without read:sample is one that asked for write:sample only.
          {
            identifier: TUTORIAL.audience,
            scopes: [TUTORIAL.scope, 'write:sample'],
            allowOfflineAccess: true,
          },
          { identifier: RFC9068_AUDIENCE, scopes: [TUTORIAL.scope], tokenProfile: 'rfc9068' },
        ],
      }),
    );
  });
  afterAll(async () => {
    await mock?.close();
  });

  /** Starts `node src/server.ts` against the mock for the tests of one describe block. */
  function useExample(env: () => Record<string, string>): { readonly example: RunningExample } {
    const handle = { example: undefined as unknown as RunningExample };
    beforeAll(async () => {
      handle.example = await startExample({ PORT: '0', ...env() });
    });
    afterAll(async () => {
      await handle.example?.stop();
    });
    return handle;
  }

  describe(`the ${framework} example against the tutorial tenant`, () => {
    // ISSUER_BASE_URL as Auth0 shows it, without the trailing slash the tokens' "iss" has.
    const running = useExample(() => ({ ISSUER_BASE_URL: mock.url, AUDIENCE: TUTORIAL.audience }));

    it('prints exactly one line, with its URL, the issuer and the audience', () => {
      const { example } = running;
      expect(example.stdout()).toBe(`${example.logLine}\n`);
      expect(example.logLine).toBe(
        `${framework} example listening on ${example.url} (issuer ${mock.issuer}, audience ${TUTORIAL.audience})`,
      );
    });

    it('GET /api/public answers 200 without a token', async () => {
      const response = await get(`${running.example.url}/api/public`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        message: "Hello from a public endpoint! You don't need to be authenticated to see this.",
      });
    });

    it('GET /api/private without a token answers 401 with Bearer realm="api" (RFC 6750 section 3.1)', async () => {
      const response = await get(`${running.example.url}/api/private`);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="api"');
      expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(await response.json()).toMatchObject({ error: 'unauthorized' });
    });

    it('GET /api/private answers 200 with a token from the password grant', async () => {
      const token = await passwordGrantToken(mock, TUTORIAL);
      const response = await get(`${running.example.url}/api/private`, token);
      expect(response.status).toBe(200);
      const body = (await response.json()) as { sub: string };
      expect(body.sub).toMatch(/^auth0\|/);
    });

    it('GET /api/private answers 401 invalid_token to a token whose signature was altered', async () => {
      const token = await passwordGrantToken(mock, TUTORIAL);
      const [header, payload, signature = ''] = token.split('.');
      const flipped = `${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
      const response = await get(
        `${running.example.url}/api/private`,
        `${header}.${payload}.${flipped}`,
      );
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(
        /^Bearer realm="api", error="invalid_token", error_description="[^"]+"$/,
      );
    });

    it('GET /api/private-scoped answers 403 insufficient_scope to a token without read:sample', async () => {
      const token = await passwordGrantToken(mock, TUTORIAL, { scope: 'write:sample' });
      const response = await get(`${running.example.url}/api/private-scoped`, token);
      expect(response.status).toBe(403);
      const challenge = response.headers.get('www-authenticate');
      expect(challenge).toMatch(/^Bearer realm="api", error="insufficient_scope", /);
      expect(challenge).toContain('scope="read:sample"');
      expect(await response.json()).toMatchObject({ error: 'insufficient_scope' });
    });

    it('GET /api/private-scoped answers 200 to a token with read:sample', async () => {
      const token = await passwordGrantToken(mock, TUTORIAL, { scope: 'read:sample' });
      const response = await get(`${running.example.url}/api/private-scoped`, token);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({
        message: expect.stringContaining('read:sample') as unknown,
      });
    });
  });

  describe('TOKEN_PROFILE', () => {
    const rfc9068 = useExample(() => ({
      ISSUER_BASE_URL: mock.url,
      AUDIENCE: RFC9068_AUDIENCE,
      TOKEN_PROFILE: 'rfc9068',
    }));
    const auth0 = useExample(() => ({ ISSUER_BASE_URL: mock.url, AUDIENCE: RFC9068_AUDIENCE }));

    it('rfc9068 accepts the RFC 9068 tokens (typ at+jwt) of an API with that profile', async () => {
      const token = await passwordGrantToken(mock, TUTORIAL, { audience: RFC9068_AUDIENCE });
      const response = await get(`${rfc9068.example.url}/api/private-scoped`, token);
      expect(response.status).toBe(200);
    });

    it('unset, it is auth0 and refuses the same token as invalid_token', async () => {
      const token = await passwordGrantToken(mock, TUTORIAL, { audience: RFC9068_AUDIENCE });
      const response = await get(`${auth0.example.url}/api/private`, token);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
    });
  });

  describe('ALGORITHMS', () => {
    // The mock signs with RS256 (its default key).
    const withoutRs256 = useExample(() => ({
      ISSUER_BASE_URL: mock.url,
      AUDIENCE: TUTORIAL.audience,
      ALGORITHMS: 'PS256,ES256',
    }));
    const withRs256 = useExample(() => ({
      ISSUER_BASE_URL: mock.url,
      AUDIENCE: TUTORIAL.audience,
      ALGORITHMS: ' ES256 , RS256 ',
    }));

    it('refuses a token signed with an algorithm the list leaves out', async () => {
      const token = await passwordGrantToken(mock, TUTORIAL);
      const response = await get(`${withoutRs256.example.url}/api/private`, token);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
    });

    it('accepts it when the comma-separated list (spaces allowed) names it', async () => {
      const token = await passwordGrantToken(mock, TUTORIAL);
      const response = await get(`${withRs256.example.url}/api/private`, token);
      expect(response.status).toBe(200);
    });
  });

  const validEnvironment = () => ({
    ISSUER_BASE_URL: mock.url,
    AUDIENCE: TUTORIAL.audience,
    PORT: '0',
  });

  describe('a missing or bad variable', () => {
    it.each([
      ['ISSUER_BASE_URL', { ISSUER_BASE_URL: '' }, 'ISSUER_BASE_URL is required'],
      ['ISSUER_BASE_URL', { ISSUER_BASE_URL: 'ftp://example.com' }, 'ISSUER_BASE_URL must be'],
      ['AUDIENCE', { AUDIENCE: '' }, 'AUDIENCE is required'],
      ['PORT', { PORT: '80a' }, 'PORT must be'],
      ['ALGORITHMS', { ALGORITHMS: 'RS256,HS256' }, 'ALGORITHMS must be'],
      ['TOKEN_PROFILE', { TOKEN_PROFILE: 'jwt' }, 'TOKEN_PROFILE must be'],
    ])('%s (%j) exits 1 with a message naming it', async (_name, override, message) => {
      const run = await runExampleToExit({ ...validEnvironment(), ...override });
      expect(run.exitCode).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(`${framework} example: ${message}`);
    });
  });
}
