import {
  GrantType,
  TUTORIAL,
  tutorialTenant,
  type MockServer,
  type RequestLogEntry,
} from '@ropkit/mock-server';
import { describe, expect, it } from 'vitest';
import { runCli } from '../src/cli.ts';
import { FRAMEWORKS } from '../src/frameworks.ts';
import { MASKED } from '../src/mask.ts';
import { DEMO, demoTenant } from '../src/mock-tenant.ts';
import { parseDemoArguments, UsageError } from '../src/options.ts';
import { MOCK_ONLY, runDemo } from '../src/run-demo.ts';
import { attackProtection } from '../src/steps/attack-protection.ts';
import { callApiStep } from '../src/steps/call-api.ts';
import { customizeTokens } from '../src/steps/customize-tokens.ts';
import { senderConstrainedTokens } from '../src/steps/dpop.ts';
import { mfaEnrolment } from '../src/steps/mfa-enrolment.ts';
import { mfaOob } from '../src/steps/mfa-oob.ts';
import { mfaPush } from '../src/steps/mfa-push.ts';
import { mfaRecoveryCode } from '../src/steps/mfa-recovery-code.ts';
import { multiFactor } from '../src/steps/multi-factor.ts';
import { passwordRealm } from '../src/steps/password-realm.ts';
import { requestTokens } from '../src/steps/request-tokens.ts';
import { TUTORIAL_STEPS } from '../src/steps/index.ts';

/** Runs the demo and keeps what it printed. */
async function demo(options: Omit<Parameters<typeof runDemo>[0], 'write'>) {
  let output = '';
  const run = await runDemo({ ...options, write: (text) => (output += text) });
  const status = Object.fromEntries(run.results.map((result) => [result.id, result.status]));
  const reason = Object.fromEntries(run.results.map((result) => [result.id, result.reason]));
  return { ...run, output, status, reason };
}

/** Every secret of the demo tenant's configuration: none may be printed. */
const SECRETS = [
  TUTORIAL.clientSecret,
  DEMO.trustedBackend.clientSecret,
  DEMO.mfa.password,
  DEMO.mfa.totpSecret,
  DEMO.realm.password,
  DEMO.mfaSms.password,
  DEMO.mfaPush.password,
  DEMO.mfaRecovery.password,
  DEMO.mfaRecovery.totpSecret,
  DEMO.mfaRecovery.recoveryCode,
  DEMO.mfaEnrol.password,
];

/** The users of the MFA steps, in the tutorial's default directory. */
const MFA_USERS = [
  DEMO.mfa.username,
  DEMO.mfaSms.username,
  DEMO.mfaPush.username,
  DEMO.mfaRecovery.username,
  DEMO.mfaEnrol.username,
];

/**
 * The secrets the mock made up during the run: the codes it sent by SMS and their `oob_code`s,
 * the TOTP secret of the enrolled authenticator app, and the recovery codes it handed out (the
 * one that replaced the spent code, those of the enrolment). Read from its control API.
 */
async function secretsMadeUp(server: MockServer): Promise<string[]> {
  const secrets: string[] = [];
  for (const email of MFA_USERS) {
    for (const message of await server.control.mfaMessages(TUTORIAL.connection, email))
      secrets.push(message.code, message.oobCode);
    for (const authenticator of await server.control.authenticators(TUTORIAL.connection, email)) {
      if (authenticator.secret !== undefined) secrets.push(authenticator.secret);
      secrets.push(...(authenticator.codes ?? []));
    }
  }
  return secrets;
}

/**
 * Whether `secret` is in `output`. A code of digits only counts when no digit touches it: the
 * 6-digit code 123456 inside the timestamp 1712345678 is not the code.
 */
function shows(output: string, secret: string): boolean {
  if (!/^\d+$/.test(secret)) return output.includes(secret);
  return new RegExp(`(?<!\\d)${secret}(?!\\d)`).test(output);
}

/** Request and answer members that are secrets: printed masked, whatever the step. */
const MASKED_MEMBERS = [
  'password',
  'client_secret',
  'otp',
  'oob_code',
  'binding_code',
  'recovery_code',
  'secret',
];

/** The value of each `name value` line of a masked member, as printed. */
function maskedMemberValues(output: string): Array<[string, string]> {
  const pattern = new RegExp(`^ {6}(${MASKED_MEMBERS.join('|')}) +(.*)$`, 'gm');
  return [...output.matchAll(pattern)].map((match) => [match[1] ?? '', match[2] ?? '']);
}

/** A whole JWT (three base64url segments): tokens must only ever be shown shortened. */
const WHOLE_JWT = /eyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]{4,}/;

/** A token or proof as the demo shortens it (`eyJhbGci…k4laUWw`). */
const SHORTENED = String.raw`eyJ[\w-]{5}…[\w-]{7}`;

