import { createHash, randomBytes, randomInt } from 'node:crypto';
import type { MfaFactor } from './config.js';
import type { EnrolledAuthenticator } from './control.js';
import type {
  AuthenticatorKind,
  ResolvedAuthenticator,
  ResolvedMfa,
  ResolvedUser,
} from './resolved-config.js';
import { encodeBase32 } from './totp.js';

/**
 * Auth0's MFA model for the Resource Owner Password flow ("Authenticate Using the Resource Owner
 * Password Flow with MFA", "Manage Authentication Factors with Authentication API"): a user's
 * authenticators, how `/mfa/authenticators` lists them and what `mfa_requirements` says.
 */

/** The out-of-band channels as Auth0 names them (`oob_channel`): `auth0` is Guardian push. */
export const OOB_CHANNELS = ['sms', 'voice', 'email', 'auth0'] as const;

/** An out-of-band channel (`oob_channel`). */
export type OobChannel = (typeof OOB_CHANNELS)[number];

/** Per kind: the factor that must be enabled, the `mfa_requirements` type and the id prefix. */
const KINDS: Readonly<
  Record<
    AuthenticatorKind,
    {
      readonly factor: MfaFactor;
      readonly requirement: string;
      readonly prefix: string;
      readonly channel: OobChannel | undefined;
    }
  >
> = {
  otp: { factor: 'otp', requirement: 'otp', prefix: 'totp', channel: undefined },
  push: {
    factor: 'push-notification',
    requirement: 'push-notification',
    prefix: 'push',
    channel: 'auth0',
  },
  sms: { factor: 'sms', requirement: 'phone', prefix: 'sms', channel: 'sms' },
  voice: { factor: 'voice', requirement: 'phone', prefix: 'voice', channel: 'voice' },
  email: { factor: 'email', requirement: 'email', prefix: 'email', channel: 'email' },
};

/** The order `mfa_requirements` lists factor types in (Auth0's "Customize MFA" examples). */
const REQUIREMENT_ORDER = ['otp', 'push-notification', 'phone', 'email', 'recovery-code'] as const;

/** The kind an `oob_channel` names. */
export const KIND_OF_CHANNEL: Readonly<Record<OobChannel, AuthenticatorKind>> = {
  sms: 'sms',
  voice: 'voice',
  email: 'email',
  auth0: 'push',
};

/** The factor that must be enabled for `kind`. */
export function factorOf(kind: AuthenticatorKind): MfaFactor {
  return KINDS[kind].factor;
}

/** The `oob_channel` of an out-of-band authenticator; `undefined` for OTP. */
export function channelOf(kind: AuthenticatorKind): OobChannel | undefined {
  return KINDS[kind].channel;
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * An authenticator id in Auth0's form, `<prefix>|dev_<16 letters and digits>`: derived from `seed`
 * (stable across restarts for configured authenticators), or random.
 */
export function authenticatorId(prefix: string, seed?: string): string {
  const bytes =
    seed === undefined
      ? randomBytes(16)
      : createHash('sha256').update(seed).digest().subarray(0, 16);
  return `${prefix}|dev_${[...bytes].map((byte) => ID_ALPHABET[byte % ID_ALPHABET.length]).join('')}`;
}

/** A new authenticator of `kind`; `seed` makes its id stable. */
export function newAuthenticator(
  kind: AuthenticatorKind,
  fields: { secret?: Buffer; address?: string; name?: string },
  active: boolean,
  seed?: string,
): ResolvedAuthenticator {
  return {
    id: authenticatorId(KINDS[kind].prefix, seed),
    kind,
    active,
    secret: fields.secret,
    address: fields.address,
    name: fields.name,
  };
}

/** The id of a user's recovery-code authenticator. */
export function recoveryCodeId(userId: string): string {
  return authenticatorId('recovery-code', `${userId}\0recovery-code`);
}

const RECOVERY_CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** A new recovery code: 24 characters, the length of Auth0's. */
export function newRecoveryCode(): string {
  return [...randomBytes(24)].map((byte) => RECOVERY_CODE_ALPHABET[byte % 32]).join('');
}

/** A 6-digit code, as Auth0 sends by SMS, voice and email (the `binding_code`). */
export function newBindingCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

/** The user's MFA state, created (not required: the tenant's policy decides) when absent. */
export function mfaOf(user: ResolvedUser, required = false): ResolvedMfa {
  user.mfa ??= {
    required,
    authenticators: [],
    recoveryCodes: [],
    recoveryCodesActive: true,
    recoveryCodeId: recoveryCodeId(user.userId),
  };
  return user.mfa;
}

/** The user's confirmed authenticators of factors the tenant enables. */
export function usableAuthenticators(
  user: ResolvedUser,
  factors: readonly MfaFactor[],
): ResolvedAuthenticator[] {
  return (user.mfa?.authenticators ?? []).filter(
    (authenticator) => authenticator.active && factors.includes(factorOf(authenticator.kind)),
  );
}

/** Whether the user's recovery codes can be used (the factor is enabled and they are confirmed). */
export function recoveryCodesUsable(user: ResolvedUser, factors: readonly MfaFactor[]): boolean {
  const mfa = user.mfa;
  return (
    mfa !== undefined &&
    mfa.recoveryCodesActive &&
    mfa.recoveryCodes.length > 0 &&
    factors.includes('recovery-code')
  );
}

/**
 * `mfa_requirements` of an `mfa_required` answer: `{"challenge":[...]}` with the factor types the
 * user can be challenged with (recovery codes only when nothing else is left: a TOTP user with a
 * recovery code gets `[{"type":"otp"}]`, as observed), or `{"enroll":[...]}` with the factor types
 * the tenant offers when the user has nothing to be challenged with.
 */
export function mfaRequirements(
  user: ResolvedUser,
  factors: readonly MfaFactor[],
): Record<string, Array<{ type: string }>> {
  const types = new Set(
    usableAuthenticators(user, factors).map(
      (authenticator) => KINDS[authenticator.kind].requirement,
    ),
  );
  if (types.size === 0 && recoveryCodesUsable(user, factors)) types.add('recovery-code');
  if (types.size > 0) {
    return {
      challenge: REQUIREMENT_ORDER.filter((type) => types.has(type)).map((type) => ({ type })),
    };
  }
  const offered = new Set(
    Object.values(KINDS)
      .filter((kind) => factors.includes(kind.factor))
      .map((kind) => kind.requirement),
  );
  return {
    enroll: REQUIREMENT_ORDER.filter((type) => offered.has(type)).map((type) => ({ type })),
  };
}

/** A phone number as Auth0 lists it: every digit but the last four replaced by `X`. */
function maskPhone(phoneNumber: string): string {
  const digits = phoneNumber.replace(/\D/g, '');
  return `${'X'.repeat(Math.max(0, digits.length - 4))}${digits.slice(-4)}`;
}

/** An email address as Auth0 lists it (observed `****@exam*******`). */
function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  const domain = email.slice(at + 1);
  return `${'*'.repeat(at)}@${domain.slice(0, 4)}${'*'.repeat(Math.max(0, domain.length - 4))}`;
}

