import { createAuthorizedFetch } from '@ropkit/core';
import { callApi } from '../api-call.ts';
import { decodeClaims } from '../claims.ts';
import { isConfigured } from '../demo-context.ts';
import { ACCESS_TOKEN_DECODED, ID_TOKEN_VERIFIED } from '../identity.ts';
import { signIn } from '../sign-in.ts';
import { expectThat, StepSkipped, type DemoStep } from '../step.ts';

/** Claims named by a URL: the namespaced form custom claims must take (OIDC, the tutorial). */
function namespacedClaims(claims: Readonly<Record<string, unknown>>): Array<[string, string]> {
  return Object.entries(claims)
    .filter(([name]) => /^https?:\/\//.test(name))
    .map(([name, value]) => [name, JSON.stringify(value)]);
}

/**
 * Optional, "Sample use cases: Customize tokens": a rule that runs after the user authenticates
 * adds the namespaced claim `http://foo/bar` to the access token (and `http://fiz/baz` to the ID
 * token); the API still accepts the token.
 */
export const customizeTokens: DemoStep = {
  id: 'customize-tokens',
  title: 'Customize tokens (a rule adds a namespaced claim)',
  section: 'optional',
  async run(context, log) {
    if (!isConfigured(context.customClaim))
      throw new StepSkipped(context.customClaim.notConfigured);
    const expected = context.customClaim;
    const key = `${context.sessionKey}:custom-claim`;
    const tokens = await signIn(context, log, key, context.user);
    const accessClaims = decodeClaims(tokens.accessToken);
    log.fields(
      `namespaced claims in the access token (${ACCESS_TOKEN_DECODED})`,
      namespacedClaims(accessClaims),
    );
    const identity = await context.manager.identity(key);
    if (identity !== undefined)
      log.fields(
        `namespaced claims in the ID token (${ID_TOKEN_VERIFIED})`,
        namespacedClaims(identity),
      );

    expectThat(
      expected.name in accessClaims,
      `the access token has no "${expected.name}" claim: no rule added it`,
    );
    if (expected.value !== undefined) {
      expectThat(
        accessClaims[expected.name] === expected.value,
        `"${expected.name}" is ${JSON.stringify(accessClaims[expected.name])}, not ${JSON.stringify(expected.value)}`,
      );
    }
    const apiFetch = createAuthorizedFetch({ manager: context.manager, key });
    const answer = await callApi(context, log, '/api/private', apiFetch, tokens.accessToken);
    expectThat(
      answer.status === 200,
      `/api/private answered ${answer.status} to the customized token`,
    );
  },
};
