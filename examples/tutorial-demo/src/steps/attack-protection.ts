import { OAuthError } from '@ropkit/core';
import { isConfigured } from '../demo-context.ts';
import { MASKED, shortenToken } from '../mask.ts';
import { expectThat, StepFailed, StepSkipped, type DemoStep } from '../step.ts';

/**
 * Optional, "Configure attack protection" (Auth0: "Avoid Common Issues with Resource Owner
 * Password Flow and Attack Protection"): a backend signs every user in from its own IP, so
 * brute-force protection, which counts failures per user and IP, would let one attacker lock a
 * user out for everyone. A confidential client with "Trust Token Endpoint IP Header" sends the
 * end user's IP in `auth0-forwarded-for`: the attacker's IP is blocked, the user's is not.
 */
export const attackProtection: DemoStep = {
  id: 'attack-protection',
  title: 'Configure attack protection (auth0-forwarded-for)',
  section: 'optional',
  async run(context, log) {
    const setup = context.attackProtection;
    if (!isConfigured(setup)) throw new StepSkipped(setup.notConfigured);
    const { client, user, attackerIp, userIp } = setup;
    log.line(
      `client ${setup.clientId} ("Trust Token Endpoint IP Header" on) signs in for the users it serves`,
    );
    const wrongPassword = `not-${user.password}-${Date.now()}`;

    // Wrong passwords from the attacker's IP until brute-force protection answers
    // too_many_attempts: the threshold-th consecutive failure blocks that (user, IP) pair.
    let failures = 0;
    let blockedBy: OAuthError | undefined;
    while (blockedBy === undefined && failures < setup.maxAttempts) {
      const refusal = await refusalOf(() =>
        client.password({
          username: user.username,
          password: wrongPassword,
          forwardedFor: attackerIp,
        }),
      );
      if (refusal.error === 'too_many_attempts') blockedBy = refusal;
      else if (refusal.error === 'invalid_grant') failures += 1;
      else throw new StepFailed(`a wrong password got ${refusal.message}`);
    }
    log.fields(`→ POST ${context.tokenEndpoint} ×${failures + (blockedBy === undefined ? 0 : 1)}`, [
      ['grant_type', 'password'],
      ['username', user.username],
      ['password', `${MASKED} (wrong)`],
      ['header', `auth0-forwarded-for: ${attackerIp}`],
    ]);
    log.line(`← 403 invalid_grant "Wrong email or password." ×${failures}`);
    if (blockedBy === undefined) {
      throw new StepFailed(
        `${failures} wrong passwords from ${attackerIp} did not trip brute-force protection`,
      );
    }
    log.line(
      `← ${blockedBy.status} ${blockedBy.error}: ${attackerIp} is blocked for ${user.username}`,
    );

    log.line(`→ the right password from the attacker's IP ${attackerIp}`);
    const stillBlocked = await refusalOf(() =>
      client.password({
        username: user.username,
        password: user.password,
        forwardedFor: attackerIp,
      }),
    );
    log.line(`← ${stillBlocked.status} ${stillBlocked.error}`);
    expectThat(
      stillBlocked.error === 'too_many_attempts',
      `the blocked IP got ${stillBlocked.error}, not too_many_attempts`,
    );

    log.line(`→ the right password from the user's own IP ${userIp}`);
    const tokens = await client.password({
      username: user.username,
      password: user.password,
      forwardedFor: userIp,
    });
    log.line(`← 200 access_token ${shortenToken(tokens.accessToken)}: the user still signs in`);
  },
};

/** The OAuth error `attempt` fails with; a success is a failure of the step. */
async function refusalOf(attempt: () => Promise<unknown>): Promise<OAuthError> {
  try {
    await attempt();
  } catch (error) {
    if (error instanceof OAuthError) return error;
    throw error;
  }
  throw new StepFailed('the sign-in succeeded where it should have been refused');
}
