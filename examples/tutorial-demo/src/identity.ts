import type { IdTokenClaims } from '@ropkit/core';
import type { DemoContext } from './demo-context.ts';
import { shortenToken } from './mask.ts';
import { expectThat } from './step.ts';
import type { StepLog } from './step-log.ts';

/** What @ropkit/core checked before it saved the ID token (OIDC Core section 3.1.3.7). */
export const ID_TOKEN_VERIFIED = 'verified: signature, iss, aud, exp, iat';

/** The access token's claims are shown decoded only: the example API is the one verifying them. */
export const ACCESS_TOKEN_DECODED = 'decoded only, not verified: the API verifies them';

/**
 * Shows the session's ID token claims as the token manager verified them (`identity(key)`), and
 * returns them; fails the step when the session has none.
 */
export async function showIdentity(
  context: DemoContext,
  log: StepLog,
  key: string,
  title = 'ID token claims',
): Promise<Readonly<IdTokenClaims>> {
  const identity = await context.manager.identity(key);
  expectThat(identity !== undefined, 'no verified ID token claims although the scope has openid');
  log.claimSet(`${title} (${ID_TOKEN_VERIFIED})`, identity);
  return identity;
}

/** The UserInfo endpoint of the tenant (OIDC Core section 5.3), for display. */
export function userinfoUrl(context: DemoContext): string {
  return new URL('userinfo', context.issuer).href;
}

/**
 * Calls /userinfo with the session's access token through the token manager and shows the
 * request (token shortened) and the profile; the profile's `sub` must be the ID token's.
 */
export async function showUserinfo(
  context: DemoContext,
  log: StepLog,
  key: string,
  identity: Readonly<IdTokenClaims>,
): Promise<void> {
  const tokens = await context.manager.getTokenSet(key);
  log.line(
    `→ GET ${userinfoUrl(context)}  Authorization: Bearer ${shortenToken(tokens.accessToken)}`,
  );
  const profile = await context.manager.userinfo(key);
  log.claimSet(
    '← 200 profile',
    Object.fromEntries(
      (['sub', 'email', 'email_verified', 'name', 'nickname'] as const)
        .filter((name) => profile[name] !== undefined)
        .map((name) => [name, profile[name]]),
    ),
  );
  expectThat(
    profile.sub === identity.sub,
    `/userinfo answered sub ${profile.sub}, not the ID token's ${identity.sub}`,
  );
  log.line(`/userinfo's sub equals the ID token's sub (${identity.sub})`);
}
