import { Auth0Errors } from '../auth0-errors.js';
import { issueTokens } from '../issue-tokens.js';
import type { ResolvedApi, ResolvedUser } from '../resolved-config.js';
import { parseScope } from '../scopes.js';
import {
  accessTokenBinding,
  checkRefreshTokenBinding,
  type AccessTokenBinding,
} from '../sender-constraint.js';
import { requireParameter, resolveApi, type GrantHandler } from './grant-context.js';

/**
 * `grant_type=refresh_token`: renews the original grant, or a subset of its scopes when `scope` is
 * sent (the seed: "otherwise you can request a reduced set of scopes").
 */
export const refreshTokenGrant: GrantHandler = async ({
  state,
  parameters,
  client,
  dpop,
  certificate,
}) => {
  const token = requireParameter(parameters, 'refresh_token');
  const requestedScopes = parseScope(parameters.get('scope'));
  let user: ResolvedUser | undefined;
  let api: ResolvedApi | undefined;
  let binding: AccessTokenBinding | undefined;
  // Everything that can refuse the request runs before the token is used, so a refused request
  // does not spend a rotating token.
  const used = state.refreshTokens.use(token, client, (grant) => {
    // RFC 9449 section 5: a public client's DPoP-bound refresh token needs a proof of its key.
    checkRefreshTokenBinding(grant.jkt, dpop);
    const found = state.directory.findUserById(grant.userId);
    if (found === undefined) throw Auth0Errors.invalidRefreshToken();
    if (found.user.blocked) throw Auth0Errors.userBlocked();
    user = found.user;
    api = resolveApi(state, grant.audience);
    for (const scope of requestedScopes) {
      if (!grant.scopes.includes(scope)) throw Auth0Errors.scopeNotGranted(scope);
    }
    // A confidential client's certificate-bound tokens are re-bound to the certificate of this
    // request (RFC 8705 section 7.1: its refresh token is bound by client authentication).
    binding = accessTokenBinding(client, api, dpop, certificate);
  });
  if (used === undefined || user === undefined || binding === undefined) {
    throw Auth0Errors.invalidRefreshToken();
  }
  const { grant, replacement } = used;
  const grantedScopes =
    requestedScopes.length === 0
      ? grant.scopes
      : grant.scopes.filter((scope) => requestedScopes.includes(scope));
  return issueTokens(
    state,
    {
      client,
      connection: grant.connection,
      user,
      api,
      grantedScopes,
      requestedScopes,
      gty: 'refresh_token',
      binding,
      // A refresh is no authentication: auth_time, acr and amr stay those of the original one.
      authentication: grant.authentication,
    },
    { rotated: replacement },
  );
};
