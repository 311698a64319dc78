/**
 * The conformance kit's test app for @fastify/jwt with get-jwks, written as get-jwks' README
 * shows for @fastify/jwt: `decode: { complete: true }` and a `secret` callback that asks
 * `getJwks.getPublicKey({ kid, domain: iss, alg })`; each protected route verifies in its
 * `onRequest` (as @fastify/jwt's README shows), and Fastify's default error handler answers.
 *
 * Every option the kit passes that the libraries have a setting for is honoured: the issuer, or
 * several (as get-jwks' issuersWhitelist and @fastify/jwt's allowedIss), the audience, the key
 * set path, the algorithms and the clock tolerance; instead of a key set, an HS256 secret as
 * @fastify/jwt's `secret` (its README's `secret: 'supersecret'`) or a public key's PEM as
 * `secret: { public }`. get-jwks has no key set cooldown. @fastify/jwt has no scope checks, no
 * optional verification, no DPoP, no certificate binding and no step-up of its own.
 *
 * Run it: `ropkit-conformance run --adapter ./examples/peers/fastify-jwt.ts`.
 */
import {
  issuersOf,
  keySourceOf,
  type Capability,
  type KitVerifierOptions,
  type StartTestApp,
} from '@ropkit/conformance';
import fjwt, { type FastifyJWTOptions } from '@fastify/jwt';
import Fastify, { type FastifyRequest } from 'fastify';
import buildGetJwks from 'get-jwks';

export const name = '@fastify/jwt + get-jwks';

/**
 * Bearer JWTs checked with the key set of each issuer on its whitelist, or with an HS256 secret or
 * a public key instead; no optional routes, no scopes, no DPoP, no login.
 */
export const capabilities: Capability[] = ['bearer', 'key-set', 'issuers', 'hs256', 'static-key'];

/** Verifies the request's token, as @fastify/jwt's README does in `onRequest`. */
async function authenticate(request: FastifyRequest): Promise<void> {
  await request.jwtVerify();
}

/** `{"sub": ...}` of the verified token. */
function subject(request: FastifyRequest): { sub: string | null } {
  const user: unknown = request.user;
  const sub: unknown = typeof user === 'object' && user !== null ? Reflect.get(user, 'sub') : null;
  return { sub: typeof sub === 'string' ? sub : null };
}

/**
 * @fastify/jwt's `secret` and the accepted issuers: the HS256 secret or `{ public }` with the one
 * issuer, or, as get-jwks' README shows, a callback asking get-jwks for the key of the token's
 * issuer (each issuer on the whitelist, its key set at one path under it).
 */
function keysOf(verifier: KitVerifierOptions): {
  secret: FastifyJWTOptions['secret'];
  allowed: string[];
} {
  if (typeof verifier.issuer === 'string') {
    const source = keySourceOf(verifier);
    if (source.secret !== undefined) return { secret: source.secret, allowed: [source.issuer] };
    if (source.publicKey !== undefined)
      return { secret: { public: source.publicKey }, allowed: [source.issuer] };
  }
  // get-jwks fetches `<iss><jwksPath>`: one path under every issuer.
  const issuers = issuersOf(verifier);
  const jwksPath = new URL(issuers[0]?.jwksUri ?? '/').pathname;
  if (issuers.some(({ issuer, jwksUri }) => new URL(jwksPath, issuer).href !== jwksUri))
    throw new Error('get-jwks takes one key set path, under each issuer');
  const allowed = issuers.map(({ issuer }) => issuer);
  const getJwks = buildGetJwks({ issuersWhitelist: allowed, jwksPath });
  return {
    allowed,
    secret: (_request, token, callback) => {
      const { header, payload } = token;
      getJwks.getPublicKey({ kid: header.kid, domain: payload.iss, alg: header.alg }).then(
        (publicKey) => {
          callback(null, publicKey);
        },
        (error: Error) => {
          callback(error, undefined);
        },
      );
    },
  };
}

export const startTestApp: StartTestApp = async ({ verifier }) => {
  const fastify = Fastify();
  const { secret, allowed } = keysOf(verifier);
  await fastify.register(fjwt, {
    decode: { complete: true },
    secret,
    verify: {
      allowedIss: allowed,
      allowedAud: verifier.audience,
      // fast-jwt's algorithm names (it has no Ed25519): the kit passes ['RS256'] or ['HS256'].
      algorithms: verifier.algorithms.filter((alg) => alg !== 'Ed25519'),
      // fast-jwt counts in milliseconds.
      clockTolerance: verifier.clockTolerance * 1000,
    },
  });
  fastify.get('/api/public', (_request, reply) => {
    void reply.send({ message: 'Public: no token needed' });
  });
  fastify.get('/api/private', { onRequest: [authenticate] }, (request, reply) => {
    void reply.send(subject(request));
  });
  await fastify.listen({ host: '127.0.0.1', port: 0 });
  const address = fastify.server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening on TCP');
  return { url: `http://127.0.0.1:${address.port}`, close: () => fastify.close() };
};
