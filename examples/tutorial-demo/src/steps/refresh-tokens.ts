import { hasAudience, scopesOf } from '../claims.ts';
import { ACCESS_TOKEN_DECODED } from '../identity.ts';
import { MASKED, shortenToken } from '../mask.ts';
import { tokenResponseFields } from '../sign-in.ts';
import { expectThat, type DemoStep } from '../step.ts';

/**
 * Tutorial step 4, "Refresh tokens": POST `grant_type=refresh_token` (RFC 6749 section 6) to get a
 * new access token without the user's password. The token manager does this by itself before the
 * token expires; the demo asks for it now. The answer is shown as the server sent it: without a
 * refresh token unless rotation is on (the tutorial's sample answer has none); the manager then
 * keeps the one it had, as the line after the answer says.
 */
export const refreshTokens: DemoStep = {
  id: 'refresh-tokens',
  title: 'Refresh tokens',
  section: 'tutorial',
  needs: ['request-tokens'],
  async run(context, log) {
    const before = await context.manager.getTokenSet(context.sessionKey);
    expectThat(
      before.refreshToken !== undefined,
      'no refresh token was stored by "Request tokens"',
    );
    const sent: Array<[string, string]> = [
      ['grant_type', 'refresh_token'],
      ['client_id', context.clientId],
    ];
    if (context.hasClientSecret) sent.push(['client_secret', MASKED]);
    sent.push(['refresh_token', shortenToken(before.refreshToken)]);
    log.fields(`→ POST ${context.tokenEndpoint}`, sent);

    const after = await context.manager.refresh(context.sessionKey);
    const answer = context.tokenClient.lastAnswer();
    log.fields(
      '← 200 token response',
      tokenResponseFields(answer, 'the token manager keeps the previous one'),
    );
    expectThat(
      after.refreshToken !== undefined,
      'the refresh token was lost: the manager keeps the old one when the answer has none',
    );
    if (answer.refreshToken === undefined) {
      log.line(
        `the token manager keeps refresh_token ${shortenToken(after.refreshToken)}: rotation is off, the old one stays valid`,
      );
    } else if (answer.refreshToken !== before.refreshToken) {
      log.line(
        `rotation: the new refresh token replaces ${shortenToken(before.refreshToken)}, which must not be sent again`,
      );
    }
    const claims = log.claims(
      `new access token claims (${ACCESS_TOKEN_DECODED})`,
      answer.accessToken,
    );
    expectThat(
      hasAudience(claims, context.audience),
      `the refreshed token's "aud" does not name ${context.audience}`,
    );
    expectThat(
      scopesOf(claims).includes(context.requiredScope),
      `the refreshed token's "scope" lacks ${context.requiredScope}`,
    );
    expectThat(
      typeof claims.exp === 'number' && claims.exp * 1000 > Date.now(),
      'the refreshed token has already expired',
    );

    // "You can request a reduced set of scopes" (RFC 6749 section 6): the server answers with the
    // scope it granted, which the token manager stores.
    const reducedScope = ['openid', context.requiredScope];
    const reducedSent: Array<[string, string]> = sent.slice(0, -1);
    reducedSent.push(['refresh_token', shortenToken(after.refreshToken)]);
    reducedSent.push(['scope', reducedScope.join(' ')]);
    log.line('refresh again with a reduced scope:');
    log.fields(`→ POST ${context.tokenEndpoint}`, reducedSent);
    const reduced = await context.manager.refresh(context.sessionKey, {
      scope: reducedScope.join(' '),
    });
    const reducedAnswer = context.tokenClient.lastAnswer();
    log.fields(
      '← 200 token response',
      tokenResponseFields(reducedAnswer, 'the token manager keeps the previous one'),
    );
    const granted = reduced.scope ?? [];
    log.line(`granted scope: ${granted.join(' ')} (asked for ${reducedScope.join(' ')})`);
    const original = before.scope ?? [];
    expectThat(
      granted.includes(context.requiredScope) && granted.length < original.length,
      `the reduced refresh was granted "${granted.join(' ')}", not a reduced set with ${context.requiredScope}`,
    );
    expectThat(
      granted.every((scope) => original.includes(scope)),
      'the reduced refresh was granted a scope the sign-in was not',
    );
  },
};
