import { isRecord } from '../http/is-record.js';
import { SecretText } from './secret-text.js';
import type { EndpointResponse } from './token-endpoint-request.js';
import { InvalidTokenResponseError } from './token-errors.js';
import { errorFromResponse } from './token-response.js';
import type { TokenSet } from './token-set.js';

/**
 * An out-of-band channel of Auth0's MFA API: a code sent by `sms`, `voice` call or `email`, or a
 * Guardian push notification (`auth0`).
 */
export type OobChannel = 'sms' | 'voice' | 'email' | 'auth0';

/** The channels, as `/mfa/challenge` and `/mfa/associate` spell them. */
export const OOB_CHANNELS: readonly OobChannel[] = Object.freeze([
  'sms',
  'voice',
  'email',
  'auth0',
]);

/** Whether `value` is one of {@link OOB_CHANNELS}. */
export function isOobChannel(value: unknown): value is OobChannel {
  return OOB_CHANNELS.some((channel) => channel === value);
}

/** Answer of `TokenClient.mfaChallenge` (Auth0's `POST /mfa/challenge`). */
export type MfaChallenge =
  /** Ask the user for the code of an authenticator app, then call `mfaOtp`. */
  | { readonly challengeType: 'otp' }
  | {
      readonly challengeType: 'oob';
      /** Identifies the challenge in `mfaOob` or `mfaPushPoll`; a secret, never shown or logged. */
      readonly oobCode: string;
      /**
       * `prompt`: a code was sent by SMS, voice or email; ask the user for it and call `mfaOob`
       * with it as `bindingCode`. `undefined`: a push notification; poll with `mfaPushPoll` (or
       * `waitForMfaPush`) until the user answers it on the device.
       */
      readonly bindingMethod: 'prompt' | undefined;
    };

/** An authenticator to enrol with `TokenClient.mfaAssociate` (Auth0's `POST /mfa/associate`). */
export type MfaAuthenticatorToEnrol =
  /** An authenticator app (RFC 6238 TOTP): show its QR code, then confirm with `mfaOtp`. */
  | { readonly type: 'otp' }
  /** A phone: a code is sent by SMS or voice call to `phoneNumber` (E.164, `+15555550100`). */
  | { readonly type: 'sms' | 'voice'; readonly phoneNumber: string }
  /** An email address (default: the user's); a code is sent to it. */
  | { readonly type: 'email'; readonly email?: string }
  /** Guardian push: the user scans the QR code in the app, then approves; poll to confirm. */
  | { readonly type: 'push' };

/**
 * Answer of `TokenClient.mfaAssociate`: the authenticator is listed, inactive, until confirmed by
 * the MFA grant that also signs the user in (`mfaOtp` with the app's first code; `mfaOob` with the
 * code sent; `mfaPushPoll` for push). Secrets are {@link SecretText}: show them, never log them.
 */
export type MfaEnrolment =
  | {
      readonly authenticatorType: 'otp';
      /** The TOTP secret (base32), for users who type it instead of scanning the QR code. */
      readonly secret: SecretText;
      /** `otpauth://totp/...`: render it as a QR code for the authenticator app. */
      readonly barcodeUri: SecretText;
      /** Auth0 answers recovery codes with a user's first enrolment: show them once it is confirmed. */
      readonly recoveryCodes: readonly SecretText[];
    }
  | {
      readonly authenticatorType: 'oob';
      readonly oobChannel: OobChannel;
      /** Confirms the enrolment in `mfaOob` or `mfaPushPoll`; a secret. */
      readonly oobCode: string;
      /** `prompt` for SMS, voice and email: a code was sent; `undefined` for push. */
      readonly bindingMethod: 'prompt' | undefined;
      /** Push: the QR code to scan in Guardian; `undefined` for the others. */
      readonly barcodeUri: SecretText | undefined;
      /** As for `otp`. */
      readonly recoveryCodes: readonly SecretText[];
    };

/** One entry of `TokenClient.mfaAuthenticators` (Auth0's `GET /mfa/authenticators`). */
export interface MfaAuthenticator {
  /** Auth0's id, e.g. `sms|dev_…`: give it to `mfaChallenge` or `deleteMfaAuthenticator`. */
  readonly id: string;
  /** `otp`, `oob` or `recovery-code` (another type Auth0 may add is passed on as it is). */
  readonly authenticatorType: string;
  /** `false` while an enrolment waits for its confirmation. */
  readonly active: boolean;
  /** For `oob`: how it is reached. */
  readonly oobChannel: OobChannel | undefined;
  /** A display name, masked by Auth0 (`XXXXXXX0100`); `undefined` when none. */
  readonly name: string | undefined;
}

