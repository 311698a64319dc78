import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { startMockServer, TUTORIAL, type MockServer } from '@ropkit/mock-server';
import type { MockServerConfig } from '@ropkit/mock-server';
import {
  EXPRESS_API_DIR,
  PASSWORD_LOGIN_DIR,
  startProgram,
  type RunningProgram,
} from './program.ts';

/**
 * The tenant the README runs the mock server with (`mock-tenant.json`): the tutorial's client
 * with the MFA grants, and one user per kind of sign-in.
 */
export const TENANT_FILE = new URL('../../mock-tenant.json', import.meta.url);

/** The users of `mock-tenant.json`. */
export const USERS = {
  /** No MFA. */
  plain: { email: TUTORIAL.username, password: TUTORIAL.password },
  /** An authenticator app, and one recovery code. */
  otp: {
    email: 'otp@example.com',
    password: 'otp-pwd',
    totpSecret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
    recoveryCode: 'RCVR7Q2XK9PLM4ZT8WNB3HJD',
  },
  /** A phone for SMS (and voice) codes. */
  sms: { email: 'sms@example.com', password: 'sms-pwd', phone: '+15555550100' },
  /** Auth0 Guardian push notifications. */
  push: { email: 'push@example.com', password: 'push-pwd' },
  /** MFA required, nothing set up yet: enrols on the first sign-in. */
  enrol: { email: 'new@example.com', password: 'new-pwd' },
} as const;

/** The mock server, the express API example and this app, each as its README runs it. */
export interface Stack {
  mock: MockServer;
  api: RunningProgram;
  app: RunningProgram;
  /** The app's environment (a new session secret each call). */
  environment(): Record<string, string>;
  stop(): Promise<void>;
}

/**
 * Starts the mock server in-process with `mock-tenant.json` (access tokens living
 * `tokenLifetime` seconds), then the express API example and this app as child processes.
 */
export async function startStack({
  tokenLifetime,
}: { tokenLifetime?: number } = {}): Promise<Stack> {
  const tenant = JSON.parse(readFileSync(TENANT_FILE, 'utf8')) as MockServerConfig;
  const mock = await startMockServer({
    ...tenant,
    apis: (tenant.apis ?? []).map((api) =>
      tokenLifetime === undefined ? api : { ...api, tokenLifetime },
    ),
  });
  let api: RunningProgram | undefined;
  let app: RunningProgram | undefined;
  const stop = async () => {
    await app?.stop();
    await api?.stop();
    await mock.close();
  };
  const environment = (): Record<string, string> => ({
    ISSUER_BASE_URL: mock.url,
    CLIENT_ID: TUTORIAL.clientId,
    CLIENT_SECRET: TUTORIAL.clientSecret,
    AUDIENCE: TUTORIAL.audience,
    API_URL: `${api?.url ?? ''}/api/private-scoped`,
    SESSION_SECRET: randomBytes(32).toString('base64url'),
    PORT: '0',
  });
  try {
    // The express API example, as its README runs it against the mock server.
    api = await startProgram(EXPRESS_API_DIR, {
      ISSUER_BASE_URL: mock.url,
      AUDIENCE: TUTORIAL.audience,
      PORT: '0',
    });
    app = await startProgram(PASSWORD_LOGIN_DIR, environment());
  } catch (error) {
    await stop();
    throw error;
  }
  return { mock, api, app, environment, stop };
}

/** How many token requests of `grantType` the mock has seen (since its log was cleared). */
export async function tokenRequests(mock: MockServer, grantType: string): Promise<number> {
  const log = await mock.control.requests();
  return log.filter((entry) => entry.path === '/oauth/token' && entry.grantType === grantType)
    .length;
}
