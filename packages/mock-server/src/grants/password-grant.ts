import { Auth0Errors } from '../auth0-errors.js';
import { secretsMatch } from '../constant-time.js';
import { GrantType } from '../grant-types.js';
import { issueTokens } from '../issue-tokens.js';
import { mfaRequirements } from '../mfa-authenticators.js';
import type { ResolvedApi, ResolvedUser } from '../resolved-config.js';
import { grantPasswordScopes, parseScope } from '../scopes.js';
import { accessTokenBinding } from '../sender-constraint.js';
import type { ServerState } from '../server-state.js';
import { acrValuesRequireMfa } from '../step-up.js';
import { requireParameter, resolveApi, type GrantHandler } from './grant-context.js';

/**
 * Whether `user` must pass a second factor: the tenant's policy, the user's own enrolment, the
 * MFA API's audience (Auth0: "When `https://{yourDomain}/mfa/` is specified as the audience, MFA is
 * enforced"), or a request for it in `acr_values` (step-up, `mfaOnAcrValues`).
 */
function mfaRequired(
  state: ServerState,
  user: ResolvedUser,
  api: ResolvedApi | undefined,
  acrValues: string | undefined,
): boolean {
  return (
    state.tenant.mfaPolicy === 'always' ||
    user.mfa?.required === true ||
    api?.identifier === state.mfaAudience ||
    acrValuesRequireMfa(state, acrValues)
  );
}

/**
 * `grant_type=password` (the tenant's default directory, or `realm` when an SDK sends one) and
 * `http://auth0.com/oauth/grant-type/password-realm` (`realm` required).
 */
export const passwordGrant: GrantHandler = async ({
  state,
  parameters,
  client,
  grantType,
  endUserIp,
  dpop,
  certificate,
}) => {
  const username = requireParameter(parameters, 'username');
  const password = requireParameter(parameters, 'password');
  const realm =
    grantType === GrantType.passwordRealm
      ? requireParameter(parameters, 'realm')
      : parameters.get('realm');
  const connection = realm ?? state.directory.defaultDirectory;
  if (connection === undefined) throw Auth0Errors.noDefaultConnection();
  if (!state.directory.hasConnection(connection)) throw Auth0Errors.unknownRealm(connection);
  const api = resolveApi(state, parameters.get('audience') ?? state.directory.defaultAudience);
  // Before the password is checked: a token that would not be issued is refused first, so that
  // no MFA transaction starts for it either.
  const binding = accessTokenBinding(client, api, dpop, certificate);

  // Brute-force protection blocks the (user, IP) pair even when the password is right.
  if (state.bruteForce.isBlocked(connection, username, endUserIp)) {
    throw Auth0Errors.tooManyAttempts();
  }
  const user = state.directory.findUser(connection, username);
  if (user === undefined || !secretsMatch(user.password, password)) {
    state.bruteForce.recordFailure(connection, username, endUserIp);
    throw Auth0Errors.wrongEmailOrPassword();
  }
  if (user.blocked) throw Auth0Errors.userBlocked();
  state.bruteForce.recordSuccess(connection, username, endUserIp);

  const requestedScopes = parseScope(parameters.get('scope'));
  const grantedScopes = grantPasswordScopes(requestedScopes, api, user);
  if (mfaRequired(state, user, api, parameters.get('acr_values'))) {
    const mfaToken = state.mfaTokens.create(
      {
        clientId: client.clientId,
        userId: user.userId,
        connection,
        audience: api?.identifier,
        requestedScopes,
        grantedScopes,
      },
      state.tenant.mfaTokenLifetime,
    );
    throw Auth0Errors.mfaRequired(
      state.tenant.compatibility,
      mfaToken,
      mfaRequirements(user, state.tenant.mfaFactors),
    );
  }
  return issueTokens(
    state,
    {
      client,
      connection,
      user,
      api,
      grantedScopes,
      requestedScopes,
      gty: 'password',
      binding,
      // The password check is the authentication (OIDC Core section 2, auth_time).
      authentication: { authTime: state.clock.nowSeconds(), multiFactor: false },
    },
    { startFamily: true },
  );
};
