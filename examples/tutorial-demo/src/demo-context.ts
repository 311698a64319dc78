import type { TokenClient, TokenManager } from '@ropkit/core';
import type { Framework } from './frameworks.ts';
import type { RecordingTokenClient } from './recording-client.ts';

/** A user who signs in with a password. */
export interface Account {
  readonly username: string;
  readonly password: string;
  /** The connection for Auth0's password-realm grant; none: the tenant's default directory. */
  readonly realm?: string;
  /** Base32 TOTP secret, when the user is enrolled in MFA (RFC 6238). */
  readonly totpSecret?: string;
}

/** Why an optional step cannot be tried on this tenant: printed as the skip reason. */
export interface NotConfigured {
  readonly notConfigured: string;
}

/** A setting an optional step needs, or why it is missing. */
export type Optional<T> = T | NotConfigured;

export function isConfigured<T extends object>(value: Optional<T>): value is T {
  return !('notConfigured' in value);
}

/** What the "Customize tokens" step expects a rule to have added to the access token. */
export interface CustomClaim {
  readonly name: string;
  /** The value the rule sets; `undefined`: any value. */
  readonly value?: unknown;
}

/** The "Configure attack protection" set-up: a client that trusts `auth0-forwarded-for`. */
export interface AttackProtection {
  /** A confidential client with "Trust Token Endpoint IP Header" on. */
  readonly client: TokenClient;
  readonly clientId: string;
  /** The user the attacker targets (a real user, whose own IP must keep working). */
  readonly user: Account;
  /** The IP an attacker signs in from (a documentation address, RFC 5737). */
  readonly attackerIp: string;
  /** The user's own IP (another documentation address). */
  readonly userIp: string;
  /** Most wrong passwords sent before giving up on seeing a block (Auth0 allows 1 to 100). */
  readonly maxAttempts: number;
}

/**
 * The "Sender-constrained tokens" set-up (RFC 9449): the application again, with a DPoP key, for
 * an API that allows sender constraining.
 */
export interface DpopSetup {
  /**
   * The tutorial's application created with the `dpop` option: every token request carries a
   * proof of its key, and the tokens it gets are bound to that key (`token_type` `DPoP`).
   */
  readonly client: RecordingTokenClient;
}

/** A message with a code, as the user's phone or mailbox received it. */
export interface ReceivedCode {
  readonly channel: 'sms' | 'voice' | 'email';
  /** The phone number or email address it went to. */
  readonly to: string;
  /** The code the user reads and types: the `binding_code`. A secret: never printed. */
  readonly code: string;
}

/**
 * The user's phone (or mailbox, or Guardian app): what only a person can do in a real sign-in.
 * The mock server's control API stands in for it; a real tenant's user is not at hand.
 */
export interface UserDevice {
  /** The message the challenge or enrolment of `oobCode` sent. */
  receivedCode(oobCode: string): Promise<ReceivedCode>;
  /** Taps "Allow" on the newest push notification, as the user would in Guardian. */
  approvePush(): Promise<void>;
}

/** An MFA user whose second factor is a code sent by SMS or email. */
export interface OobUser {
  readonly account: Account;
  readonly channel: 'sms' | 'email';
  readonly device: UserDevice;
}

/** An MFA user whose second factor is a push notification (Guardian). */
export interface PushUser {
  readonly account: Account;
  readonly device: UserDevice;
  /** Seconds between two polls: the tenant's push polling interval (RFC 8628 section 3.5). */
  readonly pollIntervalSeconds: number;
  /** Most time given to the user to answer, in milliseconds. */
  readonly timeoutMs: number;
}

/** An MFA user who has lost their authenticator and has a recovery code. */
export interface RecoveryUser {
  readonly account: Account;
  /** One of the user's recovery codes: spent by the step. A secret: never printed. */
  readonly recoveryCode: string;
}

/** Everything a step needs: the tenant, the running API and the library objects. */
export interface DemoContext {
  /** `mock`: the in-process mock server; `real`: an Auth0 tenant. */
  readonly mode: 'mock' | 'real';
  /** The issuer, `https://TENANT/` with its trailing slash. */
  readonly issuer: string;
  /** Where token requests go, for display. */
  readonly tokenEndpoint: string;
  readonly clientId: string;
  /** Whether the client authenticates with a secret (the secret itself is never shown). */
  readonly hasClientSecret: boolean;
  readonly audience: string;
  /** The scope of password grants: `openid offline_access read:sample`. */
  readonly scope: string;
  /** The scope the example API's scoped route needs. */
  readonly requiredScope: string;
  /** The example API's base URL and the framework it runs on. */
  readonly api: { readonly url: string; readonly framework: Framework };
  /** The client the manager uses; it keeps each answer as the server sent it, for display. */
  readonly tokenClient: RecordingTokenClient;
  readonly manager: TokenManager;
  /** The session key the tutorial's steps keep their tokens under. */
  readonly sessionKey: string;
  readonly user: Account;
  readonly realmUser: Optional<Account>;
  readonly mfaUser: Optional<Account>;
  readonly mfaOobUser: Optional<OobUser>;
  readonly mfaPushUser: Optional<PushUser>;
  readonly mfaRecoveryUser: Optional<RecoveryUser>;
  /** A user who must pass MFA and has no authenticator yet: they enrol one. */
  readonly mfaEnrolUser: Optional<Account>;
  readonly customClaim: Optional<CustomClaim>;
  readonly attackProtection: Optional<AttackProtection>;
  readonly dpop: Optional<DpopSetup>;
}