/** One entry of `GET /mfa/authenticators`, members in the order Auth0 sends them. */
export function authenticatorEntry(authenticator: ResolvedAuthenticator): Record<string, unknown> {
  const channel = KINDS[authenticator.kind].channel;
  const entry: Record<string, unknown> = {
    id: authenticator.id,
    authenticator_type: channel === undefined ? 'otp' : 'oob',
    active: authenticator.active,
  };
  if (channel !== undefined) entry['oob_channel'] = channel;
  const { address, name } = authenticator;
  if (authenticator.kind === 'email' && address !== undefined) entry['name'] = maskEmail(address);
  else if (address !== undefined) entry['name'] = maskPhone(address);
  else if (name !== undefined) entry['name'] = name;
  return entry;
}

/** `GET /mfa/authenticators`: the recovery codes first (when the user has any), then the rest. */
export function authenticatorEntries(user: ResolvedUser): Array<Record<string, unknown>> {
  const mfa = user.mfa;
  if (mfa === undefined) return [];
  const recovery =
    mfa.recoveryCodes.length === 0
      ? []
      : [
          {
            id: mfa.recoveryCodeId,
            authenticator_type: 'recovery-code',
            active: mfa.recoveryCodesActive,
          },
        ];
  return [...recovery, ...mfa.authenticators.map(authenticatorEntry)];
}

/** Confirms an enrolment: the authenticator, and recovery codes handed out with it, become usable. */
export function confirmEnrolment(user: ResolvedUser, id: string): void {
  const mfa = user.mfa;
  const authenticator = mfa?.authenticators.find((candidate) => candidate.id === id);
  if (mfa === undefined || authenticator === undefined) return;
  authenticator.active = true;
  mfa.recoveryCodesActive = true;
}

/** The user's authenticators as the control API shows them: recovery codes first, as listed. */
export function enrolledAuthenticators(user: ResolvedUser): EnrolledAuthenticator[] {
  const mfa = user.mfa;
  if (mfa === undefined) return [];
  const views: EnrolledAuthenticator[] = mfa.authenticators.map((authenticator) => {
    const view: EnrolledAuthenticator = {
      id: authenticator.id,
      type: authenticator.kind,
      active: authenticator.active,
    };
    if (authenticator.secret !== undefined) view.secret = encodeBase32(authenticator.secret);
    if (authenticator.address !== undefined) {
      if (authenticator.kind === 'email') view.email = authenticator.address;
      else view.phoneNumber = authenticator.address;
    }
    if (authenticator.name !== undefined) view.name = authenticator.name;
    return view;
  });
  if (mfa.recoveryCodes.length === 0) return views;
  return [
    {
      id: mfa.recoveryCodeId,
      type: 'recovery-code',
      active: mfa.recoveryCodesActive,
      codes: [...mfa.recoveryCodes],
    },
    ...views,
  ];
}
