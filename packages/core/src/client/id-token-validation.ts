import type { KeyObject } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { isAsymmetricAlgorithm } from '../validation/algorithms.js';
import {
  deepFreeze,
  decodeCompactJws,
  JwsFormatError,
  type CompactJws,
} from '../validation/compact-jws.js';
import { issuerKeySet, type IssuerKeySet } from '../validation/issuer-key-set.js';
import { hs256Key, verifyHs256 } from '../validation/jws-hmac.js';
import { JwsSignatureError, verifyWithKeySet } from '../validation/jws-key-set-verification.js';
import {
  ClaimError,
  checkRegisteredClaims,
  registeredClaimRules,
  type RegisteredClaimRules,
} from '../validation/jwt-claims.js';
import {
  KeySetUnavailableCause,
  UnknownKeyError,
  UnusableKeyError,
} from '../validation/remote-key-set.js';
import type { ResolvedIdTokenOptions } from './id-token-options.js';
import { mistypedClaim, type IdTokenClaims } from './oidc-claims.js';
import { IdTokenError, type IdTokenErrorReason } from './token-errors.js';

/** What an {@link IdTokenValidator} checks against, and how it reaches the issuer's keys. */
export interface IdTokenValidatorOptions {
  /** The configured issuer: `iss` must be exactly this. */
  issuer: string;
  /** The client id: `aud` must contain it, `azp` (when present) must be it. */
  clientId: string;
  /** The HMAC key of `HS256`, when that is the configured algorithm. */
  clientSecret: string | undefined;
  settings: ResolvedIdTokenOptions;
  dispatcher: Dispatcher | undefined;
  allowInsecureHttp: boolean;
  /** Current time in milliseconds. */
  clock: () => number;
}

/** The claims OpenID Connect Core 1.0 section 2 requires of every ID token. */
const REQUIRED_CLAIMS = ['iss', 'sub', 'aud', 'exp', 'iat'] as const;

/**
 * Validates ID tokens as OpenID Connect Core 1.0 section 3.1.3.7 asks of a client that received
 * one from the token endpoint, with the machinery of the access-token verifier (strict compact
 * JWS decoding, the issuer's remote key set with its cooldown, backoff, size cap and timeouts,
 * `node:crypto` signatures, jose's registered-claim checks):
 *
 * - the signature, with an algorithm of the allow-list (`alg` `none` never is; `HS256` only when
 *   configured alone, keyed with the client secret; steps 6 to 8);
 * - `iss` exactly the issuer (step 2); `aud` contains the client id (step 3); several audiences
 *   need an `azp`, and an `azp` must be the client id (steps 4 and 5);
 * - `exp` not past (step 9); `iat` present, not in the future beyond the clock tolerance (step
 *   10; `nbf` too, should the issuer send one); `sub` a non-empty string (section 2);
 * - the standard claims typed by {@link IdTokenClaims} of their JSON types.
 *
 * The signature is checked first: nothing in a token is read before it is known to be the
 * issuer's. Nothing fetched depends on the token but its `kid` (no `jku`, `x5u`, `jwk`).
 */
export class IdTokenValidator {
  readonly #clientId: string;
  readonly #allowed: ReadonlySet<string>;
  readonly #rules: RegisteredClaimRules;
  readonly #clockTolerance: number;
  readonly #clock: () => number;
  /** The client secret as an HMAC key, for `HS256`; otherwise `undefined`. */
  readonly #hmacKey: KeyObject | undefined;
  /** The issuer's key set, for asymmetric algorithms; otherwise `undefined`. */
  readonly #keys: IssuerKeySet | undefined;

