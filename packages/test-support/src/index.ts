/**
 * The one test support of the workspace (private, never published): the test tenant, the mock
 * server of a test file, loopback servers and a cookie-keeping browser.
 */
export { Browser } from './browser.ts';
export {
  describeIdentityRoutes,
  identityClient,
  identityTenant,
  ROLES_CLAIM,
} from './identity-routes.ts';
export { listen, type Listening } from './listen.ts';
export { callEveryLoginRoute, enableMfaSms, MFA_PHONE } from './mfa-routes.ts';
export { bearer, issueToken, totp, useMockServer } from './mock-server.ts';
export { CLIENTS, testTenant, TUTORIAL, USERS } from './tenant.ts';
