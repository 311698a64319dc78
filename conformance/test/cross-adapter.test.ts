import { startTestApp as startExpress } from '../src/adapters/express.js';
import { startTestApp as startFastify } from '../src/adapters/fastify.js';
import { startTestApp as startKoa } from '../src/adapters/koa.js';
import type { TestApp } from '../src/test-app.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DownstreamApi,
  KIT,
  TokenFactory,
  conformanceTenant,
  createKitKey,
  defaultAppOptions,
  loginReplayRequests,
  replay,
  replayRequests,
  runtimeFromEnvironment,
  startAuthorizationServer,
  type AuthorizationServer,
  type ReplayAnswer,
} from '../src/index.js';

describe('MUST answer byte-identical status, WWW-Authenticate and body across adapters', () => {
  let server: AuthorizationServer;
  let downstream: DownstreamApi;
  let tokens: TokenFactory;
  const apps = new Map<string, TestApp>();

  beforeAll(async () => {
    const key = await createKitKey('cross-adapter');
    server = await startAuthorizationServer(
      conformanceTenant(key),
      runtimeFromEnvironment(),
      () => undefined,
    );
    downstream = await DownstreamApi.start();
    tokens = new TokenFactory(server.issuer, KIT.audience, key);
    const options = defaultAppOptions(server, downstream.url);
    apps.set('express', await startExpress(options));
    apps.set('koa', await startKoa(options));
    apps.set('fastify', await startFastify(options));
  });
  afterAll(async () => {
    await Promise.all([...apps.values()].map((app) => app.close()));
    await downstream?.close();
    await server?.close();
  });

  it('for every failure an API answers', async () => {
    const answers = await replay(apps, await replayRequests(tokens));
    for (const [request, byAdapter] of answers) {
      const express = byAdapter.get('express');
      expect({ request, failed: (express?.status ?? 0) >= 400 }).toEqual({ request, failed: true });
      expect({ request, koa: byAdapter.get('koa') }).toEqual({ request, koa: express });
      expect({ request, fastify: byAdapter.get('fastify') }).toEqual({ request, fastify: express });
    }
  });

  it('for every answer a login form gets (core renders them)', async () => {
    const answers = await replay(apps, loginReplayRequests());
    const outcomes = new Map<string, string>();
    for (const [request, byAdapter] of answers) {
      const express = byAdapter.get('express');
      outcomes.set(request, outcomeOf(express));
      expect({ request, koa: byAdapter.get('koa') }).toEqual({ request, koa: express });
      expect({ request, fastify: byAdapter.get('fastify') }).toEqual({ request, fastify: express });
    }
    expect(Object.fromEntries(outcomes)).toEqual({
      'login, empty JSON': '400 invalid_request',
      'login, no password': '400 invalid_request',
      'login, wrong password': '401 invalid_credentials',
      'login, blocked user': '403 blocked',
      'login, signed in': '200 signed_in',
      'login, MFA required': '401 mfa_required',
      'OTP without a sign-in step': '401 mfa_expired',
      'challenge without a sign-in step': '401 mfa_expired',
      'push poll without a sign-in step': '401 mfa_expired',
      'malformed recovery code': '401 invalid_otp',
      'enrolment of an unknown factor': '400 invalid_request',
      'enrolment of SMS without a phone number': '400 invalid_request',
      'logout without a session': '204',
      'the API called without a session': '401',
    });
  });
});

/** `401 mfa_expired`: the status and, for a login answer, its outcome. */
function outcomeOf(answer: ReplayAnswer | undefined): string {
  if (answer === undefined) return 'no answer';
  let outcome: unknown;
  try {
    outcome = Reflect.get(Object(JSON.parse(answer.body)), 'status');
  } catch {
    outcome = undefined;
  }
  return typeof outcome === 'string' ? `${answer.status} ${outcome}` : String(answer.status);
}
