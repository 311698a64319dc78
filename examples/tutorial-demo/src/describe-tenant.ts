import type { MockServerConfig } from '@ropkit/mock-server';
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
      `${api.identifier}  scopes: ${(api.scopes ?? []).join(' ') || '(none)'}, offline access ${api.allowOfflineAccess === true ? 'allowed' : 'not allowed'}`,
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
      const mfa = user.mfa === undefined ? '' : ', enrolled in MFA (TOTP)';
      fields.push(['user', `${user.email} / ${MASKED} in ${connection.name}${mfa}`]);
    }
  }
  for (const rule of config.rules ?? []) {
    const claims = Object.keys({ ...rule.accessTokenClaims, ...rule.idTokenClaims });
    fields.push(['rule', `${rule.name}  adds ${claims.join(', ') || 'no claims'}`]);
  }
  return fields;
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
    ['custom claim', settings.customClaim ?? '(not given: that step is skipped)'],
    [
      'attack protection',
      settings.attackProtection
        ? 'on: the client trusts auth0-forwarded-for'
        : '(not enabled: that step is skipped)',
    ],
  ];
}
