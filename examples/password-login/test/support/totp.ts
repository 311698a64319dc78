/** RFC 6238 codes for the configured users' secrets, as an authenticator app computes them. */
export { totpCodeForSecret as totp } from '@ropkit/mock-server';
