import { MemoryDpopReplayStore, type DpopReplayStore } from '../dpop/dpop-replay-store.js';
import { nonNegative, positive, rejectUnknownOptions } from '../option-checks.js';
import { isAsymmetricAlgorithm, type AsymmetricAlgorithm } from './algorithms.js';

/**
 * How a verifier treats DPoP (RFC 9449 section 7):
 * - `'off'`: the `Bearer` scheme only, as before DPoP. A DPoP-bound token sent as Bearer is
 *   accepted (the server is unaware of DPoP, section 7.2) and the `DPoP` scheme is not accepted.
 * - `'allowed'`: `Bearer` and `DPoP`. A DPoP-bound token must come with the `DPoP` scheme and a
 *   proof (section 7.2: one sent as Bearer is refused); an unbound one with `Bearer`.
 * - `'required'`: the `DPoP` scheme only; a Bearer request is answered as one without credentials,
 *   with a `DPoP` challenge.
 */
export type DpopMode = 'off' | 'allowed' | 'required';

/** Server-provided nonces (RFC 9449 section 9): a proof must carry one the server issued. */
export interface DpopNonceOptions {
  /**
   * The key nonces are derived from (HMAC-SHA-256), at least 32 bytes: a string (UTF-8) or bytes.
   * Replicas must share it, or a nonce one issued fails at another. Required.
   */
  secret: string | Uint8Array;
  /** How long a nonce is accepted, in seconds: a nonce lives one to two periods. Default `300`. */
  lifetime?: number;
}

/** The `dpop` option of the verifier (and of every adapter's `auth()`). */
export interface DpopOptions {
  /** Default `'allowed'` (when a `dpop` object is given; without one, DPoP is `'off'`). */
  mode?: DpopMode;
  /**
   * Algorithms a proof may be signed with (the `algs` of the `DPoP` challenge, section 7.1).
   * Default `['ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512', 'RS256', 'RS384', 'RS512',
   * 'EdDSA']`: every asymmetric algorithm but `Ed25519`'s alias. `none` and HMAC are refused.
   */
  algorithms?: readonly AsymmetricAlgorithm[];
  /** How long after its `iat` a proof is accepted, in seconds (section 11.1). Default `300`. */
  iatWindow?: number;
  /** How far in the future a proof's `iat` may be, for clock skew, in seconds. Default `30`. */
  iatLeeway?: number;
  /**
   * The public origin requests reach this API at (`https://api.example.com`), which a proof's
   * `htu` must name (section 4.3). Set it behind a proxy or load balancer. Default: the request's
   * own, from the `Host` header and whether the connection (as the framework reports it) is
   * secure. `X-Forwarded-Host` is never read.
   */
  publicOrigin?: string | URL;
  /**
   * Where accepted proofs are remembered so each is accepted once (section 11.1). Replicas share
   * one (`RedisDpopReplayStore` from `@ropkit/redis`). Default: a {@link MemoryDpopReplayStore}
   * of 100,000 entries per verifier.
   */
  replayStore?: DpopReplayStore;
  /** Require server-provided nonces (section 9). Default: none required. */
  nonce?: DpopNonceOptions;
}

/** {@link DpopOptions} checked, defaults filled in; `undefined` when DPoP is off. */
export interface ResolvedDpopOptions {
  readonly mode: 'allowed' | 'required';
  readonly algorithms: readonly AsymmetricAlgorithm[];
  readonly iatWindow: number;
  readonly iatLeeway: number;
  /** `scheme://host[:port]`, as `URL.origin` spells it. */
  readonly publicOrigin: string | undefined;
  readonly replayStore: DpopReplayStore;
  readonly nonce: { readonly secret: Uint8Array; readonly lifetime: number } | undefined;
}

/** Every asymmetric algorithm, `Ed25519` spelled the way most signers spell it (`EdDSA`). */
export const DEFAULT_DPOP_ALGORITHMS: readonly AsymmetricAlgorithm[] = Object.freeze([
  'ES256',
  'ES384',
  'ES512',
  'PS256',
  'PS384',
  'PS512',
  'RS256',
  'RS384',
  'RS512',
  'EdDSA',
]);

