import type { DpopOptions } from '@ropkit/core';

/** What the example API needs to verify tokens: where they come from and whom they are for. */
export interface ExampleApiOptions {
  /** `https://TENANT/`, exactly as in the tokens' `iss`; keys are discovered from it. */
  readonly issuer: string;
  /** The API identifier the tokens must be for (`aud`). */
  readonly audience: string;
  /** The verifier's `dpop` option. Default: {@link DPOP_OPTIONS}. */
  readonly dpop?: DpopOptions | false;
}

/** A running example API. */
export interface RunningApi {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  readonly url: string;
  close(): Promise<void>;
}

/** The scope `/api/private-scoped` requires, as in Auth0's API quickstarts and the tutorial. */
export const REQUIRED_SCOPE = 'read:sample';

/**
 * DPoP (RFC 9449) on the protected routes: `'allowed'` takes Bearer tokens as before and
 * DPoP-bound ones only as `Authorization: DPoP` with a new proof of their key (section 7): such a
 * token sent as Bearer, without a proof, with a replayed proof or a proof of another key is
 * refused.
 */
export const DPOP_OPTIONS = { mode: 'allowed' } as const satisfies DpopOptions;
