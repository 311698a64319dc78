import { randomUUID } from 'node:crypto';
import { SignJWT, type JWTPayload } from 'jose';
import { accessTokenSigner, signWith } from './access-token-keys.js';
import { authenticationClaims, type Authentication } from './authentication-claims.js';
import { GrantType } from './grant-types.js';
import type { ResolvedApi, ResolvedClient, ResolvedUser } from './resolved-config.js';
import { applyRules } from './rules.js';
import { profileClaims, sameScopes } from './scopes.js';
import { refreshTokenBinding, type AccessTokenBinding } from './sender-constraint.js';
import type { ServerState } from './server-state.js';

/** Access token lifetime without an API (the userinfo audience): Auth0's default, one day. */
const USERINFO_TOKEN_LIFETIME = 86_400;

/** An authorization about to be turned into tokens. */
export interface TokenGrant {
  readonly client: ResolvedClient;
  readonly connection: string;
  readonly user: ResolvedUser;
  /** `undefined`: no audience, the token is for `/userinfo` only. */
  readonly api: ResolvedApi | undefined;
  /** Scopes granted, before rules change the access token's. */
  readonly grantedScopes: readonly string[];
  /** Scopes the request asked for; the response lists `scope` when they differ. */
  readonly requestedScopes: readonly string[];
  /** The access token's `gty` claim (Auth0 profile). */
  readonly gty: string;
  /**
   * What the access token is bound to, from `accessTokenBinding`: a DPoP key (`cnf.jkt`, RFC 9449
   * section 6.1), a client certificate (`cnf["x5t#S256"]`, RFC 8705 section 3.1), or nothing.
   */
  readonly binding: AccessTokenBinding;
  /**
   * The user's authentication: `auth_time`, and `acr` and `amr` after MFA. A refresh passes on the
   * one stored with its refresh token.
   */
  readonly authentication: Authentication;
}

/**
 * The refresh token for the response: start a new family (password and MFA grants, when
 * `offline_access` was granted), or pass on what a refresh produced (a rotated token or none).
 */
export type RefreshTokenPlan =
  { readonly startFamily: true } | { readonly rotated: string | undefined };

/** Signs an ID token: always with the tenant's key (an API's HS256 setting is for its tokens). */
async function signIdToken(state: ServerState, claims: JWTPayload): Promise<string> {
  const key = state.keys.current;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, typ: 'JWT', kid: key.kid })
    .sign(key.privateKey);
}

/**
 * The access token's `cnf` (RFC 7800 section 3.1): the DPoP key's thumbprint (RFC 9449 section
 * 6.1) or the client certificate's (RFC 8705 section 3.1), never both.
 */
function confirmation(binding: AccessTokenBinding): { cnf?: Record<string, string> } {
  if (binding.jkt !== undefined) return { cnf: { jkt: binding.jkt } };
  if (binding.x5t !== undefined) return { cnf: { 'x5t#S256': binding.x5t } };
  return {};
}

/**
 * The access token's `aud`: the userinfo audience alone without an API; with one, the API, plus
 * the userinfo audience when `openid` was granted and the API signs with RS256. Auth0 ("Resource
 * Owner Password Flow with OIDC"): the token "is valid for calling the /userinfo endpoint
 * (provided that the API specified by the audience param uses RS256 as signing algorithm)", so an
 * HS256 API's token names that API alone, `openid` or not.
 */
function audience(state: ServerState, grant: TokenGrant): string | string[] {
  if (grant.api === undefined) return state.userinfoUrl;
  return grant.grantedScopes.includes('openid') && grant.api.signingAlgorithm !== 'HS256'
    ? [grant.api.identifier, state.userinfoUrl]
    : grant.api.identifier;
}

/**
 * Runs the rules, then signs the access token (and the ID token when `openid` was granted) and
 * builds Auth0's success body: `access_token`, `refresh_token`?, `id_token`?, `scope`?,
 * `expires_in`, `token_type` (`Bearer`, or `DPoP` for a DPoP-bound access token).
 */
