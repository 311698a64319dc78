import {
  createRemoteJWKSet,
  jwtVerify,
  type JWTPayload,
  type ProtectedHeaderParameters,
} from 'jose';
import { expect } from 'vitest';
import {
  startMockServer,
  TUTORIAL,
  tutorialTenant,
  type MockServer,
  type MockServerConfig,
} from '../src/index.js';

/** Starts the seed tutorial's tenant, with top-level overrides. */
export function startTutorial(overrides: MockServerConfig = {}): Promise<MockServer> {
  return startMockServer(tutorialTenant(overrides));
}

/** Options of {@link postForm}. */
export interface PostOptions {
  /** Send a JSON body instead of a form. */
  json?: boolean;
  headers?: Record<string, string>;
}

/** POSTs parameters to `url` as a form (or JSON) with plain fetch. */
export function postForm(
  url: string,
  parameters: Record<string, string>,
  options: PostOptions = {},
): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type':
        options.json === true ? 'application/json' : 'application/x-www-form-urlencoded',
      ...options.headers,
    },
    body:
      options.json === true
        ? JSON.stringify(parameters)
        : new URLSearchParams(parameters).toString(),
  });
}

/** The seed's password grant request, with the tutorial client's credentials in the body. */
export function passwordParameters(
  overrides: Record<string, string | undefined> = {},
): Record<string, string> {
  const parameters: Record<string, string | undefined> = {
    grant_type: 'password',
    username: TUTORIAL.username,
    password: TUTORIAL.password,
    audience: TUTORIAL.audience,
    scope: TUTORIAL.scope,
    client_id: TUTORIAL.clientId,
    client_secret: TUTORIAL.clientSecret,
    ...overrides,
  };
  return Object.fromEntries(
    Object.entries(parameters).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

/** Requests tokens from `server`'s token endpoint. */
export function requestToken(
  server: MockServer,
  overrides: Record<string, string | undefined> = {},
  options: PostOptions = {},
): Promise<Response> {
  return postForm(server.tokenEndpoint, passwordParameters(overrides), options);
}

/** A successful token response body. */
export interface TokenBody {
  access_token: string;
  token_type: string;
  expires_in: number;
  refresh_token?: string;
  id_token?: string;
  scope?: string;
  recovery_code?: string;
}

/** Reads a response's JSON body without consuming it, so the test can read it again. */
async function peekJson(response: Response): Promise<Record<string, unknown>> {
  return (await response.clone().json()) as Record<string, unknown>;
}

declare module 'vitest' {
  // Type parameters as vitest declares them, so that the declarations merge.
  interface Matchers<R extends void | Promise<void> = void | Promise<void>, T = unknown> {
    /** The response is an OAuth error with this status, `error` and `error_description`. */
    toBeOAuthError(status: number, error: string, description: string): Promise<void>;
    /** The response is a 200 token response with a Bearer access token. */
    toBeTokenResponse(): Promise<void>;
  }
}

expect.extend({
  async toBeOAuthError(received: Response, status: number, error: string, description: string) {
    const body = await peekJson(received);
    const actual = {
      status: received.status,
      error: body['error'],
      error_description: body['error_description'],
    };
    const expected = { status, error, error_description: description };
    return {
      pass: this.equals(actual, expected),
      message: () =>
        `expected an OAuth error ${this.utils.printExpected(expected)}, got ${this.utils.printReceived(actual)}`,
      actual,
      expected,
    };
  },
  async toBeTokenResponse(received: Response) {
    const body = await peekJson(received);
    const pass =
      received.status === 200 &&
      typeof body['access_token'] === 'string' &&
      body['token_type'] === 'Bearer';
    return {
      pass,
      message: () =>
        `expected a token response, got ${received.status} ${this.utils.printReceived(body)}`,
    };
  },
});

/** Asserts a 200 token response and returns its body. */
export async function expectTokens(response: Response): Promise<TokenBody> {
  await expect(response).toBeTokenResponse();
  return (await response.json()) as TokenBody;
}

/** Asserts an OAuth error response and returns its body (for members such as `mfa_token`). */
export async function expectOAuthError(
  response: Response,
  status: number,
  error: string,
  description: string,
): Promise<Record<string, unknown>> {
  await expect(response).toBeOAuthError(status, error, description);
  return (await response.json()) as Record<string, unknown>;
}

/**
 * Verifies a token the way a resource server would: signature through the published JWKS, issuer
 * and audience. `at` is the mock clock's time when the clock was advanced; `issuer` another issuer
 * (the custom domain's).
 */
export async function verifyToken(
  server: MockServer,
  token: string,
  audience: string,
  options: { at?: number; typ?: string; issuer?: string | undefined } = {},
): Promise<{ payload: JWTPayload; protectedHeader: ProtectedHeaderParameters }> {
  const jwks = createRemoteJWKSet(new URL(server.jwksUri));
  return jwtVerify(token, jwks, {
    issuer: options.issuer ?? server.issuer,
    audience,
    ...(options.at === undefined ? {} : { currentDate: new Date(options.at * 1000) }),
    ...(options.typ === undefined ? {} : { typ: options.typ }),
  });
}
