import type {
  ApiConfig,
  ClientConfig,
  ConnectionConfig,
  SigningAlgorithm,
  UserConfig,
} from './config.js';
import type { IdTokenDefect } from './id-token-defects.js';
import type { JWK } from 'jose';

/** Fields every fault has. */
interface FaultBase {
  /** The path whose next requests fail, e.g. `/oauth/token`; `*` for every path. */
  endpoint: string;
  /** How many requests the fault applies to. Default: `1`. */
  times?: number;
}

/**
 * A failure to inject into the next request(s) to an endpoint. Faults queue up per endpoint and
 * are used first in, first out.
 *
 * - `status`: answer with this status, JSON body (or text when `body` is a string) and headers.
 * - `latency`: wait `delayMs` milliseconds, then answer normally.
 * - `drop`: close the connection without answering.
 * - `malformed-json`: `Content-Type: application/json` with a truncated body. Default status 200.
 * - `html`: an HTML error page, as a proxy in front of Auth0 would send. Default status 502.
 * - `redirect`: a redirect to `location`. Default status 302.
 * - `id-token`: for `/oauth/token` only. The next successful answer that carries an `id_token` is
 *   sent with that ID token spoiled as `defect` says (see {@link IdTokenDefect}); the grant is
 *   otherwise carried out in full (refresh tokens stored, codes spent). Answers without an ID token
 *   (no `openid` scope, an error, another fault's answer) leave it queued: it waits for an answer
 *   it can spoil, and `times` counts only those.
 * - `dpop-binding`: for `/oauth/token` only. The next successful answer with a DPoP-bound access
 *   token (`token_type: DPoP`) is sent with that token's `cnf.jkt` replaced by the thumbprint of
 *   no key, re-signed by the tenant: for testing that a resource server checks the binding (RFC
 *   9449 section 7.1). Answers with a Bearer token leave it queued; `times` counts spoiled answers.
 */
export type FaultSpec = FaultBase &
  (
    | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
    | { kind: 'latency'; delayMs: number }
    | { kind: 'drop' }
    | { kind: 'malformed-json'; status?: number }
    | { kind: 'html'; status?: number }
    | { kind: 'redirect'; location: string; status?: 301 | 302 | 303 | 307 | 308 }
    | { kind: 'id-token'; endpoint: '/oauth/token'; defect: IdTokenDefect }
    | { kind: 'dpop-binding'; endpoint: '/oauth/token' }
  );

/** The kinds of {@link FaultSpec}. */
export type FaultKind = FaultSpec['kind'];

/**
 * One request the server received (control API and health requests excepted). Holds no password,
 * secret or token.
 */
export interface RequestLogEntry {
  /** When it arrived, epoch milliseconds of the mock's clock. */
  at: number;
  method: string;
  /** The path without the query string. */
  path: string;
  /** The response status; `null` when a `drop` fault closed the connection. */
  status: number | null;
  /** `grant_type`, for token endpoint requests. */
  grantType?: string;
  /** The client id, from the body or the Basic credentials (never the secret). */
  clientId?: string;
  /** The `auth0-forwarded-for` header as sent, whether trusted or not. */
  forwardedFor?: string;
  /** The socket's peer address. */
  ip: string;
  /**
   * The fault that answered, if one did; `id-token` when the answer's ID token was spoiled,
   * `dpop-binding` when its access token's binding was.
   */
  fault?: FaultKind;
  /** True when the request carried a `DPoP` header (the proof itself is never logged). */
  dpop?: boolean;
  /** True when the request came through the custom domain's listener. */
  customDomain?: boolean;
  /**
   * True when a request to the custom domain carried a `client-certificate` header from the edge
   * (the certificate itself is never logged).
   */
  clientCertificate?: boolean;
}

/** Options for {@link MockServerControl.rotateSigningKey}. */
export interface RotateSigningKeyOptions {
  /** Algorithm of the new key. Default: that of the current signing key. */
  alg?: SigningAlgorithm;
  /** Key id. Default: the key's RFC 7638 thumbprint. */
  kid?: string;
  /** A fixed private key. Default: a generated one. */
  privateJwk?: JWK;
  /** Keep the previous key published so tokens it signed still verify. Default: `true`. */
  keepPrevious?: boolean;
}

/** The result of a key rotation. */
export interface RotatedSigningKey {
  /** The new signing key's id. */
  kid: string;
  /** The id of the key that signed before. */
  previousKid: string;
}

/**
 * An authenticator to enrol for a user through the control API, active at once (as if the user had
 * confirmed it).
 *
 * - `otp`: a TOTP authenticator app; `secret` (base32, at least 16 bytes) is generated when absent.
 * - `sms`, `voice`: a phone number in E.164 format.
 * - `email`: an email address; default: the user's.
 * - `push`: Auth0 Guardian on a device, with an optional device `name`.
 * - `recovery-code`: one more recovery code; `code` is generated when absent.
 */
export type AuthenticatorEnrolment =
  | { type: 'otp'; secret?: string }
  | { type: 'sms' | 'voice'; phoneNumber: string }
  | { type: 'email'; email?: string }
  | { type: 'push'; name?: string }
  | { type: 'recovery-code'; code?: string };

