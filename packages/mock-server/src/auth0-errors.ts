import type { Compatibility } from './config.js';
import { OAuthError } from './oauth-error.js';

/**
 * The errors Auth0's Authentication API answers with, word for word. Each cites where the status
 * and text come from: "observed" means a real Auth0 response quoted in a public bug report,
 * "documented" means Auth0's documentation, "ours" means neither gives the text and the mock
 * chose it.
 */
export const Auth0Errors = {
  /** Missing parameter (observed): `400 invalid_request "Missing required parameter: <name>"`. */
  missingParameter(name: string): OAuthError {
    return new OAuthError(400, 'invalid_request', `Missing required parameter: ${name}`);
  },

  /** A request that cannot be read (ours): bad JSON, a parameter given twice (RFC 6749 section 3.2). */
  invalidRequest(description: string): OAuthError {
    return new OAuthError(400, 'invalid_request', description);
  },

  /** Unknown grant (observed): `400 unsupported_grant_type "Grant type not supported"`. */
  unsupportedGrantType(): OAuthError {
    return new OAuthError(400, 'unsupported_grant_type', 'Grant type not supported');
  },

  /**
   * Client authentication failed. Observed: `401 access_denied "Unauthorized"`; documented:
   * `401 invalid_client "Client authentication failed"`, with `WWW-Authenticate` when the client
   * used HTTP Basic (RFC 6749 section 5.2).
   */
  clientAuthenticationFailed(compatibility: Compatibility, usedBasic: boolean): OAuthError {
    if (compatibility === 'observed') {
      return new OAuthError(401, 'access_denied', 'Unauthorized');
    }
    return new OAuthError(401, 'invalid_client', 'Client authentication failed', {
      headers: usedBasic ? { 'www-authenticate': 'Basic realm="oauth"' } : {},
    });
  },

  /** A grant the client may not use (observed): the message names the grant as sent. */
  unauthorizedClient(grantType: string): OAuthError {
    return new OAuthError(
      403,
      'unauthorized_client',
      `Grant type '${grantType}' not allowed for the client.`,
    );
  },

  /** Password grant without realm and no default directory (observed). */
  noDefaultConnection(): OAuthError {
    return new OAuthError(
      500,
      'server_error',
      'Authorization server not configured with default connection.',
    );
  },

  /** A realm that names no connection (ours). */
  unknownRealm(realm: string): OAuthError {
    return new OAuthError(400, 'invalid_request', `Unknown realm: ${realm}`);
  },

  /** Wrong username or password (observed), with the period. */
  wrongEmailOrPassword(): OAuthError {
    return new OAuthError(403, 'invalid_grant', 'Wrong email or password.');
  },

  /** Unknown audience (observed). */
  serviceNotEnabled(audience: string): OAuthError {
    return new OAuthError(403, 'access_denied', `Service not enabled within domain: ${audience}`);
  },

  /** Unknown, revoked, expired or reused refresh token (observed). */
  invalidRefreshToken(): OAuthError {
    return new OAuthError(403, 'invalid_grant', 'Unknown or invalid refresh token.');
  },

  /** A refresh asking for a scope the original grant did not have (ours; RFC 6749 section 6). */
  scopeNotGranted(scope: string): OAuthError {
    return new OAuthError(
      403,
      'invalid_scope',
      `The requested scope "${scope}" exceeds the scope granted by the resource owner.`,
    );
  },

  /**
   * MFA needed (observed 403; documented 401), with the `mfa_token` and what it can be answered
   * with.
   */
  mfaRequired(
    compatibility: Compatibility,
    mfaToken: string,
    requirements: Record<string, unknown>,
  ): OAuthError {
    return new OAuthError(
      compatibility === 'observed' ? 403 : 401,
      'mfa_required',
      'Multifactor authentication required',
      { extra: { mfa_token: mfaToken, mfa_requirements: requirements } },
    );
  },

  /** An `mfa_token` that is unknown or belongs to another client (documented text). */
  malformedMfaToken(): OAuthError {
    return new OAuthError(403, 'invalid_grant', 'Malformed mfa_token');
  },

  /** An `mfa_token` past its 10 minutes (documented text). */
  expiredMfaToken(): OAuthError {
    return new OAuthError(403, 'expired_token', 'mfa_token is expired');
  },

  /** Wrong one-time code (observed). */
  invalidOtp(): OAuthError {
    return new OAuthError(403, 'invalid_grant', 'Invalid otp_code.');
  },

  /** Wrong `binding_code` for an SMS, voice or email `oob_code` (observed text). */
  invalidBindingCode(): OAuthError {
    return new OAuthError(403, 'invalid_grant', 'Invalid binding_code.');
  },

  /** An `oob_code` that is unknown or of another `mfa_token` (observed text, as `mfa_token`'s). */
  malformedOobCode(): OAuthError {
    return new OAuthError(403, 'invalid_grant', 'Malformed oob_code');
  },

  /** An `oob_code` past its lifetime (Auth0's `${tokenName} is expired`, as for `mfa_token`). */
  expiredOobCode(): OAuthError {
    return new OAuthError(403, 'expired_token', 'oob_code is expired');
  },

  /** A push not yet approved nor denied (observed: `400`, this text). */
  authorizationPending(): OAuthError {
    return new OAuthError(
      400,
      'authorization_pending',
      'Authorization pending: please repeat the request in a few seconds.',
    );
  },

  /** Polled sooner than the interval (RFC 8628 section 3.5 code; ours: status and text). */
  slowDown(intervalSeconds: number): OAuthError {
    return new OAuthError(
      400,
      'slow_down',
      `You are polling faster than allowed. Wait at least ${intervalSeconds} seconds between requests.`,
    );
  },

  /**
   * A push the user denied. Observed: `400 access_denied "MFA Authorization rejected."`;
   * documented: `invalid_grant` with the same text.
   */
  mfaRejected(compatibility: Compatibility): OAuthError {
    return new OAuthError(
      400,
      compatibility === 'observed' ? 'access_denied' : 'invalid_grant',
      'MFA Authorization rejected.',
    );
  },

  /** `/mfa/challenge` for a user with no confirmed authenticator (documented code; our text). */
  associationRequired(): OAuthError {
    return new OAuthError(
      400,
      'association_required',
      'User is not enrolled. You can use /mfa/associate endpoint to enroll the first authenticator.',
    );
  },

  /** `/mfa/associate` with an `mfa_token` for an enrolled user (documented text; ours: code). */
  alreadyEnrolled(): OAuthError {
    return new OAuthError(403, 'access_denied', 'User is already enrolled.');
  },

  /** An MFA factor the tenant does not enable (ours). */
  factorNotEnabled(factor: string): OAuthError {
    return new OAuthError(400, 'invalid_request', `The ${factor} factor is not enabled.`);
  },

  /** An `authenticator_id` naming none of the user's authenticators (ours). */
  unknownAuthenticator(status: 400 | 404): OAuthError {
    return new OAuthError(
      status,
      status === 404 ? 'not_found' : 'invalid_request',
      'Authenticator not found.',
    );
  },

  /** The MFA API without a bearer token (RFC 6750 section 3; ours: the body). */
  missingBearerToken(): OAuthError {
    return new OAuthError(401, 'unauthorized', 'Missing Bearer token', {
      headers: { 'www-authenticate': 'Bearer' },
    });
  },

  /** An access token that does not verify for the MFA API (RFC 6750 section 3.1 code). */
  invalidAccessToken(): OAuthError {
    return new OAuthError(401, 'invalid_token', 'Invalid token', {
      headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
    });
  },

  /** A token without the MFA API scope an endpoint needs (RFC 6750 section 3.1 code). */
  insufficientScope(scope: string): OAuthError {
    return new OAuthError(
      403,
      'insufficient_scope',
      `Insufficient scope, expected any of: ${scope}`,
      {
        headers: { 'www-authenticate': `Bearer error="insufficient_scope", scope="${scope}"` },
      },
    );
  },

  /** Wrong recovery code (ours, following the otp message). */
  invalidRecoveryCode(): OAuthError {
    return new OAuthError(403, 'invalid_grant', 'Invalid recovery_code.');
  },

  /** `/mfa/challenge` with no challenge type the user is enrolled in (documented code). */
  unsupportedChallengeType(): OAuthError {
    return new OAuthError(
      400,
      'unsupported_challenge_type',
      'User is not enrolled with any of the requested challenge types.',
    );
  },

  /** Brute-force protection tripped (observed text). */
  tooManyAttempts(): OAuthError {
    return new OAuthError(
      429,
      'too_many_attempts',
      "Your account has been blocked after multiple consecutive login attempts. We've sent you a notification via your preferred contact method with instructions on how to unblock it.",
    );
  },

  /** Rate limit exceeded (observed), with `Retry-After` in seconds (RFC 9110 section 10.2.3). */
  rateLimitExceeded(retryAfterSeconds: number): OAuthError {
    return new OAuthError(429, 'too_many_requests', 'Rate limit exceeded.', {
      headers: { 'retry-after': String(retryAfterSeconds) },
    });
  },

  /** A user blocked by an administrator (observed). */
  userBlocked(): OAuthError {
    return new OAuthError(401, 'unauthorized', 'user is blocked');
  },

  /** A rule's denial (the seed: an access-control rule answers `access_denied`). */
  ruleDenied(message: string): OAuthError {
    return new OAuthError(403, 'access_denied', message);
  },

  /**
   * A DPoP proof that fails a check of RFC 9449 section 4.3 (or the replay check, section 11.1):
   * `400 invalid_dpop_proof` (section 5), with a fixed sentence saying which check failed.
   */
  invalidDpopProof(description: string): OAuthError {
    return new OAuthError(400, 'invalid_dpop_proof', description);
  },

  /**
   * A proof without the server's current nonce while nonces are required: `400 use_dpop_nonce`
   * with a fresh nonce in `DPoP-Nonce` (RFC 9449 section 8, the text of its example).
   */
  useDpopNonce(description: string, nonce: string): OAuthError {
    return new OAuthError(400, 'use_dpop_nonce', description, {
      headers: { 'dpop-nonce': nonce },
    });
  },

  /**
   * A token request without a DPoP proof from a client with "Require Sender Constraining", or for
   * an API whose policy is `required` (Auth0: "Not Issued", with no documented error; ours).
   */
  proofOfPossessionRequired(who: 'client' | 'api'): OAuthError {
    return new OAuthError(
      400,
      'invalid_request',
      who === 'client'
        ? 'A DPoP proof is required: the application requires sender-constrained tokens.'
        : 'A DPoP proof is required: the API requires sender-constrained tokens.',
    );
  },

  /**
   * A token request without a verified client certificate (and without a DPoP proof) from a client
   * with mTLS token binding and "Require Sender Constraining" (Auth0: "Not Issued", with no
   * documented error; RFC 8705 section 3.4 leaves it "at the authorization server's discretion as
   * to whether to return an error or issue an unbound token"; ours).
   */
  clientCertificateRequired(): OAuthError {
    return new OAuthError(
      400,
      'invalid_request',
      'A client certificate is required: the application requires certificate-bound tokens (mTLS, RFC 8705). Send the request to the custom domain, with the certificate the edge verified in client-certificate.',
    );
  },

  /**
   * A request that would bind its access token both to a DPoP key and to a client certificate
   * (ours): RFC 7800 section 3.1, "the cnf claim value MUST represent only a single
   * proof-of-possession key", and Auth0 gives each API one mechanism.
   */
  twoProofsOfPossession(): OAuthError {
    return new OAuthError(
      400,
      'invalid_request',
      'A token is bound to one key: send a DPoP proof or a client certificate, not both.',
    );
  },

  /**
   * A client with "Require Sender Constraining" asking for an API without sender constraining
   * (Auth0: "Not Issued"; ours).
   */
  senderConstrainingNotEnabled(audience: string): OAuthError {
    return new OAuthError(
      400,
      'invalid_request',
      `The application requires sender-constrained tokens, which the API does not issue: ${audience}`,
    );
  },

  /** A DPoP-bound refresh token presented without a proof (RFC 9449 section 5; ours: the text). */
  refreshTokenNeedsProof(): OAuthError {
    return new OAuthError(
      403,
      'invalid_grant',
      'The refresh token is DPoP-bound: a DPoP proof of its key is required.',
    );
  },

  /** A DPoP-bound refresh token with a proof of another key (RFC 9449 section 5; ours). */
  refreshTokenOfAnotherKey(): OAuthError {
    return new OAuthError(
      403,
      'invalid_grant',
      'The DPoP proof key is not the key the refresh token is bound to.',
    );
  },

  /** RFC 7009 section 2.1: a token issued to another client is refused (ours: the text). */
  tokenOfAnotherClient(): OAuthError {
    return new OAuthError(403, 'unauthorized_client', 'The token was not issued to this client.');
  },
} as const;
