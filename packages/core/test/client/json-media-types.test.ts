import { describe, expect, it } from 'vitest';
import { InvalidTokenResponseError, OAuthError } from '../../src/index.js';
import { isJsonMediaType, parseMediaType } from '../../src/http/media-type.js';
import {
  HOSTILE_USER,
  hostileClient,
  rejection,
  useHostileServer,
  type HostileAnswer,
} from './hostile-server.js';

const auth = useHostileServer();

const tokenBody = JSON.stringify({
  access_token: 'at-media-type',
  token_type: 'Bearer',
  expires_in: 3600,
});

/** Answers 200 with a valid token response under `contentType`, and signs in. */
async function signInWith(contentType: string | undefined): Promise<unknown> {
  auth.server.queue({
    status: 200,
    headers: contentType === undefined ? {} : { 'content-type': contentType },
    body: tokenBody,
  });
  return hostileClient(auth.server)
    .password(HOSTILE_USER)
    .then(
      (tokens) => tokens,
      (error: unknown) => error,
    );
}

describe('RFC 6749 section 5.1: JSON is application/json or application/*+json, nothing else', () => {
  it.each([
    'application/json',
    'application/json; charset=utf-8',
    'application/json;charset=UTF-8',
    'Application/JSON',
    'APPLICATION/JSON ; Charset="utf-8"',
    'application/vnd.example.tokens+json',
    'application/problem+json',
  ])('accepts %s', async (contentType) => {
    expect(await signInWith(contentType)).toMatchObject({ accessToken: 'at-media-type' });
  });

  it.each([
    'text/json',
    'application/jsonp',
    'application/json-seq',
    'application/x-json',
    'text/plain; profile=json',
    'text/html; note=application/json',
    'application/+json',
    'json',
    'application/ json',
    'application/json, text/html',
    '',
  ])('refuses %j', async (contentType) => {
    const error = await signInWith(contentType);
    expect(error).toBeInstanceOf(InvalidTokenResponseError);
    expect((error as Error).message).toMatch(/not JSON$/);
  });

  it('refuses a body without a content type', async () => {
    expect(await signInWith(undefined)).toBeInstanceOf(InvalidTokenResponseError);
  });

  it('parses type and subtype case-insensitively, ignoring parameters', () => {
    expect(parseMediaType('Application/Problem+JSON; charset=utf-8')).toEqual({
      type: 'application',
      subtype: 'problem+json',
    });
    expect(parseMediaType(['application/json', 'text/html'])).toBeUndefined();
    expect(isJsonMediaType(parseMediaType('text/json'))).toBe(false);
  });
});

/** A problem details answer, with `Retry-After: 3`. */
function problem(body: object, status = 503): HostileAnswer {
  return {
    status,
    headers: { 'content-type': 'application/problem+json', 'retry-after': '3' },
    body,
  };
}

describe('RFC 9457: application/problem+json error answers', () => {
  it('an OAuth error inside a problem document is an OAuthError', async () => {
    auth.server.queue(
      problem(
        {
          type: 'https://example.com/problems/login',
          title: 'Login failed',
          error: 'invalid_grant',
          error_description: 'Wrong email or password.',
        },
        403,
      ),
    );
    const error = await rejection(hostileClient(auth.server).password(HOSTILE_USER));
    expect(error).toBeInstanceOf(OAuthError);
    expect(error).toMatchObject({
      error: 'invalid_grant',
      errorDescription: 'Wrong email or password.',
      status: 403,
      retryAfter: 3,
    });
  });

  it('otherwise title, detail, type and status make the error', async () => {
    auth.server.queue(
      problem({
        type: 'https://example.com/problems/maintenance',
        title: 'Service Unavailable',
        detail: 'The token service is under maintenance.',
        status: 503,
        instance: '/oauth/token/1234',
      }),
    );
    const error = await rejection(hostileClient(auth.server).password(HOSTILE_USER));
    expect(error).toBeInstanceOf(InvalidTokenResponseError);
    expect(error).toMatchObject({
      status: 503,
      retryAfter: 3,
      problem: {
        type: 'https://example.com/problems/maintenance',
        title: 'Service Unavailable',
        detail: 'The token service is under maintenance.',
        status: 503,
      },
    });
    expect((error as Error).message).toBe(
      'The authorization server answered HTTP 503 with a problem (RFC 9457): Service Unavailable: The token service is under maintenance.',
    );
  });

  it('members of the wrong type are ignored, and server text is cleaned and capped', async () => {
    auth.server.queue(
      problem({
        title: `Bad"\r\nInjected: header\u0000${'x'.repeat(1000)}`,
        detail: 42,
        status: '503',
      }),
    );
    const error = (await rejection(
      hostileClient(auth.server).password(HOSTILE_USER),
    )) as InvalidTokenResponseError;
    expect(error.problem?.detail).toBeUndefined();
    expect(error.problem?.status).toBeUndefined();
    expect(error.problem?.title).toMatch(/^[\x20-\x21\x23-\x5B\x5D-\x7E]{1,300}$/);
    expect(error.message).not.toMatch(/[\r\n\0]/);
  });

  it('a problem with no members still names the status', async () => {
    auth.server.queue(problem({}, 500));
    const error = await rejection(hostileClient(auth.server).password(HOSTILE_USER));
    expect((error as Error).message).toBe(
      'The authorization server answered HTTP 500 with a problem (RFC 9457)',
    );
  });

  it('the same members under application/json are not read as a problem', async () => {
    auth.server.queue({ status: 503, body: { title: 'Service Unavailable' } });
    const error = (await rejection(
      hostileClient(auth.server).password(HOSTILE_USER),
    )) as InvalidTokenResponseError;
    expect(error.problem).toBeUndefined();
    expect(error.message).toBe('The authorization server answered HTTP 503 without an OAuth error');
  });
});
