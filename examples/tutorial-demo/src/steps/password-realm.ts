import { createAuthorizedFetch, OAuthError } from '@ropkit/core';
import { callApi } from '../api-call.ts';
import { hasAudience } from '../claims.ts';
import { ACCESS_TOKEN_DECODED } from '../identity.ts';
import { isConfigured } from '../demo-context.ts';
import { signIn } from '../sign-in.ts';
import { expectThat, StepSkipped, type DemoStep } from '../step.ts';

/**
 * Optional, "Configure realm support": Auth0's extension grant
 * `http://auth0.com/oauth/grant-type/password-realm` names the connection (user directory) the
 * user belongs to in `realm`, instead of the tenant's default directory.
 */
export const passwordRealm: DemoStep = {
  id: 'password-realm',
  title: 'Configure realm support (password-realm grant)',
  section: 'optional',
  async run(context, log) {
    if (!isConfigured(context.realmUser)) throw new StepSkipped(context.realmUser.notConfigured);
    const account = context.realmUser;
    const key = `${context.sessionKey}:realm`;

    if (context.mode === 'mock') {
      // The mock's realm user exists only in its own connection: the default directory refuses it.
      const { realm: _realm, ...withoutRealm } = account;
      try {
        await signIn(context, log, key, withoutRealm);
        expectThat(false, 'the default directory signed in a user who is only in the realm');
      } catch (error) {
        if (!(error instanceof OAuthError)) throw error;
        log.line(
          `← ${error.status} ${error.error} "${error.errorDescription ?? ''}": not in the default directory`,
        );
        expectThat(error.error === 'invalid_grant', `expected invalid_grant, got ${error.error}`);
      }
    }

    const tokens = await signIn(context, log, key, account, 'full');
    const claims = log.claims(`access token claims (${ACCESS_TOKEN_DECODED})`, tokens.accessToken);
    expectThat(hasAudience(claims, context.audience), `"aud" does not name ${context.audience}`);
    const apiFetch = createAuthorizedFetch({ manager: context.manager, key });
    const answer = await callApi(context, log, '/api/private-scoped', apiFetch, tokens.accessToken);
    expectThat(answer.status === 200, `/api/private-scoped answered ${answer.status}`);
  },
};