/** One poll of a push challenge or enrolment: `TokenClient.mfaPushPoll`. */
export type MfaPushPoll =
  /** The user approved: the tokens. */
  | { readonly status: 'approved'; readonly tokens: TokenSet }
  /** `authorization_pending`: not answered yet; poll again after the interval. */
  | { readonly status: 'pending' }
  /**
   * `slow_down` (RFC 8628 section 3.5): polled too soon; the interval must grow by 5 seconds
   * for this and every later poll.
   */
  | { readonly status: 'slow_down' };

/** What `TokenClient.mfaRecoveryCode` resolves to. */
export interface RecoveryCodeSignIn<T extends TokenSet = TokenSet> {
  readonly tokens: T;
  /**
   * The new recovery code Auth0 answered: the one used no longer works, and this one is never
   * answered again, so show it to the user now (and do not log it: it is a {@link SecretText}).
   * `undefined` when the server sent none.
   */
  readonly recoveryCode: SecretText | undefined;
}

/** The answer of `/mfa/challenge`, checked. */
export function processChallengeResponse(response: EndpointResponse): MfaChallenge {
  if (response.status !== 200) throw errorFromResponse(response);
  const body = response.body;
  const type = isRecord(body) ? body['challenge_type'] : undefined;
  if (!isRecord(body) || (type !== 'otp' && type !== 'oob')) {
    throw new InvalidTokenResponseError(
      'The MFA challenge response has no challenge_type "otp" or "oob"',
      response.status,
    );
  }
  if (type === 'otp') return Object.freeze({ challengeType: 'otp' });
  return Object.freeze({
    challengeType: 'oob',
    oobCode: requiredString(body, 'oob_code', 'The MFA challenge response', response.status),
    bindingMethod: body['binding_method'] === 'prompt' ? 'prompt' : undefined,
  });
}

/** The answer of `/mfa/associate`, checked. */
export function processAssociateResponse(response: EndpointResponse): MfaEnrolment {
  if (response.status !== 200) throw errorFromResponse(response);
  const body = response.body;
  const what = 'The MFA associate response';
  if (!isRecord(body)) throw new InvalidTokenResponseError(`${what} is not a JSON object`, 200);
  const codes = body['recovery_codes'];
  const recoveryCodes = Object.freeze(
    Array.isArray(codes)
      ? codes
          .filter((code): code is string => typeof code === 'string' && code !== '')
          .map((code) => new SecretText(code))
      : [],
  );
  if (body['authenticator_type'] === 'otp') {
    return Object.freeze({
      authenticatorType: 'otp',
      secret: new SecretText(requiredString(body, 'secret', what, 200)),
      barcodeUri: new SecretText(requiredString(body, 'barcode_uri', what, 200)),
      recoveryCodes,
    });
  }
  const channel = body['oob_channel'];
  if (body['authenticator_type'] !== 'oob' || !isOobChannel(channel)) {
    throw new InvalidTokenResponseError(
      `${what} has no authenticator_type "otp", or "oob" with a known oob_channel`,
      200,
    );
  }
  const barcode = body['barcode_uri'];
  return Object.freeze({
    authenticatorType: 'oob',
    oobChannel: channel,
    oobCode: requiredString(body, 'oob_code', what, 200),
    bindingMethod: body['binding_method'] === 'prompt' ? 'prompt' : undefined,
    barcodeUri: typeof barcode === 'string' && barcode !== '' ? new SecretText(barcode) : undefined,
    recoveryCodes,
  });
}

/** The answer of `GET /mfa/authenticators`, checked; malformed entries are left out. */
export function processAuthenticatorsResponse(response: EndpointResponse): MfaAuthenticator[] {
  if (response.status !== 200) throw errorFromResponse(response);
  if (!Array.isArray(response.body)) {
    throw new InvalidTokenResponseError(
      'The MFA authenticators response is not a JSON array',
      response.status,
    );
  }
  return response.body.filter(isRecord).flatMap((entry) => {
    const { id, authenticator_type: type, active, oob_channel: channel, name } = entry;
    if (typeof id !== 'string' || id === '' || typeof type !== 'string') return [];
    return [
      Object.freeze({
        id,
        authenticatorType: type,
        active: active === true,
        oobChannel: isOobChannel(channel) ? channel : undefined,
        name: typeof name === 'string' ? name : undefined,
      }),
    ];
  });
}

function requiredString(
  body: Record<string, unknown>,
  name: string,
  what: string,
  status: number,
): string {
  const value = body[name];
  if (typeof value !== 'string' || value === '') {
    throw new InvalidTokenResponseError(`${what} has no ${name}`, status);
  }
  return value;
}