export async function issueTokens(
  state: ServerState,
  grant: TokenGrant,
  refresh: RefreshTokenPlan,
): Promise<Record<string, unknown>> {
  const { client, user, api } = grant;
  const rules = applyRules(state.directory.rules, {
    connection: grant.connection,
    clientId: client.clientId,
    email: user.email,
  });
  const iat = state.clock.nowSeconds();
  const lifetime = api?.tokenLifetime ?? USERINFO_TOKEN_LIFETIME;
  const accessScopes = rules.scope ?? grant.grantedScopes;
  const sub = `auth0|${user.userId}`;
  const permissions =
    api?.rbac === true && api.addPermissionsInAccessToken
      ? { permissions: [...(user.permissions[api.identifier] ?? [])] }
      : {};
  // RFC 9068 section 2.2.1 and OIDC Core section 2: auth_time, and acr and amr after MFA.
  const authentication = authenticationClaims(grant.authentication);
  const signer = accessTokenSigner(state, api);
  const accessToken =
    api?.tokenProfile === 'rfc9068'
      ? // RFC 9068 section 2.2: client_id and jti in place of Auth0's azp and gty.
        await signWith(
          signer,
          {
            iss: state.issuer,
            sub,
            aud: audience(state, grant),
            iat,
            exp: iat + lifetime,
            scope: accessScopes.join(' '),
            client_id: client.clientId,
            jti: randomUUID(),
            ...authentication,
            ...permissions,
            ...confirmation(grant.binding),
            ...rules.accessTokenClaims,
          },
          'at+jwt',
        )
      : await signWith(
          signer,
          {
            iss: state.issuer,
            sub,
            aud: audience(state, grant),
            iat,
            exp: iat + lifetime,
            scope: accessScopes.join(' '),
            gty: grant.gty,
            azp: client.clientId,
            ...authentication,
            ...permissions,
            ...confirmation(grant.binding),
            ...rules.accessTokenClaims,
          },
          'JWT',
        );

  let refreshToken: string | undefined;
  if ('startFamily' in refresh) {
    // The seed: a refresh token needs offline_access, an API that allows offline access (checked
    // when scopes were granted) and the Refresh Token grant enabled on the application.
    if (
      grant.grantedScopes.includes('offline_access') &&
      client.grantTypes.includes(GrantType.refreshToken)
    ) {
      refreshToken = state.refreshTokens.issue(
        {
          clientId: client.clientId,
          userId: user.userId,
          connection: grant.connection,
          audience: api?.identifier,
          scopes: grant.grantedScopes,
          jkt: refreshTokenBinding(client, grant.binding.jkt),
          authentication: grant.authentication,
        },
        client.refreshToken.lifetime,
      );
    }
  } else {
    refreshToken = refresh.rotated;
  }

  const idToken = grant.grantedScopes.includes('openid')
    ? await signIdToken(state, {
        iss: state.issuer,
        sub,
        aud: client.clientId,
        iat,
        exp: iat + client.idTokenLifetime,
        ...authentication,
        ...profileClaims(user, grant.grantedScopes, state.profileSettings),
        ...rules.idTokenClaims,
      })
    : undefined;

  return {
    access_token: accessToken,
    ...(refreshToken === undefined ? {} : { refresh_token: refreshToken }),
    ...(idToken === undefined ? {} : { id_token: idToken }),
    ...(sameScopes(accessScopes, grant.requestedScopes) ? {} : { scope: accessScopes.join(' ') }),
    expires_in: lifetime,
    // RFC 9449 section 5: "A token_type of DPoP MUST be included in the access token response".
    // RFC 8705 leaves a certificate-bound token's type as it is: Bearer.
    token_type: grant.binding.jkt === undefined ? 'Bearer' : 'DPoP',
  };
}