/** The token endpoint requests the mock received, as its request log has them. */
function tokenRequests(requests: readonly RequestLogEntry[]) {
  return requests
    .filter((request) => request.path === '/oauth/token')
    .map((request) => ({
      grantType: request.grantType,
      status: request.status,
      dpop: request.dpop === true,
    }));
}

/**
 * The example API's answers a step printed, in order: status, `error` of the body, and the
 * `WWW-Authenticate` challenge (`null` when none came).
 */
function apiAnswers(lines: readonly string[]) {
  const answers: Array<{ status: number; error: string | undefined; challenge: string | null }> =
    [];
  lines.forEach((line, index) => {
    const match = /^← (\d{3}) (\{.*\})$/.exec(line);
    if (match === null || !lines[index - 1]?.startsWith('→ GET ')) return;
    const challenge = /^ {4}WWW-Authenticate: (.*)$/.exec(lines[index + 1] ?? '')?.[1] ?? null;
    const body = JSON.parse(match[2] ?? '{}') as { error?: string };
    answers.push({ status: Number(match[1]), error: body.error, challenge });
  });
  return answers;
}

/** Collects what the command writes. */
function io() {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    io: {
      stdout: (text: string) => {
        out.stdout += text;
      },
      stderr: (text: string) => {
        out.stderr += text;
      },
    },
  };
}

