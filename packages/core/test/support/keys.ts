import { exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';

/** A signing key pair of the kind an authorization server publishes. */
export interface TestKey {
  alg: string;
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

let counter = 0;

/** Generates a key pair whose public half is ready to publish in a JWKS. */
export async function createTestKey(alg = 'RS256', kid?: string): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const keyId = kid ?? `test-key-${++counter}`;
  const publicJwk = { ...(await exportJWK(publicKey)), kid: keyId, alg, use: 'sig' };
  return { alg, kid: keyId, privateKey, publicJwk };
}
