import {
  authenticateRequest,
  createAccessTokenVerifier,
  markAnonymous,
  type AccessTokenVerifierOptions,
  type BearerRequest,
} from '@ropkit/core';
import type { Context, Middleware } from 'koa';

/** Options of {@link auth}: every option of core's `createAccessTokenVerifier`, plus `optional`. */
export interface AuthOptions extends AccessTokenVerifierOptions {
  /**
   * Let a request without any credentials through, with `ctx.state.auth` left `undefined`. A
   * request that does carry a token is still refused when the token is bad: an optional route
   * must not treat a forged token as "anonymous". Default `false`.
   */
  optional?: boolean;
}

/**
 * Koa middleware that accepts only requests with a valid bearer access token (RFC 6750) and
 * puts the verified token on `ctx.state.auth` (`token`, `header`, `payload`, `scopes`, `realm`).
 *
 * One verifier (key set, cache) is created per call, when the route is declared, and every
 * option is checked then: a bad one throws a `TypeError` at start-up, not on the first request.
 * Failures are thrown as core's `BearerError`, which carries `status`, `expose` and `headers`
 * (`WWW-Authenticate`), so Koa's own `ctx.onerror` already answers with the right status and
 * challenge; put {@link authErrors} first to answer the JSON body every ropkit adapter writes.
 *
 * To accept a token in a form body (`tokenLocations: ['body']`), parse the body first (e.g.
 * `@koa/bodyparser`).
 *
 * @example
 * ```ts
 * router.get('/api/private', auth({ issuer: 'https://YOUR_DOMAIN/', audience: 'YOUR_API' }),
 *   (ctx) => { ctx.body = { sub: ctx.state.auth?.payload.sub }; });
 * ```
 *
 * @throws {TypeError} at declaration, for an invalid option.
 */
export function auth(options: AuthOptions): Middleware {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('auth() options must be an object');
  }
  const { optional = false, ...verifierOptions } = options;
  if (typeof optional !== 'boolean') throw new TypeError('"optional" must be a boolean');
  const verifier = createAccessTokenVerifier(verifierOptions);

  const { realm } = verifier.options;

  return async function ropkitAuth(ctx, next) {
    ctx.state.auth = await authenticateRequest(verifier, bearerRequestOf(ctx), optional);
    // A later requirement answers an anonymous request in this verifier's realm.
    if (ctx.state.auth === undefined) markAnonymous(ctx, realm);
    await next();
  };
}

/** The framework-neutral request core reads the token from (RFC 6750 section 2). */
function bearerRequestOf(ctx: Context): BearerRequest {
  return {
    headers: ctx.headers,
    // Node keeps only the first Authorization header in `headers`; core needs the raw list
    // to refuse a repeated one (RFC 6750 section 2: one method, one token).
    rawHeaders: ctx.req.rawHeaders,
    method: ctx.method,
    query: ctx.query,
    // Set by a body parser (@koa/bodyparser) on ctx.request; read for RFC 6750 section 2.2 only.
    body: Reflect.get(ctx.request, 'body'),
  };
}
