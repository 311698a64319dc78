import { MissingCredentialsError } from '../errors.js';
import {
  createAccessTokenVerifier,
  type AccessTokenVerifier,
} from '../validation/access-token-verifier.js';
import type { BearerRequest } from '../validation/bearer-token.js';
import type { VerifiedAccessToken } from '../validation/verified-access-token.js';
import type { AccessTokenVerifierOptions } from '../validation/verifier-options.js';
import { markAnonymous } from './anonymous-realm.js';
import { isUnparsedFormBody } from '../validation/bearer-token.js';

const BODY_NOT_PARSED =
  'auth() with tokenLocations "body" needs the form body parsed before it runs (Fastify: use it as a preValidation hook; Express: express.urlencoded() first; Koa: @koa/bodyparser first)';

/** Options of every adapter's `auth()`: every option of the verifier, plus `optional`. */
export interface AuthOptions extends AccessTokenVerifierOptions {
  /**
   * Let requests without any credentials through, unauthenticated. A request that does carry a
   * token still fails when the token is bad: a forged token is not "anonymous". Default `false`.
   */
  optional?: boolean;
}

/**
 * What an adapter's `auth()` calls per request: verifies the request's bearer token and resolves
 * to it, or to `undefined` for a request without credentials on an `optional` route (then
 * `carrier`, the framework's request or context object, is remembered as anonymous in this
 * verifier's realm, for the requirements after it).
 *
 * @throws {BearerError} to answer with.
 */
export type Authenticate = (
  request: BearerRequest,
  carrier: object,
) => Promise<VerifiedAccessToken | undefined>;

/**
 * The neutral half of `auth()`: checks the options and creates one verifier (its key set, its
 * cache) now, when the route is declared.
 *
 * @throws {TypeError} naming the option, for an invalid one.
 */
export function createAuthenticate(
  options: AuthOptions,
): Authenticate & { readonly verifier: AccessTokenVerifier } {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('auth() options must be an object');
  }
  const { optional = false, ...verifierOptions } = options;
  if (typeof optional !== 'boolean') throw new TypeError('"optional" must be a boolean');
  const verifier = createAccessTokenVerifier(verifierOptions);
  const { realm } = verifier.options;
  const readsBody = verifier.options.tokenLocations.has('body');
  const authenticate = async (request: BearerRequest, carrier: object) => {
    // A token in a body no parser has read yet would be missed, and the request refused as
    // anonymous: a misconfiguration, said to the developer (the framework's 500), never a 401.
    if (readsBody && isUnparsedFormBody(request)) throw new Error(BODY_NOT_PARSED);
    try {
      return await verifier.authenticate(request);
    } catch (error) {
      // RFC 6750 section 3.1: no credentials at all is not an error on an optional route.
      if (!optional || !(error instanceof MissingCredentialsError)) throw error;
      markAnonymous(carrier, realm);
      return undefined;
    }
  };
  return Object.assign(authenticate, { verifier });
}
