import { RopkitError } from './ropkit-error.js';
import {
  bearerChallenge,
  dpopChallenge,
  sanitizeDescription,
  type ChallengeParams,
} from './validation/challenge.js';

/**
 * Every failure of bearer-token validation, as one union of string codes. Callers
 * `switch (err.code)`; adapters copy {@link BearerError.status} and {@link BearerError.headers}
 * to the response and {@link BearerError.body} to its body.
 */
export type BearerErrorCode =
  /** RFC 6750 section 3.1: the request carried no credentials at all. */
  | 'missing_credentials'
  /** RFC 6750 section 3.1: malformed request, or more than one credential method. */
  | 'invalid_request'
  /** RFC 6750 section 3.1: expired, revoked, malformed or otherwise invalid token. */
  | 'invalid_token'
  /** RFC 6750 section 3.1: valid token without the scope the resource needs. */
  | 'insufficient_scope'
  /** Keys or discovery could not be fetched and no cached key can decide (503, not 401). */
  | 'key_set_unavailable'
  /** RFC 9449 section 7.1: the DPoP proof is missing a rule (or the replay store is down: 503). */
  | 'invalid_dpop_proof'
  /** RFC 9449 section 9: the proof must carry the nonce in the `DPoP-Nonce` header; retry once. */
  | 'use_dpop_nonce'
  /** Something the decision needs besides keys (the DPoP replay store) is unavailable (503). */
  | 'temporarily_unavailable'
  /** RFC 9470 section 3: the user must authenticate again, more strongly or more recently. */
  | 'insufficient_user_authentication';

/** Options shared by every {@link BearerError}. */
export interface BearerErrorOptions {
  /** The `realm` auth-param of the challenge (RFC 6750 section 3). */
  realm: string;
  /** The underlying failure, kept for logs; never contains token bytes. */
  cause?: unknown;
}

/** The JSON body an adapter writes for a {@link BearerError}: identical across adapters. */
export interface BearerErrorBody {
  error: string;
  error_description: string;
}

/**
 * Base class of every bearer-token validation failure.
 *
 * The description is a fixed, library-written sentence: it never echoes token bytes or claim
 * values, and contains only characters allowed in a quoted header value (RFC 6750 section 3).
 */
export abstract class BearerError extends RopkitError {
  abstract override readonly code: BearerErrorCode;
  /** HTTP status to answer with. */
  abstract readonly status: 400 | 401 | 403 | 503;
  /** The realm of the challenge. */
  readonly realm: string;
  /** Human-readable, header-safe description. */
  readonly description: string;

  constructor(description: string, options: BearerErrorOptions) {
    const safe = sanitizeDescription(description);
    super(safe, options.cause === undefined ? undefined : { cause: options.cause });
    this.description = safe;
    this.realm = options.realm;
  }

  /**
   * The auth-params of this error's challenge (`error`, `error_description`, `scope`), or
   * `undefined` when no challenge is sent (503).
   */
  protected abstract get challengeParams(): ChallengeParams | undefined;

  /**
   * The exact `WWW-Authenticate` value, or `undefined` when none is sent (503). With DPoP on
   * (RFC 9449 section 7.1), one challenge per accepted scheme, the error on the scheme the
   * request used: `Bearer realm="api", DPoP realm="api", algs="ES256", error="..."`.
   */
  get wwwAuthenticate(): string | undefined {
    const params = this.challengeParams;
    if (params === undefined) return undefined;
    const schemes = SCHEMES.get(this);
    if (schemes === undefined) return bearerChallenge(this.realm, params);
    const { algs, bearer, used } = schemes;
    const errorOnDpop = used === 'DPoP' || !bearer;
    const dpop = dpopChallenge(this.realm, algs, errorOnDpop ? params : {});
    return bearer ? `${bearerChallenge(this.realm, errorOnDpop ? {} : params)}, ${dpop}` : dpop;
  }

  /** Response headers to copy as they are. */
  get headers(): Record<string, string> {
    const value = this.wwwAuthenticate;
    return value === undefined ? {} : { 'WWW-Authenticate': value };
  }

  /** The response body: `{"error": ..., "error_description": ...}`. */
  get body(): BearerErrorBody {
    return { error: this.bodyErrorCode, error_description: this.description };
  }

  /** The `error` member of the body; differs from `code` only where RFC 6750 has no code. */
  protected get bodyErrorCode(): string {
    return this.code;
  }

  /** Koa and http-errors read `expose` to decide whether the message may reach the client. */
  get expose(): boolean {
    return true;
  }

  /** Same as `status`; Koa and http-errors read `statusCode`. */
  get statusCode(): number {
    return this.status;
  }

  /** The body plus `code` and `status`, for logs; never token bytes. */
  toJSON(): BearerErrorBody & { code: BearerErrorCode; status: number } {
    return { code: this.code, status: this.status, ...this.body };
  }
}

/**
 * No credentials in the request (or an authentication scheme other than Bearer).
 * RFC 6750 section 3.1: the challenge SHOULD NOT carry an error code in this case.
 */
export class MissingCredentialsError extends BearerError {
  readonly code = 'missing_credentials' as const;
  readonly status = 401 as const;

  constructor(options: BearerErrorOptions) {
    super('Authentication required', options);
  }

  protected get challengeParams(): ChallengeParams {
    return {};
  }

  protected override get bodyErrorCode(): string {
    return 'unauthorized';
  }
}

/** RFC 6750 section 3.1 `invalid_request`: malformed credentials or several methods at once. */
export class InvalidRequestError extends BearerError {
  readonly code = 'invalid_request' as const;
  readonly status = 400 as const;

