import { randomUUID } from 'node:crypto';
import { SignJWT, type JWTPayload } from 'jose';
import { GrantType } from './grant-types.js';
import type { ResolvedApi, ResolvedClient, ResolvedUser } from './resolved-config.js';
import { applyRules } from './rules.js';
import { profileClaims, sameScopes } from './scopes.js';
import { refreshTokenBinding } from './sender-constraint.js';
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
   * The thumbprint of the DPoP key the access token is bound to (`cnf.jkt`, RFC 9449 section 6.1),
   * from `accessTokenBinding`; `undefined` for a Bearer token.
   */
  readonly accessTokenJkt: string | undefined;
}

/**
 * The refresh token for the response: start a new family (password and MFA grants, when
 * `offline_access` was granted), or pass on what a refresh produced (a rotated token or none).
 */
export type RefreshTokenPlan =
  { readonly startFamily: true } | { readonly rotated: string | undefined };

async function sign(
  state: ServerState,
  claims: JWTPayload,
  typ: 'JWT' | 'at+jwt',
): Promise<string> {
  const key = state.keys.current;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, typ, kid: key.kid })
    .sign(key.privateKey);
}

function audience(state: ServerState, grant: TokenGrant): string | string[] {
  if (grant.api === undefined) return state.userinfoUrl;
  // Auth0 adds the userinfo audience when openid was granted.
  return grant.grantedScopes.includes('openid')
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
  // RFC 9449 section 6.1: a DPoP-bound JWT access token confirms its key by thumbprint (RFC 7800).
  const confirmation =
    grant.accessTokenJkt === undefined ? {} : { cnf: { jkt: grant.accessTokenJkt } };
  const accessToken =
    api?.tokenProfile === 'rfc9068'
      ? // RFC 9068 section 2.2: client_id and jti in place of Auth0's azp and gty.
        await sign(
          state,
          {
            iss: state.issuer,
            sub,
            aud: audience(state, grant),
            iat,
            exp: iat + lifetime,
            scope: accessScopes.join(' '),
            client_id: client.clientId,
            jti: randomUUID(),
            ...permissions,
            ...confirmation,
            ...rules.accessTokenClaims,
          },
          'at+jwt',
        )
      : await sign(
          state,
          {
            iss: state.issuer,
            sub,
            aud: audience(state, grant),
            iat,
            exp: iat + lifetime,
            scope: accessScopes.join(' '),
            gty: grant.gty,
            azp: client.clientId,
            ...permissions,
            ...confirmation,
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
          jkt: refreshTokenBinding(client, grant.accessTokenJkt),
        },
        client.refreshToken.lifetime,
      );
    }
  } else {
    refreshToken = refresh.rotated;
  }

  const idToken = grant.grantedScopes.includes('openid')
    ? await sign(
        state,
        {
          iss: state.issuer,
          sub,
          aud: client.clientId,
          iat,
          exp: iat + client.idTokenLifetime,
          ...profileClaims(user, grant.grantedScopes, state.profileSettings),
          ...rules.idTokenClaims,
        },
        'JWT',
      )
    : undefined;

  return {
    access_token: accessToken,
    ...(refreshToken === undefined ? {} : { refresh_token: refreshToken }),
    ...(idToken === undefined ? {} : { id_token: idToken }),
    ...(sameScopes(accessScopes, grant.requestedScopes) ? {} : { scope: accessScopes.join(' ') }),
    expires_in: lifetime,
    // RFC 9449 section 5: "A token_type of DPoP MUST be included in the access token response".
    token_type: grant.accessTokenJkt === undefined ? 'Bearer' : 'DPoP',
  };
}