  /** @throws {TypeError} `HS256` with a client secret shorter than 32 bytes. */
  constructor(options: IdTokenValidatorOptions) {
    const { settings } = options;
    this.#clientId = options.clientId;
    this.#allowed = new Set<string>(settings.algorithms);
    this.#clockTolerance = settings.clockTolerance;
    this.#clock = options.clock;
    this.#rules = registeredClaimRules({
      issuer: options.issuer,
      audience: [options.clientId],
      clockTolerance: settings.clockTolerance,
      requiredClaims: REQUIRED_CLAIMS,
    });
    if (this.#allowed.has('HS256')) {
      this.#hmacKey = hs256Key(options.clientSecret ?? '', '"idToken.algorithms"');
      this.#keys = undefined;
    } else {
      this.#hmacKey = undefined;
      this.#keys = issuerKeySet({
        issuer: options.issuer,
        jwksUri: settings.jwksUri,
        limits: settings.keySet,
        dispatcher: options.dispatcher,
        allowInsecureHttp: options.allowInsecureHttp,
        clock: options.clock,
      });
    }
  }

  /**
   * The verified claims of an ID token, deeply frozen.
   *
   * @throws {IdTokenError} naming the rule it broke; never token text or a claim value.
   */
  async validate(idToken: string): Promise<Readonly<IdTokenClaims>> {
    const nowMs = this.#clock();
    let payload: Record<string, unknown>;
    try {
      const jws = decodeCompactJws(idToken, this.#allowed);
      payload = await this.#verifySignature(jws, nowMs);
      checkRegisteredClaims(payload, this.#rules, nowMs);
    } catch (error) {
      throw translate(error);
    }
    this.#checkClaims(payload, nowMs / 1000);
    if (!isIdTokenClaims(payload)) throw refused('malformed', 'its claims are malformed');
    return deepFreeze(payload);
  }

  /** The payload of a JWS whose signature holds (steps 6 to 8). */
  async #verifySignature(jws: CompactJws, nowMs: number): Promise<Record<string, unknown>> {
    const { alg, kid: rawKid } = jws.header;
    if (rawKid !== undefined && typeof rawKid !== 'string') {
      throw refused('malformed', 'its "kid" header is not a string');
    }
    const kid = typeof rawKid === 'string' ? rawKid : undefined;
    if (this.#hmacKey !== undefined) return verifyHs256(jws, this.#hmacKey);
    // The allow-list holds asymmetric algorithms only once HS256 is not in it.
    if (this.#keys === undefined || !isAsymmetricAlgorithm(alg)) {
      throw refused('algorithm', 'its "alg" is not one of "idToken.algorithms"');
    }
    const { keySet, deadline } = this.#keys;
    return (await verifyWithKeySet(jws, kid, alg, keySet, nowMs, deadline)).payload;
  }

  /**
   * The rules jose's registered-claim checks leave to the profile: finite `exp` and `iat`, `iat`
   * not in the future, `sub`, the audience's members and `azp` (steps 3 to 5), the claim types.
   */
  #checkClaims(claims: Readonly<Record<string, unknown>>, nowSeconds: number): void {
    const { aud, azp, exp, iat, sub } = claims;
    if (Array.isArray(aud) && !aud.every((value) => typeof value === 'string')) {
      throw refused('audience', 'its "aud" is not a string or an array of strings');
    }
    // Step 4: "If the ID Token contains multiple audiences, the Client SHOULD verify that an azp
    // Claim is present"; step 5: "If an azp Claim is present, the Client SHOULD verify that its
    // client_id is the Claim Value". Both are required here: nothing else may act for this client.
    if (Array.isArray(aud) && aud.length > 1 && azp === undefined) {
      throw refused('authorized_party', 'it has several audiences and no "azp"');
    }
    if (azp !== undefined && azp !== this.#clientId) {
      throw refused('authorized_party', 'its "azp" is not the client id');
    }
    if (typeof exp !== 'number' || !Number.isFinite(exp)) {
      throw refused('expired', 'its "exp" is not a finite number');
    }
    if (typeof iat !== 'number' || !Number.isFinite(iat)) {
      throw refused('issued_at', 'its "iat" is not a finite number');
    }
    if (iat > nowSeconds + this.#clockTolerance) {
      throw refused('issued_at', 'it was issued in the future ("iat")');
    }
    if (typeof sub !== 'string' || sub === '') {
      throw refused('subject', 'its "sub" is not a non-empty string');
    }
    const mistyped = mistypedClaim(claims);
    if (mistyped !== undefined) {
      throw refused(
        'malformed',
        `its "${mistyped}" claim is not of the type OpenID Connect gives it`,
      );
    }
  }
}

/** The shape {@link IdTokenValidator} checked: what {@link IdTokenClaims} promises. */
function isIdTokenClaims(claims: Record<string, unknown>): claims is IdTokenClaims {
  const { iss, sub, aud, exp, iat } = claims;
  return (
    typeof iss === 'string' &&
    typeof sub === 'string' &&
    (typeof aud === 'string' || Array.isArray(aud)) &&
    typeof exp === 'number' &&
    typeof iat === 'number'
  );
}

/** An {@link IdTokenError} whose message names the rule, and the section that sets it. */
function refused(reason: IdTokenErrorReason, rule: string, cause?: unknown): IdTokenError {
  return new IdTokenError(
    reason,
    `The ID token was refused: ${rule} (OpenID Connect Core 1.0 section 3.1.3.7)`,
    cause === undefined ? undefined : { cause },
  );
}

/** The reason each registered claim's failure stands for. */
const CLAIM_REASONS: Readonly<Record<string, IdTokenErrorReason>> = {
  iss: 'issuer',
  aud: 'audience',
  sub: 'subject',
  exp: 'expired',
  iat: 'issued_at',
  nbf: 'issued_at',
};

/** What a failure of decoding, signature or registered claims says about the ID token. */
function translate(error: unknown): unknown {
  if (error instanceof IdTokenError) return error;
  if (error instanceof JwsFormatError) {
    return error.reason === 'algorithm'
      ? refused('algorithm', 'its "alg" is not one of "idToken.algorithms"')
      : refused('malformed', `it is not a valid compact JWS: ${error.message}`);
  }
  if (error instanceof JwsSignatureError) {
    return refused('signature', "its signature does not verify with the issuer's key");
  }
  if (error instanceof UnknownKeyError) {
    return refused('signature', "no key of the issuer's key set matches its header");
  }
  if (error instanceof UnusableKeyError) {
    return refused(
      'key_set_unavailable',
      "the only keys of the issuer's key set that fit it are unusable",
      error,
    );
  }
  if (error instanceof KeySetUnavailableCause) {
    return refused('key_set_unavailable', "the issuer's key set could not be fetched", error);
  }
  if (error instanceof ClaimError) {
    const reason = CLAIM_REASONS[error.claim] ?? 'malformed';
    const what = {
      missing: 'is missing',
      malformed: 'is not a number',
      unexpected:
        error.claim === 'iss' ? 'is not the configured issuer' : 'does not contain the client id',
      expired: 'is past: the token has expired',
      not_yet_valid: 'is in the future: the token is not valid yet',
    }[error.failure];
    return refused(reason, `its "${error.claim}" ${what}`);
  }
  return error;
}