  protected get challengeParams(): ChallengeParams {
    return { error: this.code, error_description: this.description };
  }
}

/** RFC 6750 section 3.1 `invalid_token`: any failure of the token itself. */
export class InvalidTokenError extends BearerError {
  readonly code = 'invalid_token' as const;
  readonly status = 401 as const;

  protected get challengeParams(): ChallengeParams {
    return { error: this.code, error_description: this.description };
  }
}

/**
 * RFC 6750 section 3.1 `insufficient_scope`: the token is valid but lacks a scope. The
 * challenge's `scope` attribute names what the resource needs.
 */
export class InsufficientScopeError extends BearerError {
  readonly code = 'insufficient_scope' as const;
  readonly status = 403 as const;
  /** The scopes the resource needs (all of them, or any one, as the check was declared). */
  readonly requiredScopes: readonly string[];

  constructor(requiredScopes: readonly string[], description: string, options: BearerErrorOptions) {
    super(description, options);
    this.requiredScopes = Object.freeze([...requiredScopes]);
  }

  protected get challengeParams(): ChallengeParams {
    return {
      error: this.code,
      error_description: this.description,
      scope: this.requiredScopes.join(' '),
    };
  }
}

/**
 * The key set (or discovery document) could not be fetched, timed out, was malformed or too
 * large, and no cached key can decide. Answered with 503: a 401 would make clients discard good
 * tokens and refresh in a storm.
 */
export class KeySetUnavailableError extends BearerError {
  readonly code = 'key_set_unavailable' as const;
  readonly status = 503 as const;

  protected get challengeParams(): undefined {
    return undefined;
  }

  protected override get bodyErrorCode(): string {
    return 'temporarily_unavailable';
  }
}

/**
 * RFC 9470 section 3 `insufficient_user_authentication`: the token is valid, but the user's
 * authentication behind it is not strong enough (`acr`) or too old (`auth_time`) for this
 * resource. The challenge says what is needed (`acr_values`, `max_age`), so the client can sign
 * the user in again with it (for Auth0: MFA) and retry.
 */
export class InsufficientUserAuthenticationError extends BearerError {
  readonly code = 'insufficient_user_authentication' as const;
  readonly status = 401 as const;
  /** Acceptable authentication context classes, in order of preference; empty: any. */
  readonly acrValues: readonly string[];
  /** Largest accepted age of the authentication, in seconds; `undefined`: any. */
  readonly maxAge: number | undefined;

  constructor(
    requirement: { acrValues?: readonly string[]; maxAge?: number | undefined },
    description: string,
    options: BearerErrorOptions,
  ) {
    super(description, options);
    this.acrValues = Object.freeze([...(requirement.acrValues ?? [])]);
    this.maxAge = requirement.maxAge;
  }

  protected get challengeParams(): ChallengeParams {
    return {
      error: this.code,
      error_description: this.description,
      ...(this.acrValues.length === 0 ? {} : { acr_values: this.acrValues.join(' ') }),
      ...(this.maxAge === undefined ? {} : { max_age: String(this.maxAge) }),
    };
  }
}

/**
 * What a decision needs besides the keys could not answer (the DPoP replay store, RFC 9449
 * section 11.1): 503, never 401 (the proof is not at fault) and never a pass.
 */
export class TemporarilyUnavailableError extends BearerError {
  readonly code = 'temporarily_unavailable' as const;
  readonly status = 503 as const;

  protected get challengeParams(): undefined {
    return undefined;
  }
}

/**
 * RFC 9449 section 7.1 `invalid_dpop_proof`: the request's DPoP proof breaks a rule of section
 * 4.3 (form, `typ`, `alg`, key, signature, `htm`, `htu`, `iat`, `ath`, a replayed `jti`).
 */
export class InvalidDpopProofError extends BearerError {
  readonly code = 'invalid_dpop_proof' as const;
  readonly status = 401 as const;

  protected get challengeParams(): ChallengeParams {
    return { error: this.code, error_description: this.description };
  }
}

/**
 * RFC 9449 section 9 `use_dpop_nonce`: the proof lacks a current server nonce. `nonce` goes out in
 * the `DPoP-Nonce` header; the client signs a new proof with it and retries once.
 */
export class UseDpopNonceError extends BearerError {
  readonly code = 'use_dpop_nonce' as const;
  readonly status = 401 as const;
  /** The nonce the next proof must carry. */
  readonly nonce: string;

  constructor(nonce: string, options: BearerErrorOptions) {
    super('Authorization server requires nonce in DPoP proof', options);
    this.nonce = nonce;
  }

  protected get challengeParams(): ChallengeParams {
    return { error: this.code, error_description: this.description };
  }

  override get headers(): Record<string, string> {
    return { ...super.headers, 'DPoP-Nonce': this.nonce };
  }
}

/**
 * The schemes a DPoP-aware verifier challenges with (RFC 9449 section 7.1): `DPoP` with the proof
 * algorithms `algs`, `Bearer` too unless DPoP is required, and the scheme the request used, whose
 * challenge carries the error.
 */
export interface ChallengeSchemes {
  readonly algs: readonly string[];
  readonly bearer: boolean;
  readonly used: 'Bearer' | 'DPoP' | undefined;
}

/** Each error's schemes, set by the verifier that made it (an error is immutable otherwise). */
const SCHEMES = new WeakMap<BearerError, ChallengeSchemes>();

/**
 * Makes `error` challenge with `schemes` instead of `Bearer` alone; returns it. For verifiers
 * with DPoP on, and for the route requirements after them.
 */
export function challengeWith<E extends BearerError>(error: E, schemes: ChallengeSchemes): E {
  SCHEMES.set(error, schemes);
  return error;
}