/** A user's authenticator as the control API shows it: what `/mfa/authenticators` lists, and more. */
export interface EnrolledAuthenticator {
  /** Auth0's id, e.g. `totp|dev_…`, `sms|dev_…`, `push|dev_…`, `recovery-code|dev_…`. */
  id: string;
  type: 'otp' | 'sms' | 'voice' | 'email' | 'push' | 'recovery-code';
  /** Confirmed; `false` while an enrolment through `/mfa/associate` awaits its first code. */
  active: boolean;
  /** `otp`: the base32 secret, for computing codes (`totpCodeForSecret`). */
  secret?: string;
  /** `sms`, `voice`: the phone number. */
  phoneNumber?: string;
  /** `email`: the address. */
  email?: string;
  /** `push`: the device's name, when known. */
  name?: string;
  /** `recovery-code`: the user's unused recovery codes. */
  codes?: string[];
}

/**
 * A code the mock "sent" to a user's phone or mailbox, for an MFA challenge or an enrolment: what
 * the user would type as the `binding_code` of the `mfa-oob` grant.
 */
export interface MfaMessage {
  channel: 'sms' | 'voice' | 'email';
  /** The phone number or email address it went to. */
  to: string;
  /** The 6-digit code in the message: the `binding_code`. */
  code: string;
  /** The `oob_code` the application received with it. */
  oobCode: string;
  purpose: 'challenge' | 'enrolment';
  /** When it was sent, epoch milliseconds of the mock's clock. */
  at: number;
}

/**
 * Runtime control over a mock server. The in-process handle ({@link MockServer.control}) and the
 * HTTP client ({@link MockServerControlClient}, for the CLI and the container) both implement it,
 * so a test can switch between them.
 */
export interface MockServerControl {
  /** Adds or replaces a user of `connection` (matched by email). */
  setUser(connection: string, user: UserConfig): Promise<void>;
  /** Removes the user with `email` from `connection`. */
  removeUser(connection: string, email: string): Promise<void>;
  /** Adds or replaces a connection with its users. */
  setConnection(connection: ConnectionConfig): Promise<void>;
  /** Adds or replaces a client (matched by `clientId`). */
  setClient(client: ClientConfig): Promise<void>;
  /** Removes a client. */
  removeClient(clientId: string): Promise<void>;
  /** Adds or replaces an API (matched by `identifier`). */
  setApi(api: ApiConfig): Promise<void>;
  /** Removes an API. */
  removeApi(identifier: string): Promise<void>;
  /** Puts a new signing key in front; keeps or withdraws the previous one. */
  rotateSigningKey(options?: RotateSigningKeyOptions): Promise<RotatedSigningKey>;
  /** Removes a published key that no longer signs. */
  withdrawSigningKey(kid: string): Promise<void>;
  /** Queues a fault for the next request(s) to an endpoint. */
  queueFault(fault: FaultSpec): Promise<void>;
  /** Drops every queued fault. */
  clearFaults(): Promise<void>;
  /** Moves the mock's clock forward; returns the new time in epoch seconds. */
  advanceClock(seconds: number): Promise<number>;
  /**
   * Stops the mock's clock (it follows real time otherwise); only {@link advanceClock} moves it
   * until {@link resumeClock} or {@link reset}. Returns the time in epoch seconds.
   */
  freezeClock(): Promise<number>;
  /** Lets a frozen clock run again from where it stands; returns the time in epoch seconds. */
  resumeClock(): Promise<number>;
  /** The mock's time in epoch seconds. */
  now(): Promise<number>;
  /** The requests received so far, oldest first. */
  requests(): Promise<RequestLogEntry[]>;
  /** Empties the request log. */
  clearRequests(): Promise<void>;
  /** Lifts every brute-force block. */
  clearLockouts(): Promise<void>;
  /**
   * Enrols an authenticator for the user with `email` in `connection`, confirmed at once. A user
   * without MFA gets it, required (as `mfa` in the configuration does).
   */
  enrolAuthenticator(
    connection: string,
    email: string,
    authenticator: AuthenticatorEnrolment,
  ): Promise<EnrolledAuthenticator>;
  /** The user's authenticators, confirmed or not, with OTP secrets and recovery codes. */
  authenticators(connection: string, email: string): Promise<EnrolledAuthenticator[]>;
  /** The codes sent to the user by SMS, voice call or email, oldest first. */
  mfaMessages(connection: string, email: string): Promise<MfaMessage[]>;
  /**
   * Approves the user's newest pending push notification, as a tap on "Allow" in Guardian would
   * (a push challenge, or a push enrolment: the QR code was scanned). Throws when none is pending.
   */
  approvePush(connection: string, email: string): Promise<void>;
  /** Rejects the user's newest pending push notification. Throws when none is pending. */
  denyPush(connection: string, email: string): Promise<void>;
  /**
   * Sets the issuer (an absolute URL with path `/`). For containers, whose reachable URL is known
   * only after start. {@link MockServerControl.reset} does not undo it.
   */
  setIssuer(issuer: string): Promise<void>;
  /**
   * Sets the issuer of the custom domain's listener (an absolute URL with path `/`), as
   * {@link MockServerControl.setIssuer} does for the tenant domain. Throws when the server has no
   * custom domain. {@link MockServerControl.reset} does not undo it.
   */
  setCustomDomainIssuer(issuer: string): Promise<void>;
  /**
   * Back to the start: configuration, signing keys, clock, tokens, lockouts, rate-limit windows,
   * faults and the request log. The issuers stay as {@link MockServerControl.setIssuer} and
   * {@link MockServerControl.setCustomDomainIssuer} left them.
   */
  reset(): Promise<void>;
}
