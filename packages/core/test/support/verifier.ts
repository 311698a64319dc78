import { createAccessTokenVerifier, type AccessTokenVerifierOptions } from '../../src/index.js';
import { AUDIENCE } from './tokens.js';
import type { JwksServer } from './jwks-server.js';

/** A verifier pointed at a test JWKS server, with the server's URL as issuer. */
export function verifierFor(server: JwksServer, options: Partial<AccessTokenVerifierOptions> = {}) {
  return createAccessTokenVerifier({
    issuer: server.issuer,
    audience: AUDIENCE,
    jwksUri: server.jwksUri,
    ...options,
  });
}
