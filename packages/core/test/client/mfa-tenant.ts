import { GrantType, type MockServer, type MockServerConfig } from '@ropkit/mock-server';
import { testTenant, TUTORIAL } from '@ropkit/test-support';

/** Users of the MFA tests; their secrets double as canaries for leaks. */
export const MFA_USERS = {
  /** Enrolled in every factor Auth0 has for this flow. */
  every: {
    email: 'every@example.com',
    password: 'every-pwd',
    totpSecret: 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ',
    recoveryCode: 'EVERYRECOVERYCODE0000001',
    sms: '+15555550100',
    voice: '+15555550199',
    mailbox: 'inbox@example.com',
    device: 'Pixel',
  },
  /** Must pass MFA and has nothing enrolled: must enrol first. */
  enrol: { email: 'enrol@example.com', password: 'enrol-pwd' },
  /** A phone (SMS) only. */
  phone: { email: 'phone@example.com', password: 'phone-pwd', sms: '+15555550142' },
} as const;

/**
 * The workspace's test tenant, with the tutorial client allowed every MFA grant (Auth0's
 * dashboard enables them together as "MFA") and the {@link MFA_USERS}.
 */
export function mfaTestTenant(overrides: MockServerConfig = {}): MockServerConfig {
  const base = testTenant();
  const [tutorialClient, ...otherClients] = base.clients ?? [];
  const [directory, ...otherConnections] = base.connections ?? [];
  const { every, enrol, phone } = MFA_USERS;
  return {
    ...base,
    clients: [
      {
        ...tutorialClient,
        clientId: TUTORIAL.clientId,
        grantTypes: [
          GrantType.password,
          GrantType.passwordRealm,
          GrantType.refreshToken,
          GrantType.mfaOtp,
          GrantType.mfaOob,
          GrantType.mfaRecoveryCode,
        ],
      },
      ...otherClients,
    ],
    connections: [
      {
        name: TUTORIAL.connection,
        users: [
          ...(directory?.users ?? []),
          {
            email: every.email,
            password: every.password,
            mfa: {
              totpSecret: every.totpSecret,
              recoveryCodes: [every.recoveryCode],
              sms: [every.sms],
              voice: [every.voice],
              email: [every.mailbox],
              push: [every.device],
            },
          },
          { email: enrol.email, password: enrol.password, mfa: { required: true } },
          { email: phone.email, password: phone.password, mfa: { sms: [phone.sms] } },
        ],
      },
      ...otherConnections,
    ],
    ...overrides,
  };
}

/** The newest code `email`'s phone or mailbox received (the control API reads it). */
export async function lastCode(server: MockServer, email: string): Promise<string> {
  const messages = await server.control.mfaMessages(TUTORIAL.connection, email);
  const last = messages.at(-1);
  if (last === undefined) throw new Error(`no code was sent to ${email}`);
  return last.code;
}

/**
 * A `sleep` for `TokenClient` that waits no real time: it moves a fake clock (and the mock's
 * frozen one) forward, records each wait, and runs `onWait` (to approve or deny the push).
 */
export function fakeTime(server: MockServer, onWait: (wait: number) => Promise<void> | void) {
  let now = Date.now();
  const waits: number[] = [];
  return {
    waits,
    clock: () => now,
    sleep: async (ms: number, signal: AbortSignal | undefined) => {
      if (signal?.aborted === true) throw new Error('aborted');
      waits.push(ms);
      now += ms;
      await server.control.advanceClock(Math.ceil(ms / 1000));
      await onWait(waits.length);
    },
  };
}
