import { hasAudience, scopesOf } from '../claims.ts';
import { ACCESS_TOKEN_DECODED, showIdentity, showUserinfo } from '../identity.ts';
import { expectThat, type DemoStep } from '../step.ts';
import { signIn } from '../sign-in.ts';

/**
 * Tutorial step 2, "Request tokens": POST the user's credentials to the token URL with
 * `grant_type=password` (RFC 6749 section 4.3.2) and get an access token for the API, a refresh
 * token (offline access) and an ID token (openid), which the token manager verified before saving
 * it. The user's profile is then read from /userinfo with the access token.
 */
export const requestTokens: DemoStep = {
  id: 'request-tokens',
  title: 'Request tokens',
  section: 'tutorial',
  async run(context, log) {
    const tokens = await signIn(context, log, context.sessionKey, context.user, 'full');
    const claims = log.claims(`access token claims (${ACCESS_TOKEN_DECODED})`, tokens.accessToken);
    expectThat(
      hasAudience(claims, context.audience),
      `the access token's "aud" does not name the API ${context.audience}`,
    );
    expectThat(
      scopesOf(claims).includes(context.requiredScope),
      `the access token's "scope" lacks ${context.requiredScope}`,
    );
    expectThat(
      tokens.refreshToken !== undefined,
      'no refresh_token: allow offline access on the API and the Refresh Token grant on the application',
    );
    expectThat(tokens.idToken !== undefined, 'no id_token although the scope has openid');
    const identity = await showIdentity(context, log, context.sessionKey);
    expectThat(
      identity.sub === claims.sub,
      "the ID token's sub is not the access token's: they are not for the same user",
    );
    await showUserinfo(context, log, context.sessionKey, identity);
  },
};
