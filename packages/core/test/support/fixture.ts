import { afterAll, beforeAll } from 'vitest';
import {
  BearerError,
  type AccessTokenVerifier,
  type AccessTokenVerifierOptions,
} from '../../src/index.js';
import { JwksServer } from './jwks-server.js';
import { createTestKey, type TestKey } from './keys.js';
import { signAccessToken, type SignOptions } from './tokens.js';
import { verifierFor } from './verifier.js';

/**
 * Starts one JWKS server on 127.0.0.1 with an RS256 key for a test file, and gives helpers that
 * sign tokens for it and build verifiers against it.
 */
export interface JwksFixture {
  server: JwksServer;
  key: TestKey;
  sign(options?: SignOptions, key?: TestKey): Promise<string>;
  verifier(options?: Partial<AccessTokenVerifierOptions>): AccessTokenVerifier;
}

export function useJwksFixture(): JwksFixture {
  const fixture: JwksFixture = {
    server: undefined as unknown as JwksServer,
    key: undefined as unknown as TestKey,
    sign(options: SignOptions = {}, key: TestKey = fixture.key): Promise<string> {
      return signAccessToken(key, { issuer: fixture.server.issuer, ...options });
    },
    verifier(options: Partial<AccessTokenVerifierOptions> = {}) {
      return verifierFor(fixture.server, options);
    },
  };
  beforeAll(async () => {
    fixture.server = await JwksServer.start();
    fixture.key = await createTestKey('RS256');
    fixture.server.keys = [fixture.key.publicJwk];
  });
  afterAll(async () => {
    await fixture.server.close();
  });
  return fixture;
}

/** Awaits a promise expected to reject with a BearerError, and returns that error. */
export async function rejection(promise: Promise<unknown>): Promise<BearerError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof BearerError) return error;
    throw error;
  }
  throw new Error('expected the promise to reject with a BearerError');
}
