import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type RequestHandler } from 'express';
import { auth, authErrorHandler, requireStepUp } from '@ropkit/express';
import { MFA_ACR, TUTORIAL, type MockServer } from '@ropkit/mock-server';
import { PASSWORD_LOGIN_DIR, startProgram, type RunningProgram } from './program.ts';
import type { Stack } from './stack.ts';

/**
 * The `acr` of a sign-in with MFA (the OpenID PAPE "Multi-Factor" policy): what Auth0's step-up
 * Action looks for in `acr_values`, and what the mock puts in the tokens after MFA.
 */
export { MFA_ACR };

/**
 * An `acr` no sign-in at the tenant gives: its step-up Action knows only {@link MFA_ACR}, so a
 * sign-in that asks for this one is a password-only sign-in (or the user's usual MFA).
 */
export const UNATTAINABLE_ACR = 'urn:example:acr:hardware-key';

/** What `GET /api/transfer` asks of the sign-in behind the token. */
export type StepUpPolicy = 'mfa' | 'unattainable';

/**
 * An API on @ropkit/express's verifier, pointed at the mock server: `GET /api/transfer` needs a
 * token whose `acr` is {@link MFA_ACR} (`requireStepUp`, RFC 9470), or {@link UNATTAINABLE_ACR}
 * while `policy` is `unattainable`. It answers the token's `sub`, `acr`, `amr` and `auth_time`.
 */
export interface StepUpApi {
  /** `http://127.0.0.1:PORT/api/transfer`. */
  transferUrl: string;
  policy: StepUpPolicy;
  /** How many requests `GET /api/transfer` got, answered or refused. */
  calls: number;
  close(): Promise<void>;
}

export async function startStepUpApi(mock: MockServer): Promise<StepUpApi> {
  const requireAuth = auth({ issuer: mock.issuer, audience: TUTORIAL.audience });
  const rules: Record<StepUpPolicy, RequestHandler> = {
    mfa: requireStepUp({ acrValues: [MFA_ACR] }),
    unattainable: requireStepUp({ acrValues: [UNATTAINABLE_ACR] }),
  };
  const app = express();
  const api = {
    transferUrl: '',
    policy: 'mfa' as StepUpPolicy,
    calls: 0,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
  app.get(
    '/api/transfer',
    (_req, _res, next) => {
      api.calls += 1;
      next();
    },
    requireAuth,
    (req, res, next) => rules[api.policy](req, res, next),
    (req, res) => {
      const { sub, acr, amr, auth_time: authTime } = req.auth?.payload ?? {};
      res.json({ transferred: true, sub, acr, amr, auth_time: authTime });
    },
  );
  app.use(authErrorHandler());
  const server: Server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  api.transferUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/transfer`;
  return api;
}

/** The step-up API, and this app calling it (`API_URL`), as a child process like the stack's. */
export interface StepUpStack {
  api: StepUpApi;
  app: RunningProgram;
  stop(): Promise<void>;
}

export async function startStepUpStack(stack: Stack): Promise<StepUpStack> {
  const api = await startStepUpApi(stack.mock);
  let app: RunningProgram;
  try {
    app = await startProgram(PASSWORD_LOGIN_DIR, {
      ...stack.environment(),
      API_URL: api.transferUrl,
    });
  } catch (error) {
    await api.close();
    throw error;
  }
  return {
    api,
    app,
    async stop() {
      await app.stop();
      await api.close();
    },
  };
}

/**
 * A user with a second factor whose password alone signs in: MFA is not required of it. `otp`: an
 * authenticator app (`totpSecret`) and a recovery code; `push`: Auth0 Guardian only.
 */
export interface StepUpUser {
  email: string;
  password: string;
  totpSecret: string;
  recoveryCode: string;
}

/**
 * Adds a new such user to the mock's default directory (`mock-tenant.json`'s users must all pass
 * MFA on every sign-in, so there a step-up would change nothing): only a step-up, whose
 * `acr_values` the tenant's Action answers with `mfa_required`, makes it use its factor.
 */
export async function addStepUpUser(
  mock: MockServer,
  name: string,
  factor: 'otp' | 'push' = 'otp',
): Promise<StepUpUser> {
  const user = {
    email: `${name}@example.com`,
    password: `${name}-pwd`,
    // RFC 6238 appendix B's secret, "12345678901234567890", in base32.
    totpSecret: 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ',
    recoveryCode: 'STEPUP7Q2XK9PLM4ZT8WNB3H',
  };
  await mock.control.setUser(TUTORIAL.connection, {
    email: user.email,
    password: user.password,
    mfa:
      factor === 'otp'
        ? { required: false, totpSecret: user.totpSecret, recoveryCodes: [user.recoveryCode] }
        : { required: false, push: ['Pixel 9'] },
  });
  return user;
}
