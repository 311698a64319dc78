import { describe, expect, it } from 'vitest';
import { renderBearerError, requireStepUp } from '../src/adapter.js';
import { BearerError, type VerifiedAccessToken } from '../src/index.js';
import { useJwksFixture } from './support/fixture.js';

const f = useJwksFixture();
const MFA = 'http://schemas.openid.net/pape/policies/2007/06/multi-factor';
const now = Math.floor(Date.now() / 1000);

async function verified(claims: Record<string, unknown>): Promise<VerifiedAccessToken> {
  return f.verifier().verify(await f.sign({ claims }));
}

function refusal(rule: ReturnType<typeof requireStepUp>, token: VerifiedAccessToken) {
  try {
    rule(token);
  } catch (error) {
    if (error instanceof BearerError) return renderBearerError(error);
    throw error;
  }
  return undefined;
}

describe('RFC 9470: step-up authentication at a route', () => {
  it('passes a token whose acr is acceptable and whose auth_time is recent enough', async () => {
    const rule = requireStepUp({ acrValues: [MFA], maxAge: 300 });
    expect(refusal(rule, await verified({ acr: MFA, auth_time: now - 60 }))).toBeUndefined();
  });

  it('section 3: another acr is 401 insufficient_user_authentication with acr_values', async () => {
    const rule = requireStepUp({ acrValues: [MFA] });
    const answer = refusal(rule, await verified({ acr: 'urn:pwd', auth_time: now }));
    expect(answer?.status).toBe(401);
    expect(answer?.headers['www-authenticate']).toBe(
      `Bearer realm="api", error="insufficient_user_authentication", error_description="A different authentication level is required", acr_values="${MFA}"`,
    );
    expect(refusal(rule, await verified({}))?.status).toBe(401);
  });

  it('section 3: an authentication older than maxAge (or without auth_time) asks for max_age', async () => {
    const rule = requireStepUp({ maxAge: 300 });
    const answer = refusal(rule, await verified({ auth_time: now - 301 }));
    expect(answer?.headers['www-authenticate']).toBe(
      'Bearer realm="api", error="insufficient_user_authentication", error_description="More recent authentication is required", max_age="300"',
    );
    expect(JSON.parse(answer?.body ?? '{}')).toEqual({
      error: 'insufficient_user_authentication',
      error_description: 'More recent authentication is required',
    });
    expect(refusal(rule, await verified({}))?.status).toBe(401);
  });

  it('is checked at declaration', () => {
    expect(() => requireStepUp({})).toThrow('requireStepUp needs "acrValues", "maxAge" or both');
    expect(() => requireStepUp({ acrValues: ['has space'] })).toThrow(
      '"acrValues" must be a non-empty array',
    );
    expect(() => requireStepUp({ maxAge: -1 })).toThrow(
      '"maxAge" must be a whole number of seconds',
    );
  });
});