/** The message of the UsageError that parsing `argv` and `env` throws. */
function usageError(argv: string[], env: Record<string, string> = {}): string {
  let thrown: unknown;
  try {
    parseDemoArguments(argv, env);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(UsageError);
  return (thrown as UsageError).message;
}

describe.each(FRAMEWORKS)('the demo on %s against the mock tenant', (framework) => {
  it('passes every step of the tutorial and its optional sections, printing no secret', async () => {
    let madeUp: string[] = [];
    let requests: RequestLogEntry[] = [];
    const run = await demo({
      framework,
      beforeClose: async (server) => {
        madeUp = await secretsMadeUp(server);
        requests = await server.control.requests();
      },
    });
    expect(run.results.map((result) => [result.id, result.status, result.reason])).toEqual(
      TUTORIAL_STEPS.map((step) => [step.id, 'ok', undefined]),
    );
    expect(run.exitCode).toBe(0);
    expect(run.output).toContain(`API: http://127.0.0.1:`);
    expect(run.output).toContain(`protected by @ropkit/${framework}`);
    for (const heading of ['1. Request tokens', '2. Call API', '3. Refresh tokens'])
      expect(run.output).toContain(`== ${heading}`);
    expect(run.output).toMatch(/access_token\s+eyJ[\w-]{5}…[\w-]{7}\n/);
    expect(run.output).toMatch(/http:\/\/foo\/bar +"value"/);

    // The ID token's claims are shown as verified by @ropkit/core, the namespaced one included;
    // the access token's only decoded (the API verifies them).
    const steps = Object.fromEntries(
      run.results.map((result) => [result.id, result.lines.join('\n')]),
    );
    const requested = steps['request-tokens'] ?? '';
    expect(requested).toContain(
      'access token claims (decoded only, not verified: the API verifies them)',
    );
    expect(requested).toContain('ID token claims (verified: signature, iss, aud, exp, iat)');
    expect(requested).toMatch(
      /ID token claims \(verified[^\n]*\n(?: {4}.*\n)*? {4}http:\/\/fiz\/baz +some other value/,
    );
    expect(run.output).not.toContain('claims (decoded)');
    const customized = steps['customize-tokens'] ?? '';
    expect(customized).toMatch(
      /namespaced claims in the ID token \(verified: signature, iss, aud, exp, iat\)\n {4}http:\/\/fiz\/baz +"some other value"/,
    );

    // /userinfo, with the session's access token, answers the ID token's user.
    const sub = /ID token claims \(verified[^\n]*\n(?: {4}.*\n)*? {4}sub +(\S+)/.exec(
      requested,
    )?.[1];
    expect(sub).toMatch(/^auth0\|/);
    expect(requested).toMatch(
      /→ GET http:\/\/127\.0\.0\.1:\d+\/userinfo {2}Authorization: Bearer eyJ[\w-]{5}…[\w-]{7}\n/,
    );
    expect(requested).toMatch(new RegExp(`← 200 profile\n {4}sub +${sub?.replace('|', '\\|')}\n`));
    expect(requested).toMatch(new RegExp(`\n {4}email +${TUTORIAL.username}\n`));
    expect(requested).toMatch(/← 200 profile\n(?: {4}.*\n)*? {4}name +\S+/);
    expect(requested).toContain(`/userinfo's sub equals the ID token's sub (${sub})`);

    // A refresh with a reduced scope: the server answers with the scope it granted.
    const refreshed = steps['refresh-tokens'] ?? '';
    expect(refreshed).toMatch(
      /refresh again with a reduced scope:\n→ POST [^\n]+\n(?: {4}.*\n)*? {4}scope +openid read:sample\n← 200 token response\n(?: {4}.*\n)*? {4}scope +openid read:sample\n/,
    );
    expect(refreshed).toContain('granted scope: openid read:sample (asked for openid read:sample)');
    expect(run.output).toContain('403 mfa_required');
    expect(run.output).toContain('429 too_many_attempts');
    expect(run.output).toMatch(/PASSED on \w+: 13 ok, 0 failed, 0 skipped, of 13 steps/);

    // The API allows DPoP, yet only the DPoP step's client sent a proof and got a bound token:
    // every other step's tokens are Bearer tokens, sent as Bearer.
    const proven = tokenRequests(requests).filter((request) => request.dpop);
    expect(proven).toEqual([{ grantType: 'password', status: 200, dpop: true }]);
    expect(tokenRequests(requests).length).toBeGreaterThan(20);
    for (const [id, lines] of Object.entries(steps)) {
      const types = [...lines.matchAll(/^ {4}token_type +(\S+)$/gm)].map((match) => match[1]);
      expect([id, new Set(types)]).toEqual([
        id,
        new Set(types.length === 0 ? [] : [id === 'dpop' ? 'DPoP' : 'Bearer']),
      ]);
    }
    expect(run.output.match(/Authorization: DPoP /g)?.length).toBe(5);
    expect((steps['dpop'] ?? '').match(/Authorization: Bearer /g)?.length).toBe(1);

    // Nothing secret is printed: not the configuration's, not what the mock made up on the way.
    expect(madeUp.length).toBeGreaterThanOrEqual(5);
    expect([...SECRETS, ...madeUp].filter((secret) => shows(run.output, secret))).toEqual([]);
    expect(run.output).not.toMatch(/\bpwd\b/); // TUTORIAL.password
    expect(run.output).not.toMatch(WHOLE_JWT);
    const masked = maskedMemberValues(run.output);
    expect(new Set(masked.map(([name]) => name))).toEqual(new Set(MASKED_MEMBERS));
    for (const [name, value] of masked) expect([name, value.slice(0, 8)]).toEqual([name, MASKED]);
  });

  it('shows each MFA step as sent and answered, its secrets masked', async () => {
    const run = await demo({ framework, steps: [mfaOob, mfaPush, mfaRecoveryCode, mfaEnrolment] });
    expect(run.status).toEqual({
      'mfa-oob': 'ok',
      'mfa-push': 'ok',
      'mfa-recovery-code': 'ok',
      'mfa-enrolment': 'ok',
    });
    const lines = (id: string) => run.results.find((result) => result.id === id)?.lines ?? [];

    const sms = lines('mfa-oob').join('\n');
    expect(sms).toContain('mfa_requirements    {"challenge":[{"type":"phone"}]}');
    expect(sms).toMatch(/→ POST http:\/\/127\.0\.0\.1:\d+\/mfa\/challenge\n/);
    expect(sms).toContain('binding_method      prompt');
    expect(sms).toContain(
      `the user's phone ${DEMO.mfaSms.phoneNumber} receives a 6-digit code: ${MASKED}`,
    );
    expect(sms).toContain('← 403 invalid_grant "Invalid binding_code."');
    expect(sms).toContain(`grant_type          ${GrantType.mfaOob}`);

    const push = lines('mfa-push').join('\n');
    expect(push).toContain('{"challenge":[{"type":"push-notification"}]}');
    expect(push).toContain('binding_method      (none sent: a push');
    expect(push).toContain('← authorization_pending: the user has not answered yet');
    expect(push).toContain('the user taps "Allow" in Guardian');
    expect(push).toMatch(/← 200 token response \(poll 1 after the tap\)/);

    const recovery = lines('mfa-recovery-code').join('\n');
    expect(recovery).toContain(`grant_type          ${GrantType.mfaRecoveryCode}`);
    expect(recovery).toContain(`recovery_code       ${MASKED} (new: the app shows it`);
    expect(recovery).toContain('← 403 invalid_grant "Invalid recovery_code."');

    const enrolment = lines('mfa-enrolment').join('\n');
    expect(enrolment).toContain('"enroll":[{"type":"otp"}');
    expect(enrolment).toMatch(
      /→ POST http:\/\/127\.0\.0\.1:\d+\/mfa\/associate {2}Authorization: Bearer /,
    );
    expect(enrolment).toMatch(
      /barcode_uri {9}otpauth:\/\/totp\/[^?\s]+\?secret=\*{8}&issuer=127\.0\.0\.1&algorithm=SHA1&digits=6&period=30\n/,
    );
    expect(enrolment).toMatch(
      /\{"id":"totp\|dev_\w+","authenticator_type":"otp","active":false\}\n/,
    );
    expect(enrolment).toMatch(/\{"id":"totp\|dev_\w+","authenticator_type":"otp","active":true\}/);
    expect(enrolment).toContain('{"challenge":[{"type":"otp"}]}');
  });

  it("shows the refresh answer as the server sent it, not the token manager's merged set", async () => {
    const run = await demo({ framework, steps: TUTORIAL_STEPS.slice(0, 3) });
    expect(run.status['refresh-tokens']).toBe('ok');
    const lines = run.results.find((result) => result.id === 'refresh-tokens')?.lines ?? [];
    const answer = lines.slice(lines.indexOf('← 200 token response'));
    // The mock, as Auth0 with rotation off, sends no refresh token: none is printed as received.
    expect(answer).toContain(
      '    refresh_token       (none sent: the token manager keeps the previous one)',
    );
    const sent = lines.find((line) => line.startsWith('    refresh_token '))?.slice(24);
    expect(sent).toMatch(/^[\w-]{8}…[\w-]{7}$/);
    expect(lines).toContain(
      `the token manager keeps refresh_token ${sent}: rotation is off, the old one stays valid`,
    );
  });

  it("binds the DPoP step's token to its key; the API takes it only with a new proof of that key", async () => {
    let requests: RequestLogEntry[] = [];
    const run = await demo({
      framework,
      steps: [requestTokens, senderConstrainedTokens],
      beforeClose: async (server) => {
        requests = await server.control.requests();
      },
    });
    expect(run.status).toEqual({ 'request-tokens': 'ok', dpop: 'ok' });
    // The tutorial's client sent no proof and got a Bearer token; the DPoP client proved its key.
    expect(tokenRequests(requests)).toEqual([
      { grantType: 'password', status: 200, dpop: false },
      { grantType: 'password', status: 200, dpop: true },
    ]);
    const lines = run.results.find((result) => result.id === 'dpop')?.lines ?? [];
    const text = lines.join('\n');
    expect(lines).toContain(
      "    header              DPoP: a new proof (POST, this URL), signed with the application's key",
    );
    expect(text).toMatch(/← 200 token response\n(?: {4}.*\n)*? {4}token_type +DPoP\n/);
    expect(run.results[0]?.lines.join('\n')).toMatch(/\n {4}token_type +Bearer\n/);

    // The token's cnf.jkt is the thumbprint of the client's key, and so is the proof's jwk's.
    const thumbprint = /^ {4}thumbprint +([\w-]{43}) /m.exec(text)?.[1];
    expect(thumbprint).toMatch(/^[\w-]{43}$/);
    expect(lines).toContain(`    cnf                 {"jkt":"${thumbprint}"}`);
    expect(lines).toContain(
      `    jwk                 EC P-256 public key, thumbprint ${thumbprint}`,
    );
    expect(lines).toContain('    typ                 dpop+jwt');
    expect(text).toMatch(/\n {4}htu +http:\/\/127\.0\.0\.1:\d+\/api\/private\n/);

    // What the example API answered, over HTTP, in order.
    expect(apiAnswers(lines).map(({ status, error }) => [status, error])).toEqual([
      [200, undefined], // Authorization: DPoP and createAuthorizedFetch's proof
      [401, 'invalid_token'], // the same token as Bearer
      [400, 'invalid_request'], // DPoP without a proof
      [200, undefined], // a new proof of client.dpop
      [401, 'invalid_dpop_proof'], // that proof again
      [401, 'invalid_token'], // a proof of another key
    ]);
    const [, asBearer, noProof, , replayed] = apiAnswers(lines);
    expect(asBearer?.challenge).toBe(
      'Bearer realm="api", error="invalid_token", error_description="DPoP-bound token was sent with the Bearer scheme", DPoP realm="api", algs="ES256 ES384 ES512 PS256 PS384 PS512 RS256 RS384 RS512 EdDSA"',
    );
    expect(noProof?.challenge).toContain(
      'error_description="The DPoP scheme came without a DPoP proof"',
    );
    expect(replayed?.challenge).toContain(
      'error="invalid_dpop_proof", error_description="DPoP proof was used before"',
    );
    expect(text).toContain(
      '{"error":"invalid_token","error_description":"Token is bound to another DPoP key"}',
    );

    // Tokens and proofs only ever shortened; the replayed proof is the one that passed.
    const token = new RegExp(`Authorization: DPoP (${SHORTENED})`).exec(text)?.[1];
    expect(lines).toContain(
      `→ GET ${run.output.match(/API: (\S+)/)?.[1]}/api/private  Authorization: Bearer ${token}`,
    );
    const proofs = [...text.matchAll(new RegExp(`  DPoP: (${SHORTENED})`, 'g'))].map((m) => m[1]);
    expect(proofs).toHaveLength(3);
    expect(proofs[1]).toBe(proofs[0]);
    expect(proofs[2]).not.toBe(proofs[0]);
    expect(text).not.toMatch(WHOLE_JWT);
  });
});

describe('a tenant that breaks a step fails the run', () => {
  const base = tutorialTenant();
  const [tutorialClient, ...otherClients] = demoTenant().clients ?? [];

  it('fails "Request tokens" and exits 1 when the application may not use the password grant', async () => {
    const run = await demo({
      framework: 'express',
      mockTenant: demoTenant({
        clients: [
          { ...tutorialClient!, grantTypes: ['refresh_token'] }, // Auth0's default: no Password
          ...otherClients,
        ],
      }),
    });
    expect(run.status['request-tokens']).toBe('failed');
    expect(run.reason['request-tokens']).toContain(
      "unauthorized_client: Grant type 'password' not allowed for the client.",
    );
    // The steps that need its tokens are not tried.
    expect(run.status['call-api']).toBe('skipped');
    expect(run.reason['refresh-tokens']).toBe('needs "Request tokens", which failed');
    expect(run.status['call-api-again']).toBe('skipped');
    expect(run.exitCode).toBe(1);
    expect(run.output).toContain('FAILED: OAuthError: unauthorized_client');
    expect(run.output).toMatch(/FAILED on express: \d ok, \d+ failed/);
  });

  it('fails "Request tokens" when the API does not allow offline access (no refresh token)', async () => {
    const run = await demo({
      framework: 'koa',
      mockTenant: demoTenant({
        apis: (base.apis ?? []).map((api) => ({ ...api, allowOfflineAccess: false })),
      }),
      steps: TUTORIAL_STEPS.slice(0, 1),
    });
    expect(run.status['request-tokens']).toBe('failed');
    expect(run.reason['request-tokens']).toMatch(/^no refresh_token: allow offline access/);
    expect(run.exitCode).toBe(1);
  });

  it('fails "Call API" when the tokens are not of the profile the API verifies', async () => {
    const run = await demo({
      framework: 'fastify',
      // RFC 9068 tokens (typ at+jwt) where the example API expects Auth0's (typ JWT).
      mockTenant: demoTenant({
        apis: (base.apis ?? []).map((api) => ({ ...api, tokenProfile: 'rfc9068' as const })),
      }),
      steps: TUTORIAL_STEPS.slice(0, 2),
    });
    expect(run.status).toEqual({ 'request-tokens': 'ok', 'call-api': 'failed' });
    expect(run.reason['call-api']).toBe('/api/private with the token answered 401');
    expect(run.output).toMatch(/← 401 \{"error":"invalid_token"/);
    expect(run.exitCode).toBe(1);
  });

  it('fails "Customize tokens" when no rule adds the claim', async () => {
    const run = await demo({
      framework: 'express',
      mockTenant: demoTenant({ rules: [] }),
      steps: [customizeTokens],
    });
    expect(run.reason['customize-tokens']).toBe(
      'the access token has no "http://foo/bar" claim: no rule added it',
    );
    expect(run.exitCode).toBe(1);
  });

  it('fails "Configure realm support" when the application may not use the password-realm grant', async () => {
    const run = await demo({
      framework: 'express',
      mockTenant: demoTenant({
        clients: [
          { ...tutorialClient!, grantTypes: ['password', 'refresh_token'] },
          ...otherClients,
        ],
      }),
      steps: [passwordRealm],
    });
    expect(run.status['password-realm']).toBe('failed');
    expect(run.reason['password-realm']).toContain('unauthorized_client');
  });

  it('fails every "Configure MFA" step when the tenant does not ask the user for a second factor', async () => {
    const tenant = demoTenant();
    const steps = [multiFactor, mfaOob, mfaPush, mfaRecoveryCode, mfaEnrolment];
    const run = await demo({
      framework: 'koa',
      mockTenant: {
        ...tenant,
        connections: (tenant.connections ?? []).map((connection) => ({
          ...connection,
          users: (connection.users ?? []).map((user) =>
            user.mfa === undefined ? user : { ...user, mfa: { ...user.mfa, required: false } },
          ),
        })),
      },
      steps,
    });
    for (const step of steps)
      expect(run.reason[step.id]).toBe(
        'the tenant issued tokens without asking for a second factor',
      );
    expect(run.exitCode).toBe(1);
  });

  it('fails the SMS and push steps when the application may not use the mfa-oob grant', async () => {
    const run = await demo({
      framework: 'express',
      mockTenant: demoTenant({
        clients: [
          {
            ...tutorialClient!,
            grantTypes: (tutorialClient?.grantTypes ?? []).filter(
              (grant) => grant !== GrantType.mfaOob,
            ),
          },
          ...otherClients,
        ],
      }),
      steps: [mfaOob, mfaPush],
    });
    expect(run.status).toEqual({ 'mfa-oob': 'failed', 'mfa-push': 'failed' });
    expect(run.reason['mfa-oob']).toBe('expected invalid_grant, got unauthorized_client');
    expect(run.reason['mfa-push']).toContain(
      `unauthorized_client: Grant type '${GrantType.mfaOob}' not allowed for the client.`,
    );
  });

  it('shows the new refresh token a rotating client gets, and that it replaces the old one', async () => {
    const run = await demo({
      framework: 'fastify',
      mockTenant: demoTenant({
        clients: [{ ...tutorialClient!, refreshToken: { rotation: 'rotating' } }, ...otherClients],
      }),
      steps: TUTORIAL_STEPS.slice(0, 4),
    });
    expect(run.exitCode).toBe(0);
    const lines = run.results.find((result) => result.id === 'refresh-tokens')?.lines ?? [];
    const [sent, received] = lines
      .filter((line) => line.startsWith('    refresh_token '))
      .map((line) => line.slice(24));
    expect(sent).toMatch(/^[\w-]{8}…[\w-]{7}$/);
    expect(received).toMatch(/^[\w-]{8}…[\w-]{7}$/);
    expect(received).not.toBe(sent);
    expect(lines).toContain(
      `rotation: the new refresh token replaces ${sent}, which must not be sent again`,
    );
  });

  it("fails the DPoP step when the API does not allow sender constraining (Auth0's default)", async () => {
    let requests: RequestLogEntry[] = [];
    const run = await demo({
      framework: 'koa',
      mockTenant: demoTenant({
        apis: (base.apis ?? []).map((api) => ({ ...api, proofOfPossession: 'none' as const })),
      }),
      steps: [senderConstrainedTokens],
      beforeClose: async (server) => {
        requests = await server.control.requests();
      },
    });
    // The proof was sent and checked, but the token stays Bearer.
    expect(tokenRequests(requests)).toEqual([{ grantType: 'password', status: 200, dpop: true }]);
    expect(run.status['dpop']).toBe('failed');
    expect(run.reason['dpop']).toBe(
      'the token endpoint answered token_type Bearer, not DPoP: allow "Token Sender-Constraining" on the API',
    );
    expect(run.exitCode).toBe(1);
  });

  it('fails the DPoP step when the example API does not check DPoP', async () => {
    const run = await demo({
      framework: 'express',
      apiDpop: false, // a verifier unaware of DPoP: Bearer only, cnf ignored
      steps: [senderConstrainedTokens],
    });
    expect(run.status['dpop']).toBe('failed');
    expect(run.reason['dpop']).toBe('/api/private answered 401 to the token and its proof');
  });

  it('passes the DPoP step on an API that requires DPoP, where Bearer tokens fail "Call API"', async () => {
    const run = await demo({
      framework: 'fastify',
      apiDpop: { mode: 'required' },
      steps: [requestTokens, callApiStep, senderConstrainedTokens],
    });
    expect(run.status).toEqual({ 'request-tokens': 'ok', 'call-api': 'failed', dpop: 'ok' });
    // Without a token the API challenges DPoP only, and refuses the Bearer token.
    expect(run.reason['call-api']).toBe(
      '/api/private without a token answered 401, not 401 with a Bearer challenge',
    );
    const lines = run.results.find((result) => result.id === 'dpop')?.lines ?? [];
    expect(apiAnswers(lines).map(({ status, error }) => [status, error])).toEqual([
      [200, undefined],
      [401, 'unauthorized'], // Bearer: answered as a request without credentials
      [400, 'invalid_request'],
      [200, undefined],
      [401, 'invalid_dpop_proof'],
      [401, 'invalid_token'],
    ]);
  });

  it('fails "Configure attack protection" when the client does not trust auth0-forwarded-for', async () => {
    const run = await demo({
      framework: 'fastify',
      mockTenant: demoTenant({
        clients: [
          tutorialClient!,
          ...otherClients.map((client) => ({ ...client, trustForwardedFor: false })),
        ],
      }),
      steps: [attackProtection],
    });
    // The failures then count against the backend's own IP, so the user is locked out too.
    expect(run.status['attack-protection']).toBe('failed');
    expect(run.reason['attack-protection']).toContain('too_many_attempts');
    expect(run.output).toContain("the right password from the user's own IP");
  });
});

describe('the command line', () => {
  it('runs the demo and exits 0', async () => {
    const { out, io: streams } = io();
    expect(await runCli(['--framework', 'koa'], {}, streams)).toBe(0);
    expect(out.stdout).toContain('PASSED on koa: 13 ok');
    expect(out.stderr).toBe('');
  });

  it('exits 2 with a clear message for an unknown framework', async () => {
    const { out, io: streams } = io();
    expect(await runCli(['--framework', 'hapi'], {}, streams)).toBe(2);
    expect(out.stderr).toContain(
      'tutorial-demo: --framework must be one of express, koa, fastify; "hapi" is not supported',
    );
    expect(out.stdout).toBe('');
  });

  it('prints the usage for --help', async () => {
    const { out, io: streams } = io();
    expect(await runCli(['-h'], {}, streams)).toBe(0);
    expect(out.stdout).toMatch(/^Usage: node src\/main\.ts \[--framework express\|koa\|fastify\]/);
    expect(out.stdout).toContain('ROPKIT_DEMO_MFA_SECRET');
  });
});

describe('flags and settings', () => {
  const complete = {
    ROPKIT_DEMO_DOMAIN: 'your-tenant.eu.auth0.com',
    ROPKIT_DEMO_CLIENT_ID: 'client-id-1',
    ROPKIT_DEMO_CLIENT_SECRET: 'client-secret-canary',
    ROPKIT_DEMO_AUDIENCE: 'https://api.example.com',
    ROPKIT_DEMO_USERNAME: 'user@example.com',
    ROPKIT_DEMO_PASSWORD: 'password-canary',
  };

  it('defaults to express and the mock server', () => {
    expect(parseDemoArguments([], {})).toEqual({
      help: false,
      framework: 'express',
      tenant: { kind: 'mock' },
    });
    expect(parseDemoArguments(['-f', 'fastify'], {})).toMatchObject({ framework: 'fastify' });
    expect(parseDemoArguments(['--framework=koa'], {})).toMatchObject({ framework: 'koa' });
    // pnpm passes on the `--` of `pnpm start -- --framework koa`.
    expect(parseDemoArguments(['--', '--framework', 'koa'], {})).toMatchObject({
      framework: 'koa',
    });
  });

  it('refuses unknown flags, positionals and a missing value', () => {
    expect(usageError(['--frameworks', 'koa'])).toContain("Unknown option '--frameworks'");
    expect(usageError(['koa'])).toContain("Unexpected argument 'koa'");
    expect(usageError(['--framework'])).toContain(
      "Option '-f, --framework <value>' argument missing",
    );
  });

  it('uses a real tenant when the domain and every required setting are given', () => {
    expect(parseDemoArguments(['--framework', 'koa'], complete)).toEqual({
      help: false,
      framework: 'koa',
      tenant: {
        kind: 'real',
        settings: {
          issuer: 'https://your-tenant.eu.auth0.com/',
          clientId: 'client-id-1',
          clientSecret: 'client-secret-canary',
          audience: 'https://api.example.com',
          username: 'user@example.com',
          password: 'password-canary',
          attackProtection: false,
          dpop: false,
        },
      },
    });
  });

  it('takes the optional settings, and non-secret flags over the environment', () => {
    const parsed = parseDemoArguments(
      [
        '--audience',
        'https://flag.example.com',
        '--realm',
        'employees',
        '--attack-protection',
        '--dpop',
      ],
      {
        ...complete,
        ROPKIT_DEMO_DOMAIN: 'https://your-tenant.eu.auth0.com/',
        ROPKIT_DEMO_MFA_SECRET: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
        ROPKIT_DEMO_CUSTOM_CLAIM: 'http://foo/bar',
      },
    );
    expect(parsed).toMatchObject({
      tenant: {
        kind: 'real',
        settings: {
          issuer: 'https://your-tenant.eu.auth0.com/',
          audience: 'https://flag.example.com',
          realm: 'employees',
          mfaSecret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
          customClaim: 'http://foo/bar',
          attackProtection: true,
          dpop: true,
        },
      },
    });
  });

  it('names every missing setting of a real tenant, and no value', () => {
    const message = usageError(['--domain', 'your-tenant.eu.auth0.com'], {
      ROPKIT_DEMO_CLIENT_SECRET: 'client-secret-canary',
      ROPKIT_DEMO_USERNAME: 'user@example.com',
    });
    expect(message).toBe(
      'a real tenant needs ROPKIT_DEMO_CLIENT_ID (or --client-id), ROPKIT_DEMO_AUDIENCE (or --audience), ROPKIT_DEMO_PASSWORD: they are missing',
    );
  });

  it('refuses a domain that is not a bare https domain', () => {
    for (const domain of [
      'http://your-tenant.eu.auth0.com',
      'https://your-tenant.eu.auth0.com/oauth/token',
      'https://a:b@your-tenant.eu.auth0.com',
      'https://[nope',
    ]) {
      expect(usageError([], { ...complete, ROPKIT_DEMO_DOMAIN: domain })).toMatch(
        /^ROPKIT_DEMO_DOMAIN \(or --domain\) (must use https|must be a bare domain|is not a domain)/,
      );
    }
  });

  it('refuses a malformed MFA secret, custom claim or switch, without printing them', () => {
    const message = usageError([], {
      ...complete,
      ROPKIT_DEMO_MFA_SECRET: 'not base32!',
      ROPKIT_DEMO_CUSTOM_CLAIM: 'bar',
      ROPKIT_DEMO_ATTACK_PROTECTION: 'maybe',
      ROPKIT_DEMO_DPOP: 'yes',
    });
    expect(message.split('\n')).toEqual([
      'ROPKIT_DEMO_MFA_SECRET is not a base32 TOTP secret (RFC 4648)',
      'ROPKIT_DEMO_CUSTOM_CLAIM (or --custom-claim) must be a namespaced claim name such as http://foo/bar',
      'ROPKIT_DEMO_ATTACK_PROTECTION (or --attack-protection) must be 1 or true (or 0, false, unset)',
      'ROPKIT_DEMO_DPOP (or --dpop) must be 1 or true (or 0, false, unset)',
    ]);
    expect(message).not.toContain('not base32!');
  });

  it('refuses secrets as flags, pointing to the environment', () => {
    for (const [flag, variable] of [
      ['--password', 'ROPKIT_DEMO_PASSWORD'],
      ['--client-secret=canary', 'ROPKIT_DEMO_CLIENT_SECRET'],
      ['--mfa-secret', 'ROPKIT_DEMO_MFA_SECRET'],
    ] as const) {
      const message = usageError([flag, 'canary'], complete);
      expect(message).toContain(`secrets are read from the environment only (${variable})`);
      expect(message).not.toContain('canary');
    }
  });

  it('refuses real-tenant settings without a domain rather than silently using the mock', () => {
    const { ROPKIT_DEMO_DOMAIN: _domain, ...withoutDomain } = complete;
    expect(usageError([], { ROPKIT_DEMO_CLIENT_ID: 'x' })).toBe(
      'ROPKIT_DEMO_CLIENT_ID is set but ROPKIT_DEMO_DOMAIN (or --domain) is not: give the domain to use your tenant, or unset it to use the mock server',
    );
    expect(usageError(['--realm', 'employees'], withoutDomain)).toMatch(
      /^ROPKIT_DEMO_CLIENT_ID, ROPKIT_DEMO_CLIENT_SECRET, ROPKIT_DEMO_AUDIENCE, ROPKIT_DEMO_USERNAME, ROPKIT_DEMO_PASSWORD, ROPKIT_DEMO_REALM are set but/,
    );
  });

  it('fails "Request tokens" and exits 1 when the real tenant cannot be reached', async () => {
    const { out, io: streams } = io();
    // A closed loopback port stands in for an unreachable tenant: nothing leaves the machine.
    expect(await runCli([], { ...complete, ROPKIT_DEMO_DOMAIN: 'localhost:1' }, streams)).toBe(1);
    expect(out.stdout).toContain('tenant: Auth0 tenant https://localhost:1/');
    expect(out.stdout).toContain(
      'FAILED: TokenRequestError: Discovery for the configured issuer failed',
    );
    expect(out.stdout).toContain('skipped: needs "Request tokens", which failed');
    expect(out.stdout).toContain('FAILED on express: 0 ok, 1 failed, 12 skipped, of 13 steps');
    expect(out.stdout).not.toContain('client-secret-canary');
    expect(out.stdout).not.toContain('password-canary');
  });

  it('skips, with the reason, the optional steps a real tenant was not configured for', async () => {
    const parsed = parseDemoArguments([], { ...complete, ROPKIT_DEMO_DOMAIN: 'localhost:1' });
    if (parsed.help) throw new Error('unexpected --help');
    // Only the optional steps run: each must skip before any request (the domain is a closed
    // loopback port, so a request would fail the step instead).
    const run = await demo({
      framework: 'express',
      tenant: parsed.tenant,
      steps: [
        customizeTokens,
        passwordRealm,
        multiFactor,
        mfaOob,
        mfaPush,
        mfaRecoveryCode,
        mfaEnrolment,
        senderConstrainedTokens,
        attackProtection,
      ],
    });
    expect(run.status).toEqual({
      'customize-tokens': 'skipped',
      'password-realm': 'skipped',
      mfa: 'skipped',
      'mfa-oob': 'skipped',
      'mfa-push': 'skipped',
      'mfa-recovery-code': 'skipped',
      'mfa-enrolment': 'skipped',
      dpop: 'skipped',
      'attack-protection': 'skipped',
    });
    expect(run.reason['dpop']).toBe(
      'not enabled (ROPKIT_DEMO_DPOP=1 or --dpop): it needs "Token Sender-Constraining" allowed on the API',
    );
    expect(run.reason['password-realm']).toBe('no realm given (ROPKIT_DEMO_REALM or --realm)');
    expect(run.reason['mfa']).toBe('no TOTP secret given for the user (ROPKIT_DEMO_MFA_SECRET)');
    expect(run.reason['mfa-oob']).toBe(MOCK_ONLY.oob);
    expect(run.reason['mfa-push']).toBe(MOCK_ONLY.push);
    expect(run.reason['mfa-recovery-code']).toBe(MOCK_ONLY.recoveryCode);
    expect(run.reason['mfa-enrolment']).toBe(MOCK_ONLY.enrolment);
    expect(run.output).toContain(`skipped: ${MOCK_ONLY.recoveryCode}`);
    expect(run.exitCode).toBe(0);
    expect(run.output).toContain('tenant: Auth0 tenant https://localhost:1/');
    expect(run.output).not.toContain('client-secret-canary');
    expect(run.output).not.toContain('password-canary');
  });
});