/** Shortest nonce secret accepted: 256 bits, the HMAC-SHA-256 key size (RFC 2104 section 3). */
const MIN_NONCE_SECRET_BYTES = 32;

const KNOWN = new Set([
  'mode',
  'algorithms',
  'iatWindow',
  'iatLeeway',
  'publicOrigin',
  'replayStore',
  'nonce',
]);

/**
 * Checks the `dpop` option; `undefined` when DPoP is off.
 *
 * @throws {TypeError} naming the option, never a secret's value.
 */
export function resolveDpopOptions(
  options: DpopOptions | false | undefined,
  clock: () => number,
): ResolvedDpopOptions | undefined {
  if (options === undefined || options === false) return undefined;
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('"dpop" must be an object, e.g. { mode: "allowed" }');
  }
  rejectUnknownOptions(options, KNOWN, 'dpop');
  const mode = options.mode ?? 'allowed';
  if (mode !== 'off' && mode !== 'allowed' && mode !== 'required') {
    throw new TypeError('"dpop.mode" must be "off", "allowed" or "required"');
  }
  if (mode === 'off') return undefined;
  const algorithms = options.algorithms ?? DEFAULT_DPOP_ALGORITHMS;
  if (
    !Array.isArray(algorithms) ||
    algorithms.length === 0 ||
    !algorithms.every((alg) => isAsymmetricAlgorithm(alg))
  ) {
    throw new TypeError(
      '"dpop.algorithms" must be a non-empty array of asymmetric JWS algorithms (RS*, PS*, ES*, EdDSA); "none" and HMAC are refused (RFC 9449 section 4.2)',
    );
  }
  const replayStore = options.replayStore ?? new MemoryDpopReplayStore(100_000, clock);
  if (
    typeof replayStore !== 'object' ||
    replayStore === null ||
    typeof replayStore.claim !== 'function'
  ) {
    throw new TypeError(
      '"dpop.replayStore" must be an object with a claim(key, expiresAtMs) method',
    );
  }
  return Object.freeze({
    mode,
    algorithms: Object.freeze([...new Set(algorithms)]),
    iatWindow: positive(options.iatWindow, 'dpop.iatWindow', 300, 'seconds'),
    iatLeeway: nonNegative(options.iatLeeway, 'dpop.iatLeeway', 30, 'seconds'),
    publicOrigin: resolvePublicOrigin(options.publicOrigin),
    replayStore,
    nonce: resolveNonce(options.nonce),
  });
}

function resolvePublicOrigin(value: string | URL | undefined): string | undefined {
  if (value === undefined) return undefined;
  const message =
    '"dpop.publicOrigin" must be an http(s) origin such as "https://api.example.com" (no path, query or credentials)';
  if (typeof value !== 'string' && !(value instanceof URL)) throw new TypeError(message);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(message);
  }
  const bare = url.pathname === '/' && url.search === '' && url.hash === '';
  if (
    (url.protocol !== 'https:' && url.protocol !== 'http:') ||
    !bare ||
    url.username !== '' ||
    url.password !== ''
  ) {
    throw new TypeError(message);
  }
  return url.origin;
}

function resolveNonce(value: DpopNonceOptions | undefined): ResolvedDpopOptions['nonce'] {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null) {
    throw new TypeError('"dpop.nonce" must be an object { secret, lifetime? }');
  }
  for (const name of Object.keys(value)) {
    if (name !== 'secret' && name !== 'lifetime') {
      throw new TypeError(`Unknown option "dpop.nonce.${name}"`);
    }
  }
  const { secret } = value;
  const bytes =
    typeof secret === 'string'
      ? new TextEncoder().encode(secret)
      : secret instanceof Uint8Array
        ? Uint8Array.from(secret)
        : undefined;
  if (bytes === undefined || bytes.length < MIN_NONCE_SECRET_BYTES) {
    throw new TypeError(
      `"dpop.nonce.secret" must be a string or bytes of at least ${MIN_NONCE_SECRET_BYTES} bytes`,
    );
  }
  return Object.freeze({
    secret: bytes,
    lifetime: positive(value.lifetime, 'dpop.nonce.lifetime', 300, 'seconds'),
  });
}
