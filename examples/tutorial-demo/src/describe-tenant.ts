import type { MfaEnrolment, MockServerConfig, ProofOfPossessionPolicy } from '@ropkit/mock-server';
import { MASKED } from './mask.ts';
import type { RealTenantSettings } from './real-tenant-settings.ts';

/**
 * Tutorial step 1, "Configure tenant", for the mock: what the in-process tenant was configured
 * with, read from its configuration (so a changed tenant shows as it is).
 */
export function describeMockTenant(config: MockServerConfig): Array<[string, string]> {
  const fields: Array<[string, string]> = [
    ['default directory', config.defaultDirectory ?? '(none)'],
  ];
  for (const api of config.apis ?? []) {
    fields.push([
      'API',
      `${api.identifier}  scopes: ${(api.scopes ?? []).join(' ') || '(none)'}, offline access ${api.allowOfflineAccess === true ? 'allowed' : 'not allowed'}, sender constraining (DPoP) ${SENDER_CONSTRAINING[api.proofOfPossession ?? 'none']}`,
    ]);
  }
  for (const client of config.clients ?? []) {
    const trust = client.trustForwardedFor === true ? ', trusts auth0-forwarded-for' : '';
    fields.push([
      'application',
      `${client.clientId}  grants: ${(client.grantTypes ?? ['(Auth0 defaults, no password)']).join(', ')}${trust}`,
    ]);
  }
  for (const connection of config.connections ?? []) {
    for (const user of connection.users ?? []) {
      const mfa = user.mfa === undefined ? '' : `, ${describeMfa(user.mfa)}`;
      fields.push(['user', `${user.email} / ${MASKED} in ${connection.name}${mfa}`]);
    }
  }
  if (config.mfaPushPollInterval !== undefined) {
    fields.push([
      'MFA push',
      `polled at most every ${config.mfaPushPollInterval} s (sooner: slow_down)`,
    ]);
  }
  for (const rule of config.rules ?? []) {
    const claims = Object.keys({ ...rule.accessTokenClaims, ...rule.idTokenClaims });
    fields.push(['rule', `${rule.name}  adds ${claims.join(', ') || 'no claims'}`]);
  }
  return fields;
}

/** Auth0's "Token Sender-Constraining" setting of an API, as the dashboard words it. */
const SENDER_CONSTRAINING: Record<ProofOfPossessionPolicy, string> = {
  none: 'not allowed',
  allowed: 'allowed',
  required: 'required',
};

/** A user's MFA enrolment in a few words; the TOTP secret and recovery codes are not shown. */
function describeMfa(mfa: MfaEnrolment): string {
  const factors: string[] = [];
  if (mfa.totpSecret !== undefined) factors.push('authenticator app (TOTP)');
  for (const phone of mfa.sms ?? []) factors.push(`SMS to ${phone}`);
  for (const phone of mfa.voice ?? []) factors.push(`voice call to ${phone}`);
  for (const address of mfa.email ?? []) factors.push(`email to ${address}`);
  for (const device of mfa.push ?? []) factors.push(`Guardian push on "${device}"`);
  const codes = mfa.recoveryCodes?.length ?? 0;
  if (codes > 0) factors.push(`${codes} recovery code${codes === 1 ? '' : 's'}`);
  const required = mfa.required === false ? 'MFA not required' : 'MFA required';
  return factors.length === 0
    ? `${required}, nothing enrolled yet`
    : `${required}: ${factors.join(', ')}`;
}

/** "Configure tenant" for a real tenant: the settings given, secrets masked. */
export function describeRealTenant(settings: RealTenantSettings): Array<[string, string]> {
  return [
    ['issuer', settings.issuer],
    ['application', `${settings.clientId}  client_secret ${MASKED}`],
    ['API', settings.audience],
    ['user', `${settings.username} / ${MASKED}`],
    ['realm', settings.realm ?? '(not given: that step is skipped)'],
    [
      'MFA',
      settings.mfaSecret === undefined
        ? '(not given: that step is skipped)'
        : `TOTP secret ${MASKED}`,
    ],
    ['other MFA steps', '(SMS, push, recovery code, enrolment: mock server only, skipped)'],
    ['custom claim', settings.customClaim ?? '(not given: that step is skipped)'],
    [
      'attack protection',
      settings.attackProtection
        ? 'on: the client trusts auth0-forwarded-for'
        : '(not enabled: that step is skipped)',
    ],
    [
      'DPoP',
      settings.dpop
        ? 'on: the API allows Token Sender-Constraining'
        : '(not enabled: that step is skipped)',
    ],
  ];
}
