import { GrantType, TUTORIAL, tutorialTenant, type MockServerConfig } from '@ropkit/mock-server';

/**
 * The names and credentials of {@link demoTenant} beyond the tutorial's own ({@link TUTORIAL}).
 * Fixed and public: for the mock server only.
 */
export const DEMO = {
  /** "Customize tokens": the seed's example rule. */
  rule: {
    name: 'customize tokens',
    accessTokenClaim: 'http://foo/bar',
    accessTokenValue: 'value',
    idTokenClaim: 'http://fiz/baz',
    idTokenValue: 'some other value',
  },
  /** "Configure realm support": a second database connection, as the seed's `employees`. */
  realm: {
    connection: 'employees',
    username: 'employee@example.com',
    password: 'employee-demo-password',
  },
  /** "Configure MFA": a user enrolled with an authenticator app. */
  mfa: {
    username: 'mfa-user@example.com',
    password: 'mfa-demo-password',
    /** Base32 (RFC 4648), 20 bytes: what the authenticator app's QR code carries. */
    totpSecret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
  },
  /** MFA with a code sent by text message (Auth0's "Phone Message" factor, `oob_channel` sms). */
  mfaSms: {
    username: 'mfa-sms@example.com',
    password: 'mfa-sms-demo-password',
    /** E.164, in the range kept for fiction (555-0100 to 555-0199). */
    phoneNumber: '+15555550100',
  },
  /** MFA with Guardian push notifications (`oob_channel` auth0). */
  mfaPush: {
    username: 'mfa-push@example.com',
    password: 'mfa-push-demo-password',
    device: 'Pixel 8',
  },
  /** A user enrolled with an authenticator app who lost it, and has a recovery code. */
  mfaRecovery: {
    username: 'mfa-recovery@example.com',
    password: 'mfa-recovery-demo-password',
    totpSecret: 'OJSWG33WMVZHSLLEMVWW6LLTMVRXEZLU',
    /** 24 characters, as Auth0's. */
    recoveryCode: 'V8XKQ2M7PLN4RZ6TB3HW9JCD',
  },
  /** A user who must pass MFA and has not enrolled anything yet. */
  mfaEnrol: {
    username: 'mfa-enrol@example.com',
    password: 'mfa-enrol-demo-password',
  },
  /**
   * Seconds a push poller must wait between two polls (the mock's `mfaPushPollInterval`; its
   * default, 5, would make the push step wait 5 seconds).
   */
  pushPollIntervalSeconds: 1,
  /** "Configure attack protection": a backend that signs users in on their behalf. */
  trustedBackend: {
    clientId: 'trusted-backend',
    clientSecret: 'trusted-backend-demo-secret',
  },
  /** RFC 5737 documentation addresses: only ever sent as a header value, never connected to. */
  attackerIp: '203.0.113.66',
  userIp: '198.51.100.23',
} as const;

/**
 * The tenant the demo runs against: {@link tutorialTenant} (default directory, the API with
 * `read:sample` and offline access, the tutorial's client and user) plus what the tutorial's
 * optional sections configure: the seed's rule adding namespaced claims, an `employees`
 * connection for the password-realm grant, one user per MFA step (an authenticator app, SMS,
 * Guardian push, a recovery code, nothing enrolled yet), a backend client with "Trust Token
 * Endpoint IP Header" on, and "Token Sender-Constraining" (DPoP) allowed on the API.
 *
 * @param overrides Top-level options to replace, e.g. a `clients` list to break a step on purpose.
 */
export function demoTenant(overrides: MockServerConfig = {}): MockServerConfig {
  const base = tutorialTenant();
  return tutorialTenant({
    // Auth0's "Token Sender-Constraining" allowed on the API (RFC 9449): a token request with a
    // DPoP proof gets a token bound to the proof's key (token_type DPoP); one without, a Bearer.
    apis: (base.apis ?? []).map((api) => ({ ...api, proofOfPossession: 'allowed' as const })),
    clients: [
      ...(base.clients ?? []),
      {
        clientId: DEMO.trustedBackend.clientId,
        clientSecret: DEMO.trustedBackend.clientSecret,
        tokenEndpointAuthMethod: 'client_secret_post',
        grantTypes: [GrantType.password],
        trustForwardedFor: true,
      },
    ],
    connections: [
      {
        name: TUTORIAL.connection,
        users: [
          { email: TUTORIAL.username, password: TUTORIAL.password },
          {
            email: DEMO.mfa.username,
            password: DEMO.mfa.password,
            mfa: { totpSecret: DEMO.mfa.totpSecret },
          },
          {
            email: DEMO.mfaSms.username,
            password: DEMO.mfaSms.password,
            mfa: { sms: [DEMO.mfaSms.phoneNumber] },
          },
          {
            email: DEMO.mfaPush.username,
            password: DEMO.mfaPush.password,
            mfa: { push: [DEMO.mfaPush.device] },
          },
          {
            email: DEMO.mfaRecovery.username,
            password: DEMO.mfaRecovery.password,
            mfa: {
              totpSecret: DEMO.mfaRecovery.totpSecret,
              recoveryCodes: [DEMO.mfaRecovery.recoveryCode],
            },
          },
          // MFA required, nothing enrolled: the password grant answers mfa_requirements.enroll.
          {
            email: DEMO.mfaEnrol.username,
            password: DEMO.mfaEnrol.password,
            mfa: { required: true },
          },
        ],
      },
      {
        name: DEMO.realm.connection,
        users: [{ email: DEMO.realm.username, password: DEMO.realm.password }],
      },
    ],
    mfaPushPollInterval: DEMO.pushPollIntervalSeconds,
    // The seed's "Customize tokens" rule, without its scope change: replacing the scope with
    // ['array', 'of', 'strings'] would take read:sample away from every token.
    rules: [
      {
        name: DEMO.rule.name,
        accessTokenClaims: { [DEMO.rule.accessTokenClaim]: DEMO.rule.accessTokenValue },
        idTokenClaims: { [DEMO.rule.idTokenClaim]: DEMO.rule.idTokenValue },
      },
    ],
    ...overrides,
  });
}
